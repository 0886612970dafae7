"""A short load test of the emulator (the long one is tests/benchmarks/test_bench_load.py)."""

from __future__ import annotations

from scenarios.emulator_backend import running_emulator
from tests.load.load_driver import OPERATIONS, run_load


def test_concurrent_boto3_clients_get_no_5xx_and_lose_or_reorder_no_write(tmp_path):
    with running_emulator(tmp_path) as emulator:
        result = run_load(emulator, clients=4, seconds=3.0)
    print(result.summary())
    assert result.errors == []
    assert set(result.latencies) == set(OPERATIONS) and result.requests > 100
