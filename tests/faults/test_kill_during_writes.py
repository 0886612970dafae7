"""SIGKILL in the middle of puts and ingests loses no acknowledged write and tears no batch,
in the online store, in what Athena sees and in the offline store's Parquet files.

A child process (crash_writer.py) writes and reports each acknowledged write on stdout; it is
killed at random moments, the store is reopened here and checked against what was reported.
The same store goes through every kill, so recovery itself is also interrupted and resumed.
"""

from __future__ import annotations

import random
import signal
import subprocess
import sys
import time
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

import pyarrow.parquet as pq

from local_backend import LocalBackend
from tests.faults.crash_writer import BATCH_ROWS

WRITER = Path(__file__).with_name("crash_writer.py")
KILLS = 5
SEED = 20240601


@dataclass
class Acknowledged:
    """What the writers reported: the last acknowledged event time of each put id, the batches."""

    puts: dict[str, int] = field(default_factory=dict)
    put_counts: Counter = field(default_factory=Counter)
    batches: dict[str, int] = field(default_factory=dict)
    started: set[str] = field(default_factory=set)

    def read(self, lines: list[str]) -> None:
        for line in lines:
            kind, *rest = line.split()
            if kind == "put":
                self.puts[rest[0]] = max(self.puts.get(rest[0], 0), int(rest[1]))
                self.put_counts[rest[0]] += 1
            elif kind == "start":
                self.started.add(rest[0])
            elif kind == "batch":
                self.batches[rest[0]] = int(rest[1])


def run_and_kill(home: Path, run: int, delay: float) -> list[str]:
    """Start a writer, let it write for ``delay`` s, SIGKILL it; its complete stdout lines."""
    child = subprocess.Popen([sys.executable, str(WRITER), str(home), str(run)],
                             stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    try:
        assert child.stdout.readline() == b"ready\n", child.stderr.read().decode()
        time.sleep(delay)
    finally:
        child.send_signal(signal.SIGKILL)
        output, _ = child.communicate(timeout=30)
    assert child.returncode == -signal.SIGKILL
    return [line for line in output.decode().split("\n")[:-1] if line]  # a torn last line is dropped


def _per_put_and_batch(ids: list[str]) -> Counter:
    """Rows per put id, and per batch (``b<run>_<batch>`` for its rows)."""
    return Counter(user_id.split("-")[0] if user_id.startswith("b") else user_id for user_id in ids)


def offline_counts(store: LocalBackend) -> Counter:
    """What Athena sees, per put id and batch."""
    catalog = store.describe_feature_group("users")["OfflineStoreConfig"]["DataCatalogConfig"]
    ids = store.query(f'SELECT user_id FROM {catalog["Database"]}."{catalog["TableName"]}"')["user_id"]
    return _per_put_and_batch(ids.tolist())


def file_counts(store: LocalBackend) -> Counter:
    """What the offline store's Parquet files hold, per put id and batch."""
    paths = [store.s3_root / file.uri.removeprefix("s3://") for file in store.offline_files("users")]
    return _per_put_and_batch([user_id for path in paths for user_id in pq.read_table(path)["user_id"].to_pylist()])


def check_store(home: Path, seen: Acknowledged) -> None:
    """The store opens; every acknowledged write is there, online and offline; no batch is torn."""
    with LocalBackend(home) as store:
        counts = offline_counts(store)
        assert file_counts(store) == counts  # the files hold what Athena sees: nothing lost, nothing twice
        for user_id, tick in seen.puts.items():
            record = store.get_record("users", user_id)
            assert record is not None and record["event_time"] >= tick, (user_id, tick, record)
            if user_id.startswith("p"):  # written once: no loss, no replay twice
                assert counts[user_id] == 1, user_id
            else:  # hot ids: the one unacknowledged put may have landed too
                assert counts[user_id] >= seen.put_counts[user_id], user_id
        for batch, rows in seen.batches.items():
            assert counts[f"b{batch}"] == rows, batch
        for batch in seen.started - seen.batches.keys():  # interrupted: whole or absent
            assert counts[f"b{batch}"] in (0, BATCH_ROWS), (batch, counts[f"b{batch}"])
            sample = [f"b{batch}-{i}" for i in range(0, BATCH_ROWS, 211)]
            online = len(store.batch_get_record("users", sample))
            assert online == (len(sample) if counts[f"b{batch}"] else 0), batch


def test_sigkill_at_random_moments_loses_no_acknowledged_write(tmp_path):
    rng = random.Random(SEED)
    seen = Acknowledged()
    for run in range(1, KILLS + 1):
        seen.read(run_and_kill(tmp_path, run, rng.uniform(0.05, 0.3)))
        check_store(tmp_path, seen)
    assert seen.puts and seen.started  # the kills landed after real work
    assert seen.started - seen.batches.keys(), "no kill landed mid-ingest: the whole-or-absent check saw nothing"
