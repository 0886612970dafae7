"""A full disk or a file-size limit: a write the journal cannot take whole raises and leaves
nothing behind; a write already journaled is never failed by the move into DuckDB or into the
offline store's Parquet files."""

from __future__ import annotations

import errno
import logging
import subprocess
import sys
from typing import Any

import duckdb
import pandas as pd
import pytest

import local_backend.backend as backend_module
from featurestore_demo.errors import ServiceUnavailable
from featurestore_demo.schemas import USERS
from local_backend import LocalBackend, parquet_layout

LIMITED_WRITER = """
import os, resource, sys
from featurestore_demo.errors import ServiceUnavailable
from featurestore_demo.schemas import USERS
from local_backend import LocalBackend

store = LocalBackend(sys.argv[1])
store.create_feature_group(USERS)
def put(i):
    store.put_record("users", {"user_id": f"u{i}", "total_purchases": i, "event_time": 1.0})
    print("acknowledged", i, flush=True)
for i in range(3):
    put(i)
journal = store.home / "journal.jsonl"
print("size", journal.stat().st_size, flush=True)
soft, hard = resource.getrlimit(resource.RLIMIT_FSIZE)
resource.setrlimit(resource.RLIMIT_FSIZE, (journal.stat().st_size + 40, hard))  # mid-line of the next put
try:
    put(3)
except ServiceUnavailable as error:
    print("refused", error, flush=True)
print("size", journal.stat().st_size, flush=True)
resource.setrlimit(resource.RLIMIT_FSIZE, (soft, hard))
put(4)
os._exit(0)  # killed before close(): the puts are only in the journal
"""


def table(store: LocalBackend) -> str:
    catalog = store.describe_feature_group("users")["OfflineStoreConfig"]["DataCatalogConfig"]
    return f'{catalog["Database"]}."{catalog["TableName"]}"'


def offline_ids(store: LocalBackend) -> list[str]:
    return store.query(f"SELECT user_id FROM {table(store)} ORDER BY user_id")["user_id"].tolist()


def test_a_put_past_the_file_size_limit_raises_and_the_store_stays_whole(tmp_path):
    result = subprocess.run([sys.executable, "-c", LIMITED_WRITER, str(tmp_path)],
                            capture_output=True, text=True, timeout=60)
    lines = result.stdout.splitlines()
    assert lines[:3] == ["acknowledged 0", "acknowledged 1", "acknowledged 2"], result.stderr
    size_before, refused, size_after = lines[3:6]
    assert refused.startswith("refused "), lines  # raised, not acknowledged
    assert "file-size limit" in refused and "Nothing of it was kept" in refused
    assert size_after == size_before  # cut back to the last whole entry
    assert lines[6:] == ["acknowledged 4"], result.stderr

    with LocalBackend(tmp_path) as store:  # opens with no damage to report (warnings are errors)
        found = store.batch_get_record("users", [f"u{i}" for i in range(5)])
        assert {key: record["total_purchases"] for key, record in found.items()} == {"u0": 0, "u1": 1, "u2": 2,
                                                                                      "u4": 4}
        assert offline_ids(store) == ["u0", "u1", "u2", "u4"]


class FullDisk:
    """A DuckDB connection whose INSERTs fail as on a full disk while ``full`` is set."""

    def __init__(self, con: duckdb.DuckDBPyConnection) -> None:
        self._con, self.full = con, True

    def execute(self, sql: str, *args: Any) -> duckdb.DuckDBPyConnection:
        if self.full and sql.startswith("INSERT"):
            raise duckdb.IOException('IO Error: Could not write file "offline.duckdb": No space left on device')
        return self._con.execute(sql, *args)

    def __getattr__(self, name: str) -> Any:
        return getattr(self._con, name)


def put(store: LocalBackend, i: int) -> None:
    store.put_record("users", {"user_id": f"u{i}", "total_purchases": i, "event_time": 1.0})


class FullDiskForFiles:
    """Parquet files that fail to be written as on a full disk while ``full`` is set."""

    def __init__(self, write_table: Any) -> None:
        self._write_table, self.full = write_table, True

    def __call__(self, *args: Any, **kwargs: Any) -> None:
        if self.full:
            raise OSError(errno.ENOSPC, "No space left on device")
        self._write_table(*args, **kwargs)


def test_a_full_disk_under_the_offline_store_fails_no_put_and_loses_nothing(tmp_path, monkeypatch, caplog):
    monkeypatch.setattr(backend_module, "FLUSH_ROWS", 3)
    store = LocalBackend(tmp_path)
    store.create_feature_group(USERS)
    disk = FullDisk(store._db._con)
    monkeypatch.setattr(store._db, "_con", disk)

    with caplog.at_level(logging.WARNING, logger="local_backend.backend"):
        for i in range(5):
            put(store, i)  # the flushes after the 3rd, 4th and 5th fail: no put does
    assert caplog.text.count("stay pending (nothing is lost)") == 3 and "No space left on device" in caplog.text
    assert [store.get_record("users", f"u{i}")["total_purchases"] for i in range(5)] == list(range(5))
    assert len((tmp_path / "journal.jsonl").read_bytes().splitlines()) == 5  # still journaled
    with pytest.raises(ServiceUnavailable, match=r"could not be written .*No space left on device.*nothing was"):
        store.query(f"SELECT * FROM {table(store)}")  # an explicit flush says so

    disk.full = False  # space freed: the next write's flush moves everything
    put(store, 5)
    assert offline_ids(store) == [f"u{i}" for i in range(6)]
    store.close()
    with LocalBackend(tmp_path) as reopened:
        assert offline_ids(reopened) == [f"u{i}" for i in range(6)]  # each once
        assert ids_in_files(reopened) == [f"u{i}" for i in range(6)]  # and once in the files


def ids_in_files(store: LocalBackend) -> list[str]:
    paths = [store.s3_root / file.uri.removeprefix("s3://") for file in store.offline_files("users")]
    return sorted(user_id for path in paths for user_id in pd.read_parquet(path)["user_id"])


def test_a_full_disk_under_the_parquet_files_fails_no_write_and_the_files_catch_up(tmp_path, monkeypatch, caplog):
    disk = FullDiskForFiles(parquet_layout.pq.write_table)
    monkeypatch.setattr(parquet_layout.pq, "write_table", disk)
    store = LocalBackend(tmp_path)
    store.create_feature_group(USERS)

    with caplog.at_level(logging.WARNING, logger="local_backend.offline_export"):
        for i in range(3):
            put(store, i)
            store.flush()  # each write committed: Athena sees it, its file fails
        assert offline_ids(store) == ["u0", "u1", "u2"]
        with pytest.raises(ServiceUnavailable, match=r"files could not be written .*No space left on device"):
            store.offline_files("users")
    assert "No space left on device" in caplog.text

    disk.full = False  # space freed: the files catch up, each row once
    assert ids_in_files(store) == ["u0", "u1", "u2"]
    put(store, 3)
    assert ids_in_files(store) == ["u0", "u1", "u2", "u3"]
    store.close()


def test_files_that_could_not_be_written_before_a_close_are_written_at_the_next_opening(tmp_path, monkeypatch):
    disk = FullDiskForFiles(parquet_layout.pq.write_table)
    monkeypatch.setattr(parquet_layout.pq, "write_table", disk)
    store = LocalBackend(tmp_path)
    store.create_feature_group(USERS)
    put(store, 0)
    store.close()  # warns; the row is stored

    disk.full = False
    with LocalBackend(tmp_path) as reopened:
        assert ids_in_files(reopened) == ["u0"]
