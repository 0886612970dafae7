"""Opening a store of 1M records (rebuilding the online store), its memory, and `make demo`."""

from __future__ import annotations

import os
import subprocess
import sys
import time
import tracemalloc
from pathlib import Path

import duckdb
import pytest

from featurestore_demo.schemas import USERS
from local_backend import LocalBackend
from tests.benchmarks.data import id_column, users_frame

RECORDS = 1_000_000


@pytest.fixture(scope="module")
def million_record_home(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A closed store holding 1M distinct user records (one version each)."""
    home = tmp_path_factory.mktemp("million")
    with LocalBackend(home) as backend:
        backend.create_feature_group(USERS)
        frame = users_frame(RECORDS, versions=1)
        frame["user_id"] = id_column("user", RECORDS)  # every record its own id
        backend.ingest("users", frame)
    return home


def test_open_store_of_1m_records(benchmark, million_record_home: Path) -> None:
    benchmark.group = "open a store of 1M records"
    benchmark.extra_info["role"] = "kit"

    def open_and_close() -> int:
        with LocalBackend(million_record_home) as backend:
            return backend._online.count("users")

    count = benchmark.pedantic(open_and_close, rounds=3)
    assert count == RECORDS
    started = time.perf_counter()
    with LocalBackend(million_record_home) as backend:  # how long until reads find keys in a dict
        backend._online.wait_indexed()
        benchmark.extra_info["indexed_after"] = f"{time.perf_counter() - started:.2f} s"


def test_open_store_bare_reference(benchmark, million_record_home: Path) -> None:
    """The floor of opening: read the 1M logged records from the store's DuckDB file and build a
    dict of id -> tuple of values, with no rules, texts or recovery."""
    benchmark.group = "open a store of 1M records"
    benchmark.extra_info["role"] = "DuckDB read + dict of tuples"
    names = ", ".join(f'"{name}"' for name in USERS.feature_names)

    def read_and_build() -> int:
        with duckdb.connect(str(million_record_home / "offline.duckdb"), read_only=True) as con:
            columns = con.execute(f'SELECT {names}, __event_seconds FROM log."users"').fetchnumpy()
        lists = [column.tolist() for column in columns.values()]
        records = dict(zip(lists[0], zip(*lists)))
        return len(records)

    assert benchmark.pedantic(read_and_build, rounds=3) == RECORDS


def test_online_store_memory_per_record(benchmark, million_record_home: Path) -> None:
    """Memory the online store holds, measured as what dropping it releases (tracemalloc)."""
    benchmark.group = "online store memory per user record"
    tracemalloc.start()
    backend = LocalBackend(million_record_home)
    backend._online.wait_indexed()
    records = backend._online.count("users")
    before = tracemalloc.get_traced_memory()[0]
    benchmark.pedantic(backend._online.drop_group, args=("users",), rounds=1)
    released = before - tracemalloc.get_traced_memory()[0]
    tracemalloc.stop()
    backend.close()
    benchmark.extra_info.update(role="kit", bytes_per_record=round(released / records))
    assert released > 0


def test_make_demo_after_setup(benchmark, tmp_path: Path) -> None:
    benchmark.group = "make demo, after set-up"
    benchmark.extra_info["role"] = "kit"
    command = [sys.executable, "-m", "featurestore_demo.cli", "demo"]  # as `make demo` runs it
    env = {**os.environ, "FEATURESTORE_HOME": str(tmp_path / "demo")}
    result = benchmark.pedantic(subprocess.run, args=(command,),
                                kwargs={"env": env, "cwd": tmp_path, "stdout": subprocess.DEVNULL}, rounds=3)
    assert result.returncode == 0
