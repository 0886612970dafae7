"""The local offline store's files: SageMaker's layout, pyarrow reads them back, the delay, deletes."""

from __future__ import annotations

import re
import threading
from dataclasses import replace

import numpy as np
import pandas as pd
import pyarrow.parquet as pq
import pytest

from featurestore_demo.errors import ValidationException
from featurestore_demo.schemas import PRODUCTS, USERS
from local_backend import LocalBackend
from local_backend.parquet_layout import hour_partition, publish, s3_path

T0 = 1_700_000_000.0  # 2023-11-14T22:13:20Z


class Clock:
    def __init__(self, now: float) -> None:
        self.now = now

    def __call__(self) -> float:
        return self.now


def paths(store: LocalBackend, group: str = USERS.name) -> list:
    return [store.s3_root / file.uri.removeprefix("s3://") for file in store.offline_files(group)]


def read_back(store: LocalBackend, group: str = USERS.name) -> pd.DataFrame:
    frame = pd.concat([pq.read_table(path).to_pandas() for path in paths(store, group)], ignore_index=True)
    return frame.sort_values("api_invocation_time", ignore_index=True)


def test_the_files_hold_the_rows_as_put_with_athenas_columns_and_types(tmp_path):
    with LocalBackend(tmp_path) as store:
        store.create_feature_group(USERS)
        put = {"user_id": "u1", "age": 30, "membership_tier": "gold", "total_purchases": 3,
               "avg_order_value": 12.5, "event_time": T0}
        store.put_record(USERS.name, put)
        store.delete_record(USERS.name, "u1", T0 + 1, deletion_mode="HardDelete")

        rows = read_back(store)
        table = pq.read_table(paths(store)[0])

    assert table.column_names == [*USERS.feature_names, "write_time", "api_invocation_time", "is_deleted"]
    assert [str(table.schema.field(name).type) for name in ("age", "avg_order_value", "user_id", "is_deleted")] \
        == ["int64", "double", "string", "bool"]
    assert str(table.schema.field("write_time").type).startswith("timestamp")
    assert rows.loc[0, USERS.feature_names].to_dict() == put
    assert rows["is_deleted"].tolist() == [False, True]
    assert rows.loc[1, "user_id"] == "u1" and pd.isna(rows.loc[1, "age"])  # a marker: id and time only


def test_a_file_sits_in_the_hour_of_its_event_time_named_after_its_latest_event(tmp_path):
    with LocalBackend(tmp_path) as store:
        store.create_feature_group(USERS)
        for seconds in (T0, T0 + 100, T0 + 3600):
            store.put_record(USERS.name, {"user_id": f"u{seconds}", "event_time": seconds})
        found = [path.relative_to(store.s3_root).as_posix() for path in paths(store)]
        resolved = s3_path(store.describe_feature_group(USERS.name)["OfflineStoreConfig"]["S3StorageConfig"]
                           ["ResolvedOutputS3Uri"])
    assert [re.sub(r"_[A-Za-z0-9]{16}\.parquet$", "", path) for path in found] == [
        f"{resolved}/year=2023/month=11/day=14/hour=22/20231114T221500Z",
        f"{resolved}/year=2023/month=11/day=14/hour=23/20231114T231320Z",
    ]


def test_hours_cover_the_whole_range_of_event_times():
    assert hour_partition(0) == "year=1970/month=01/day=01/hour=00"
    assert hour_partition(-1) == "year=1969/month=12/day=31/hour=23"
    assert hour_partition(253_402_300_799 // 3600) == "year=9999/month=12/day=31/hour=23"


def files_below(folder) -> dict[str, str]:
    return {path.relative_to(folder).as_posix(): path.read_text() for path in folder.rglob("*") if path.is_file()}


def test_publishing_moves_new_folders_whole_and_merges_into_existing_ones_again_after_a_crash(tmp_path):
    staging, s3_root = tmp_path / "staging" / "e1", tmp_path / "s3"
    staged = {"b/g/hour=01/new.parquet": "1", "b/g/hour=02/a.parquet": "2", "b/g/hour=02/b.parquet": "3",
              "b/h/hour=01/c.parquet": "4"}
    for name, text in staged.items():
        (staging / name).parent.mkdir(parents=True, exist_ok=True)
        (staging / name).write_text(text)
    (s3_root / "b/g/hour=01").mkdir(parents=True)
    (s3_root / "b/g/hour=01/old.parquet").write_text("0")
    (s3_root / "b/g/hour=02/a.parquet").parent.mkdir(parents=True)
    (s3_root / "b/g/hour=02/a.parquet").write_text("2")  # moved before a crash
    (staging / "b/g/hour=02/a.parquet").unlink()

    publish(staging, s3_root)

    assert files_below(s3_root) == {**staged, "b/g/hour=01/old.parquet": "0"}
    assert not staging.exists()


def test_an_ingest_writes_one_file_per_event_hour(tmp_path):
    frame = pd.DataFrame({"user_id": [f"u{i}" for i in range(100)], "total_purchases": np.arange(100),
                          "event_time": T0 + np.arange(100) * 360.0})  # ten per hour
    with LocalBackend(tmp_path) as store:
        store.create_feature_group(USERS)
        store.ingest(USERS.name, frame)
        files = store.offline_files(USERS.name)
        rows = read_back(store)
    assert len(files) == len({int((T0 + i * 360) // 3600) for i in range(100)})
    assert sorted(rows["user_id"]) == sorted(frame["user_id"])
    assert rows["total_purchases"].sum() == frame["total_purchases"].sum()


def test_a_groups_files_are_listed_and_deleted_while_a_later_batch_of_another_group_is_still_written(tmp_path):
    users = pd.DataFrame({"user_id": ["u1", "u2"], "total_purchases": [1, 2], "event_time": [T0, T0 + 7200.0]})
    products = pd.DataFrame({"product_id": ["p1"], "price": [9.5], "event_time": [T0]})
    release = threading.Event()
    with LocalBackend(tmp_path) as store:
        store.create_feature_group(USERS)
        store.create_feature_group(PRODUCTS)
        exporter = store._offline._exporter
        to_arrow = exporter._to_arrow

        def held_for_products(rows):
            if rows.spec.name == PRODUCTS.name:
                assert release.wait(10), "never released"
            return to_arrow(rows)

        exporter._to_arrow = held_for_products
        store.ingest(USERS.name, users)
        store.ingest(PRODUCTS.name, products)  # its files wait for release

        assert len(store.offline_files(USERS.name)) == 2
        store.delete_feature_group(USERS.name)
        assert not release.is_set()
        release.set()
        assert [file.rows for file in store.offline_files(PRODUCTS.name)] == [1]


def test_with_an_offline_delay_the_rows_appear_only_once_it_has_passed(tmp_path):
    clock = Clock(T0)
    store = LocalBackend(tmp_path, clock=clock, offline_delay=60)
    store.create_feature_group(USERS)
    store.put_record(USERS.name, {"user_id": "u1", "total_purchases": 1, "event_time": T0})
    table = store.offline_table(USERS.name)

    clock.now = T0 + 59
    assert store.offline_files(USERS.name) == []
    assert len(store.query(f"SELECT * FROM {table}")) == 0
    assert store.get_record(USERS.name, "u1")["total_purchases"] == 1  # the online store does not wait
    store.close()  # a buffered write survives a restart

    store = LocalBackend(tmp_path, clock=clock, offline_delay=60)
    clock.now = T0 + 61
    rows = store.query(f"SELECT * FROM {table}")
    assert rows["user_id"].tolist() == ["u1"]
    assert rows.loc[0, "write_time"] == pd.Timestamp(T0 + 61, unit="s")  # written when the delay ran out
    assert rows.loc[0, "api_invocation_time"] == pd.Timestamp(T0, unit="s")
    assert read_back(store)["user_id"].tolist() == ["u1"]
    store.close()


@pytest.mark.parametrize("delay", [-1, 3601, "soon", float("nan")])
def test_an_offline_delay_out_of_range_is_refused(tmp_path, delay):
    with pytest.raises(ValidationException, match="Offline delay"):
        LocalBackend(tmp_path, offline_delay=delay)


def test_files_deleted_through_s3_leave_athena_too(tmp_path):
    with LocalBackend(tmp_path) as store:
        store.create_feature_group(USERS)
        for seconds in (T0, T0 + 3600):
            store.put_record(USERS.name, {"user_id": f"u{seconds}", "event_time": seconds})
        first = paths(store)[0]
        bucket, key = first.relative_to(store.s3_root).as_posix().split("/", 1)
        first.unlink()
        store.offline_objects_deleted(bucket, [key])

        remaining = store.query(f"SELECT user_id FROM {store.offline_table(USERS.name)}")["user_id"].tolist()
    assert remaining == [f"u{T0 + 3600}"]


def test_deleting_a_group_removes_its_files_unless_they_are_kept(tmp_path):
    with LocalBackend(tmp_path) as store:
        for keep in (True, False):
            spec = USERS.with_name(f"users-{keep}")
            store.create_feature_group(spec)
            store.put_record(spec.name, {"user_id": "u1", "event_time": T0})
            folder = paths(store, spec.name)[0].parent
            store.delete_feature_group(spec.name, keep_offline_data=keep)
            assert folder.exists() == keep


def test_deleting_an_online_only_group_leaves_the_other_groups_files(tmp_path):
    with LocalBackend(tmp_path) as store:
        store.create_feature_group(USERS)
        store.put_record(USERS.name, {"user_id": "u1", "event_time": T0})
        online_only = replace(USERS, name="online-only", offline_store=False)
        store.create_feature_group(online_only)
        store.delete_feature_group(online_only.name)
        assert [path.exists() for path in paths(store)] == [True]
