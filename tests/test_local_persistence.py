"""LocalBackend on disk: the online store is rebuilt from the history, crashes lose nothing
acknowledged, and one process holds a store at a time."""

from __future__ import annotations

import os
import subprocess
import sys
from dataclasses import replace

import pandas as pd
import pytest
from fakes import Clock

from featurestore_demo.errors import ResourceInUse, ValidationException
from featurestore_demo.schemas import USERS, TtlDuration
from local_backend import LocalBackend

T0 = 1_700_000_000.0
IDS = [f"u{i}" for i in range(12)]


def user(user_id: str, event_time: float, purchases: int = 0) -> dict:
    return {"user_id": user_id, "total_purchases": purchases, "event_time": event_time}


def write_history(store: LocalBackend) -> None:
    """Every kind of write that changes the online store, on USERS (TTL group default: 1 hour)."""
    store.create_feature_group(replace(USERS, ttl=TtlDuration("Hours", 1)))
    frame = pd.DataFrame({"user_id": IDS, "total_purchases": range(12), "event_time": [T0] * 12})
    store.ingest("users", frame)                                             # bulk path, all ids
    store.put_record("users", user("u0", T0 + 10, 100))                      # newer wins
    store.put_record("users", user("u1", T0 - 10, 101))                      # older: offline only
    store.put_record("users", user("u2", T0, 102))                           # equal: overwrites
    store.put_record("users", user("u3", T0 + 10, 103), target_stores=["OnlineStore"])
    store.put_record("users", user("u4", T0 + 10, 104), target_stores=["OfflineStore"])
    store.delete_record("users", "u5", T0 + 1)                               # soft
    store.delete_record("users", "u6", T0 + 1, deletion_mode="HardDelete")
    store.delete_record("users", "u7", T0 - 1)                               # stale soft: kept
    store.put_record("users", user("u8", T0 + 5, 108), ttl=TtlDuration("Seconds", 30))
    store.delete_record("users", "u9", T0 + 1, deletion_mode="HardDelete")
    store.put_record("users", user("u9", T0 - 100, 109))                     # older, after hard delete
    store.delete_record("users", "u10", T0 + 1)
    store.put_record("users", user("u10", T0 - 100, 110))                    # older than the tombstone


def online_state(store: LocalBackend) -> dict:
    return {record_id: store.get_record("users", record_id) for record_id in IDS}


def offline_state(store: LocalBackend) -> list[tuple]:
    rows = store.query("SELECT user_id, total_purchases, event_time, is_deleted "
                       f"FROM {table_of(store)} ORDER BY api_invocation_time")
    return [tuple(row) for row in rows.astype(object).where(rows.notna(), None).itertuples(index=False)]


@pytest.mark.parametrize("seconds_later", [0, 20, 4000], ids=["same time", "u8 expired", "all expired"])
def test_reopening_rebuilds_the_online_store_exactly(tmp_path, seconds_later):
    clock = Clock(T0 + 10)
    with LocalBackend(tmp_path, clock=clock) as store:
        write_history(store)
        clock.now += seconds_later
        online, offline = online_state(store), offline_state(store)

    with LocalBackend(tmp_path, clock=clock) as reopened:
        assert online_state(reopened) == online
        assert offline_state(reopened) == offline


def test_the_history_gives_the_expected_online_store(tmp_path):
    # Guards the test above: the state it compares is the one the rules dictate.
    with LocalBackend(tmp_path, clock=Clock(T0 + 10)) as store:
        write_history(store)
        purchases = {k: (v or {}).get("total_purchases") for k, v in online_state(store).items()}
        offline_ids = [row[0] for row in offline_state(store)]
    assert purchases == {"u0": 100, "u1": 1, "u2": 102, "u3": 103, "u4": 4, "u5": None, "u6": None,
                         "u7": 7, "u8": 108, "u9": 109, "u10": None, "u11": 11}
    assert "u3" not in offline_ids[12:] and offline_ids.count("u4") == 2


def test_a_tombstone_still_blocks_older_puts_after_reopening(tmp_path):
    clock = Clock(T0 + 10)
    with LocalBackend(tmp_path, clock=clock) as store:
        write_history(store)
    with LocalBackend(tmp_path, clock=clock) as reopened:
        reopened.put_record("users", user("u5", T0 - 50, 999))   # soft-deleted at T0 + 1: ignored
        reopened.put_record("users", user("u6", T0 - 50, 999))   # hard-deleted: accepted
        assert reopened.get_record("users", "u5") is None
        assert reopened.get_record("users", "u6")["total_purchases"] == 999


CRASHING_WRITER = """
import os, sys
import pandas as pd
from featurestore_demo.schemas import USERS
from local_backend import LocalBackend

store = LocalBackend(sys.argv[1])
store.create_feature_group(USERS)
store.ingest("users", pd.DataFrame({"user_id": ["a", "b"], "total_purchases": [1, 2], "event_time": [1.0, 1.0]}))
for i in range(50):
    store.put_record("users", {"user_id": f"p{i}", "total_purchases": i, "event_time": 2.0})
store.put_record("users", {"user_id": "a", "total_purchases": 10, "event_time": 3.0})
store.delete_record("users", "b", 3.0)
print("acknowledged", flush=True)
os._exit(0)  # killed before close(): nothing flushed, nothing released politely
"""


def test_a_crash_loses_no_acknowledged_write(tmp_path):
    result = subprocess.run([sys.executable, "-c", CRASHING_WRITER, str(tmp_path)],
                            capture_output=True, text=True, timeout=60)
    assert result.stdout.strip() == "acknowledged", result.stderr
    assert (tmp_path / "journal.jsonl").stat().st_size > 0  # the puts were only in the journal
    torn = b'[999,"users","put",["torn'  # a write cut short by the crash
    with open(tmp_path / "journal.jsonl", "ab") as journal:
        journal.write(torn)

    with pytest.warns(RuntimeWarning, match=f"{len(torn)} damaged bytes .* set aside in .*journal.damaged"), \
            LocalBackend(tmp_path) as store:
        found = store.batch_get_record("users", [f"p{i}" for i in range(50)] + ["a", "b"])
        assert {key: record["total_purchases"] for key, record in found.items()} == {
            **{f"p{i}": i for i in range(50)}, "a": 10}
        counts = store.query(
            f"SELECT COUNT(*) AS n, COUNT_IF(is_deleted) AS deleted FROM {table_of(store)}"
        )
        assert counts.to_dict("records") == [{"n": 2 + 50 + 1 + 1, "deleted": 1}]
    assert (tmp_path / "journal.jsonl").stat().st_size == 0  # recovered, moved, emptied
    assert (tmp_path / "journal.damaged").read_bytes() == torn


def table_of(store: LocalBackend) -> str:
    catalog = store.describe_feature_group("users")["OfflineStoreConfig"]["DataCatalogConfig"]
    return f'{catalog["Database"]}."{catalog["TableName"]}"'


HOLDER = """
import sys
from local_backend import LocalBackend
store = LocalBackend(sys.argv[1])
print("holding", flush=True)
sys.stdin.read()
store.close()
"""


def test_a_store_held_by_another_process_is_resource_in_use_naming_it(tmp_path):
    holder = subprocess.Popen([sys.executable, "-c", HOLDER, str(tmp_path)],
                              stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
    try:
        assert holder.stdout.readline().strip() == "holding"
        with pytest.raises(ResourceInUse) as raised:
            LocalBackend(tmp_path)
        message = str(raised.value)
        assert f"process {holder.pid}" in message
        assert str(tmp_path) in message and "FEATURESTORE_HOME" in message
        assert raised.value.code == "ResourceInUse"
    finally:
        holder.communicate("", timeout=30)
    with LocalBackend(tmp_path):  # released once the holder is gone
        pass


def test_close_is_idempotent_and_the_store_reopens(tmp_path):
    store = LocalBackend(tmp_path)
    store.close()
    store.close()
    assert os.path.exists(tmp_path / "offline.duckdb")
    with LocalBackend(tmp_path) as again:
        assert again.list_feature_groups() == []


def test_durability_fsync_fsyncs_each_write_before_it_returns(tmp_path, monkeypatch):
    synced = []
    with LocalBackend(tmp_path, durability="fsync") as store:
        store.create_feature_group(USERS)
        monkeypatch.setattr(os, "fsync", synced.append)
        store.put_record("users", user("u1", T0))
        store.delete_record("users", "u1", T0 + 1)
        assert len(synced) == 2 and store.durability == "fsync"
    with LocalBackend(tmp_path) as default:
        assert default.durability == "process"


def test_durability_is_read_from_featurestore_durability(tmp_path, monkeypatch):
    monkeypatch.setenv("FEATURESTORE_DURABILITY", "fsync")
    with LocalBackend(tmp_path) as store:
        assert store.durability == "fsync"
    with LocalBackend(tmp_path, durability="process") as store:  # the keyword wins
        assert store.durability == "process"


@pytest.mark.parametrize("where", ["keyword", "environment"])
def test_an_unknown_durability_is_refused_naming_the_allowed_values(tmp_path, monkeypatch, where):
    if where == "environment":
        monkeypatch.setenv("FEATURESTORE_DURABILITY", "always")
    with pytest.raises(ValidationException, match="Unknown durability 'always': choose one of process, fsync"):
        LocalBackend(tmp_path, durability="always" if where == "keyword" else None)


def test_updates_and_their_exact_texts_survive_reopening(tmp_path):
    clock = Clock(T0 + 10)
    v2 = replace(USERS, storage_type="InMemory", ttl=None)
    with LocalBackend(tmp_path, clock=clock) as store:
        store.create_feature_group(v2)
        store.put_record("users", {"user_id": "u1", "avg_order_value": "12.50", "event_time": str(T0)},
                         ttl=TtlDuration("Hours", 1))
        store.update_record("users", "u1", {"total_purchases": "7"})               # keeps event time and TTL
        store.update_record("users", "u1", {"age": 40, "event_time": T0 + 5})     # newer: TTL span kept
        assert store.wire_record("users", "u1").texts == [
            ("user_id", "u1"), ("age", "40"), ("total_purchases", "7"), ("avg_order_value", "12.50"),
            ("event_time", repr(T0 + 5))]
        before = store.get_record("users", "u1"), store.wire_record("users", "u1").expires_at
    with LocalBackend(tmp_path, clock=clock) as reopened:
        assert (reopened.get_record("users", "u1"), reopened.wire_record("users", "u1").expires_at) == before
        assert dict(reopened.wire_record("users", "u1").texts)["avg_order_value"] == "12.50"
    assert before == ({"user_id": "u1", "age": 40, "total_purchases": 7, "avg_order_value": 12.5,
                       "event_time": T0 + 5}, T0 + 5 + 3600)


@pytest.mark.parametrize("flushed", [True, False], ids=["from the write log", "from the journal"])
def test_exact_texts_survive_reopening(tmp_path, flushed):
    with LocalBackend(tmp_path) as store:
        store.create_feature_group(USERS)
        store.put_record("users", {"user_id": "u1", "avg_order_value": "12.50", "age": "+7", "event_time": "2000"})
        store.delete_record("users", "u2", 1.0)  # a write with no texts beside it
        if flushed:
            store.flush()
        else:  # as after a crash: the write is only in the journal
            store._journal.close()
            store._db.close()
            store._db = None
    with LocalBackend(tmp_path) as reopened:
        texts = dict(reopened.wire_record("users", "u1").texts)
        assert (texts["avg_order_value"], texts["age"], texts["event_time"]) == ("12.50", "+7", "2000")
        assert reopened.get_record("users", "u1")["avg_order_value"] == 12.5
