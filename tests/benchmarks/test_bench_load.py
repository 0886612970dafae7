"""The long load test of the emulator: concurrent boto3 clients doing mixed work for 30 s.

One round; the time is the run's (fixed) length, so the numbers that matter are in
``extra_info``: requests, requests per second and p50/p95/p99 latency per operation. The run
must end with no 5xx, no lost and no misordered write (tests/load/load_driver.py checks).
"""

from __future__ import annotations

import os

from scenarios.emulator_backend import running_emulator
from tests.load.load_driver import run_load

CLIENTS = 4
SECONDS = float(os.environ.get("FEATURESTORE_LOAD_SECONDS", "30"))


def test_load_of_the_emulator(benchmark, tmp_path) -> None:
    benchmark.group = f"emulator load, {CLIENTS} boto3 clients, mixed operations"
    benchmark.extra_info["role"] = "kit"
    with running_emulator(tmp_path) as emulator:
        result = benchmark.pedantic(run_load, args=(emulator,), kwargs={"clients": CLIENTS, "seconds": SECONDS},
                                    rounds=1, iterations=1)
    assert result.errors == []
    summary = result.summary()
    benchmark.extra_info["requests"] = summary.pop("requests")
    benchmark.extra_info["requests_per_s"] = summary.pop("requests_per_s")
    for operation, stats in summary.items():
        benchmark.extra_info[operation] = (f"n={stats['count']} p50 {stats['p50_ms']} ms, "
                                           f"p95 {stats['p95_ms']} ms, p99 {stats['p99_ms']} ms")
