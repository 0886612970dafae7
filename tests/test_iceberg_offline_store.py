"""TableFormat Iceberg: the offline store is an Iceberg table in SageMaker's layout, read by pyiceberg."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest
from pyiceberg.table import StaticTable

from featurestore_demo.schemas import FeatureDefinition, FeatureGroupSpec, OfflineStoreConfig
from local_backend import LocalBackend
from local_backend.parquet_layout import s3_path

CLICKS = FeatureGroupSpec(
    "clicks", "user_id", "event_time",
    (FeatureDefinition("user_id", "String"), FeatureDefinition("clicks", "Integral"),
     FeatureDefinition("event_time", "String")),
    offline_config=OfflineStoreConfig(table_format="Iceberg"),
)
PUTS = [("u1", 1, "2023-11-14T22:13:20Z"), ("u2", 2, "2023-11-14T23:59:59.999Z"), ("u1", 3, "2023-11-15T00:00:00Z")]


def location(store: LocalBackend, group: str = CLICKS.name) -> Path:
    """The table's folder: ResolvedOutputS3Uri without its last /data."""
    resolved = store.describe_feature_group(group)["OfflineStoreConfig"]["S3StorageConfig"]["ResolvedOutputS3Uri"]
    return store.s3_root / s3_path(resolved).removesuffix("/data")


def iceberg_rows(folder: Path) -> list[tuple]:
    """The table's rows as pyiceberg reads them from its newest metadata file."""
    newest = sorted((folder / "metadata").glob("*.metadata.json"))[-1]
    table = StaticTable.from_metadata(str(newest)).scan().to_arrow()
    return sorted(zip(table["user_id"].to_pylist(), table["clicks"].to_pylist(), table["event_time"].to_pylist(),
                      table["is_deleted"].to_pylist()), key=lambda row: (row[0], row[2]))


def put_all(store: LocalBackend) -> None:
    for user, clicks, when in PUTS:
        store.put_record(CLICKS.name, {"user_id": user, "clicks": clicks, "event_time": when})
    store.delete_record(CLICKS.name, "u2", "2023-11-15T01:00:00Z")


def test_an_iceberg_group_keeps_its_rows_in_an_iceberg_table_in_sagemakers_layout(tmp_path):
    with LocalBackend(tmp_path) as store:
        store.create_feature_group(CLICKS)
        put_all(store)
        folder = location(store)
        athena = store.query(f"SELECT count(*) AS n FROM {store.offline_table(CLICKS.name)}")
        files = store.offline_files(CLICKS.name)

    expected = sorted([(user, clicks, when, False) for user, clicks, when in PUTS]
                      + [("u2", None, "2023-11-15T01:00:00Z", True)], key=lambda row: (row[0], row[2]))
    assert iceberg_rows(folder) == expected
    assert int(athena.loc[0, "n"]) == len(expected)
    days = sorted({file.uri.split("/")[-2] for file in files})
    assert days == ["event_time_trunc=2023-11-14", "event_time_trunc=2023-11-15"]  # daily, by event time
    assert all(f"/data/{file.uri.split('/data/')[1].split('/')[0]}/event_time_trunc=" in file.uri for file in files)
    assert (folder / "metadata").is_dir()


def test_added_features_become_iceberg_columns(tmp_path):
    with LocalBackend(tmp_path) as store:
        store.create_feature_group(CLICKS)
        store.update_feature_group(CLICKS.name, feature_additions=[FeatureDefinition("country", "String")])
        store.put_record(CLICKS.name, {"user_id": "u1", "clicks": 1, "country": "NZ", "event_time": PUTS[0][2]})
        folder = location(store)
    newest = sorted((folder / "metadata").glob("*.metadata.json"))[-1]
    assert StaticTable.from_metadata(str(newest)).scan().to_arrow()["country"].to_pylist() == ["NZ"]


CRASH = """
import os, sys
from local_backend import LocalBackend, iceberg_tables
sys.path.insert(0, sys.argv[2])
from test_iceberg_offline_store import CLICKS, put_all
store = LocalBackend(sys.argv[1])
store.create_feature_group(CLICKS)
iceberg_tables.IcebergTables.append = lambda *args, **kwargs: os._exit(9)
put_all(store)
store.flush()
"""


def test_rows_a_crash_kept_from_the_table_are_appended_when_the_store_opens(tmp_path):
    result = subprocess.run([sys.executable, "-c", CRASH, str(tmp_path), str(Path(__file__).parent)],
                            capture_output=True, text=True, timeout=120)
    assert result.returncode == 9, result.stderr

    with LocalBackend(tmp_path) as store:
        folder = location(store)
    assert len(iceberg_rows(folder)) == len(PUTS) + 1


@pytest.mark.parametrize("keep", [True, False])
def test_deleting_an_iceberg_group_removes_its_table_unless_kept(tmp_path, keep):
    with LocalBackend(tmp_path) as store:
        store.create_feature_group(CLICKS)
        put_all(store)
        folder = location(store)
        store.delete_feature_group(CLICKS.name, keep_offline_data=keep)
        assert (folder / "metadata").exists() == keep
        store.create_feature_group(CLICKS.with_name("clicks-again"))  # the catalog is still usable
