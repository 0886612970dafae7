"""Write costs: put_record one at a time, and ingest of a DataFrame of 1M user rows (beside
DuckDB inserting the frame and pyarrow writing it as the offline store's hourly files: the two
engines alone, the floor under the kit's online-and-offline ingest)."""

from __future__ import annotations

import itertools
import json
import os
import time

import duckdb
import numpy as np
import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from featurestore_demo.schemas import USERS
from local_backend import LocalBackend
from tests.benchmarks.data import users_frame


@pytest.fixture(params=["process", "fsync"])
def empty_store(request, tmp_path) -> LocalBackend:
    backend = LocalBackend(tmp_path / "store", durability=request.param)
    backend.create_feature_group(USERS)
    yield backend
    backend.close()


def test_put_record_local(benchmark, empty_store: LocalBackend) -> None:
    """put_record at each durability: the default ("process") and "fsync" (each put fsynced)."""
    benchmark.group = "put_record, local" + ("" if empty_store.durability == "process" else ", durability=fsync")
    benchmark.extra_info["role"] = "kit"
    counter = itertools.count()

    def put() -> None:
        i = next(counter)
        empty_store.put_record(
            "users",
            {"user_id": f"u{i % 1000}", "age": 30, "membership_tier": "gold",
             "total_purchases": i, "avg_order_value": 12.5, "event_time": 1e9 + i},
        )

    benchmark(put)
    assert empty_store.get_record("users", "u0")["user_id"] == "u0"


@pytest.mark.parametrize("fsync", [False, True], ids=["process", "fsync"])
def test_put_record_journal_reference(benchmark, tmp_path, fsync: bool) -> None:
    benchmark.group = "put_record, local" + (", durability=fsync" if fsync else "")
    benchmark.extra_info["role"] = "bare JSON-line append" + (" + fsync" if fsync else "")
    fd = os.open(tmp_path / "bare.jsonl", os.O_WRONLY | os.O_CREAT | os.O_APPEND)
    line = json.dumps([1, "users", "put", ["u1", 30, "gold", 3, 12.5, 1e9]]).encode() + b"\n"
    benchmark(_append_fsynced if fsync else os.write, fd, line)
    os.close(fd)


def _append_fsynced(fd: int, line: bytes) -> None:
    os.write(fd, line)
    os.fsync(fd)


def test_ingest_1m_users(benchmark, tmp_path) -> None:
    benchmark.group = "ingest, 1M user rows, online and offline"
    frame = users_frame(1_000_000)
    homes = itertools.count()

    def setup():
        backend = LocalBackend(tmp_path / f"ingest-{next(homes)}")
        backend.create_feature_group(USERS)
        return (backend,), {}

    def ingest(backend: LocalBackend) -> None:
        backend.ingest("users", frame)
        backend.close()

    benchmark.pedantic(ingest, setup=setup, rounds=3)
    benchmark.extra_info.update(role="kit", records_per_s=f"{len(frame) / benchmark.stats.stats.median:,.0f}")


def test_ingest_duckdb_reference(benchmark, tmp_path) -> None:
    benchmark.group = "ingest, 1M user rows, online and offline"
    benchmark.extra_info["role"] = "DuckDB INSERT of the frame"
    frame = users_frame(1_000_000)
    homes = itertools.count()

    def setup():
        con = duckdb.connect(str(tmp_path / f"bare-{next(homes)}.duckdb"))
        con.execute("CREATE TABLE users (user_id VARCHAR, age BIGINT, membership_tier VARCHAR, "
                    "total_purchases BIGINT, avg_order_value DOUBLE, event_time DOUBLE)")
        return (con,), {}

    def insert(con) -> None:
        con.register("frame", frame)
        con.execute("INSERT INTO users SELECT * FROM frame")
        con.close()

    benchmark.pedantic(insert, setup=setup, rounds=3)


def test_ingest_parquet_files_reference(benchmark, tmp_path) -> None:
    """The floor of the offline store's files: the frame written by bare pyarrow as one Parquet
    file per event-time hour (what SageMaker's layout asks for), with no kit code at all."""
    benchmark.group = "ingest, 1M user rows, online and offline"
    frame = users_frame(1_000_000)
    hours = np.floor(frame["event_time"].to_numpy() / 3600).astype("int64")
    order = np.argsort(hours, kind="stable")
    rows, hours = pa.Table.from_pandas(frame, preserve_index=False).take(order), hours[order]
    starts = np.flatnonzero(np.r_[True, hours[1:] != hours[:-1]]).tolist()
    benchmark.extra_info["role"] = f"pyarrow: the frame as {len(starts):,} hourly Parquet files"
    homes = itertools.count()

    def write_files() -> None:
        home = tmp_path / f"files-{next(homes)}"
        for start, stop in itertools.pairwise([*starts, len(hours)]):
            folder = home / time.strftime("year=%Y/month=%m/day=%d/hour=%H", time.gmtime(int(hours[start]) * 3600))
            folder.mkdir(parents=True)
            pq.write_table(rows.slice(start, stop - start), folder / "part.parquet")

    benchmark.pedantic(write_files, rounds=3)
