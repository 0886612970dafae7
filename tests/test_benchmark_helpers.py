"""The benchmarks' own parts, tested in `make test` (the benchmarks themselves run only in `make bench`).

The data generator (vectorised, yet the values of the plain version), the peak-memory meter, the
answers' comparison, the trivial keep-alive server, the targets of the table, and that
``pytest --benchmark`` collects the latency comparison while plain pytest collects no benchmark.
"""

from __future__ import annotations

import http.client
import os
import subprocess
import sys
import time
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from tests.benchmarks.answers import disagreements
from tests.benchmarks.conftest import PIT_TARGETS, TARGETS, Target
from tests.benchmarks.data import SIZES, Size, ids, labels_frame, products_frame, users_frame
from tests.benchmarks.memory import PeakMemory, format_bytes
from tests.benchmarks.trivial_server import FixedAnswerServer, TrivialServer, captured_response

ROOT = Path(__file__).resolve().parents[1]


@pytest.mark.parametrize("count", [1, 9, 10_000, 10_001, 123_457])
def test_ids_are_those_of_the_format_string(count: int) -> None:
    assert ids("user", count).to_pylist() == [f"user_{i:07d}" for i in range(count)]


def test_ids_widen_past_seven_digits() -> None:
    assert ids("t", 10_000_001)[-1].as_py() == "t_10000000"


def _plain_users(rows: int, versions: int = 10, seed: int = 1) -> pd.DataFrame:
    """The generator as it was written before it was vectorised (Python strings, object arrays)."""
    rng = np.random.default_rng(seed)
    users = np.array([f"user_{i:07d}" for i in range(max(rows // versions, 1))], dtype=object)
    entity = rng.integers(0, len(users), rows)
    return pd.DataFrame({
        "user_id": users[entity],
        "age": rng.integers(18, 80, rows),
        "membership_tier": np.array(["bronze", "silver", "gold", "platinum"], dtype=object)[rng.integers(0, 4, rows)],
        "total_purchases": rng.integers(0, 100, rows),
        "avg_order_value": np.round(rng.uniform(5, 200, rows), 2),
        "event_time": np.round(1_704_067_200.0 + rng.uniform(0, 90 * 86_400.0, rows), 3),
    })


def test_the_vectorised_generator_draws_the_same_values() -> None:
    pd.testing.assert_frame_equal(users_frame(5_000), _plain_users(5_000))


def test_one_label_in_a_hundred_sits_exactly_on_a_user_row() -> None:
    size = Size("tiny", labels=2_000, user_rows=1_000, product_rows=100)
    users = users_frame(size.user_rows)
    labels = labels_frame(size, users)
    tied = labels.merge(users, on=["user_id", "event_time"])
    assert len(tied) == 20
    assert labels["transaction_id"].is_unique
    assert set(labels["product_id"]) <= set(products_frame(size.product_rows)["product_id"])
    pd.testing.assert_frame_equal(labels, labels_frame(size, users))  # the same in every run
    assert labels_frame(size, users, tied=0).merge(users, on=["user_id", "event_time"]).empty


def test_xl_is_ten_times_l() -> None:
    large, xl = SIZES["L"], SIZES["XL"]
    assert (xl.labels, xl.user_rows, xl.product_rows) == (10 * large.labels, 10 * large.user_rows,
                                                          10 * large.product_rows)


def test_peak_memory_sees_a_native_allocation() -> None:
    with PeakMemory() as memory:
        block = np.ones(200 * 2**20 // 8)  # 200 MiB, touched
        del block
    if memory.increase is None:
        pytest.skip("no way to read this platform's resident memory (Linux /proc, or psutil)")
    assert 150 * 2**20 < memory.increase < 400 * 2**20
    assert memory.peak is not None and memory.peak >= memory.increase
    assert format_bytes(memory.increase).endswith("MiB")


def test_disagreements_ignore_dtypes_and_order_but_count_values() -> None:
    kit = pd.DataFrame({"k": ["a", "b", "c"], "x": pd.array([1, None, 3], dtype="Int64"), "t": ["u", None, "w"]})
    other = pd.DataFrame({"k": ["c", "b", "a"], "x": [3.0, np.nan, 1.0], "t": np.array(["w", None, "u"], dtype=object)})
    assert disagreements(kit, other, "k", ["x", "t"]) == {}
    other.loc[0, "x"], other.loc[1, "t"] = 4.0, "z"
    assert disagreements(kit, other, "k", ["x", "t"]) == {"x": 1, "t": 1}
    assert disagreements(kit, other.iloc[1:], "k", ["t"]) == {"rows missing on one side": 1, "t": 2}


def test_the_trivial_server_answers_its_bytes_on_one_kept_connection() -> None:
    body = b'{"Record": []}'
    response = b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: 14\r\n\r\n" + body
    with TrivialServer(response) as server:
        connection = http.client.HTTPConnection(server.host, server.port, timeout=5)
        connection.request("POST", "/x", body=b"some request body")
        assert connection.getresponse().read() == body
        socket_used = connection.sock
        connection.request("GET", "/y")
        assert connection.getresponse().read() == body
        assert connection.sock is socket_used  # kept alive
        connection.close()


def test_leaving_the_trivial_server_returns_at_once() -> None:
    """Its accepting thread is woken, not waited for (the join's 5 s bound was spent every time)."""
    with TrivialServer(b"HTTP/1.1 204 No Content\r\n\r\n"):
        started = time.monotonic()
    assert time.monotonic() - started < 2.0


def test_a_captured_response_is_reframed_for_keep_alive() -> None:
    closing = b"HTTP/1.1 404 Not Found\r\nConnection: close\r\nX-Amzn-RequestId: r1\r\nContent-Length: 2\r\n\r\n{}"
    with TrivialServer(closing) as server:
        captured = captured_response(server.host, server.port, "GET", "/", {})
    head, body = captured.split(b"\r\n\r\n")
    assert body == b"{}"
    assert head.splitlines()[0] == b"HTTP/1.1 404 Not Found"
    assert b"X-Amzn-RequestId: r1" in head and b"Content-Length: 2" in head
    assert b"Connection" not in head


def test_the_fixed_answer_server_answers_the_captured_status_headers_and_body() -> None:
    response = (b"HTTP/1.1 404 Not Found\r\nX-Amzn-RequestId: r1\r\nDate: yesterday\r\nContent-Length: 2\r\n"
                b"\r\n{}")
    with FixedAnswerServer(response) as server:
        connection = http.client.HTTPConnection(server.host, server.port, timeout=5)
        for _ in range(2):
            connection.request("GET", "/anything")
            answer = connection.getresponse()
            assert (answer.status, answer.getheader("X-Amzn-RequestId"), answer.read()) == (404, "r1", b"{}")
            assert answer.getheader("Date") != "yesterday"  # the server's own
        connection.close()


def _row(kit: float | None, ratios: dict | None = None, extra: dict | None = None) -> dict:
    return {"kit_median_s": kit, "ratios": ratios or {}, "extra": extra or {}}


def test_targets_read_the_median_a_ratio_or_an_extra() -> None:
    assert TARGETS["get_record, local"][0].met(_row(2e-6)) is True
    assert TARGETS["get_record, local"][0].met(_row(4e-6)) is False
    assert TARGETS["get_record, local"][0].met(_row(None)) is None
    duckdb_target, feast_target = PIT_TARGETS
    row = _row(1.0, {"DuckDB ASOF JOIN": 1.1, "Feast 0.67.0 get_historical_features": 0.5})
    assert duckdb_target.met(row) is True
    assert feast_target.met(row) is False  # only 2x faster than Feast
    assert feast_target.met(_row(1.0, {"DuckDB ASOF JOIN": 1.1})) is None  # Feast not installed
    assert Target("≥ 640 requests/s", "requests_per_s", 640, at_least=True).met(
        _row(30.0, extra={"requests_per_s": 700})) is True


def _pytest(*args: str) -> subprocess.CompletedProcess:
    env = {key: value for key, value in os.environ.items() if not key.startswith("PYTEST")}
    return subprocess.run([sys.executable, "-m", "pytest", "-p", "no:cacheprovider", "-q", *args],
                          cwd=ROOT, env=env, capture_output=True, text=True, timeout=300)


def _files(output: str) -> set[str]:
    return {line.split("::")[0] for line in output.splitlines() if "::" in line}


def test_pytest_benchmark_collects_the_latency_comparison_only() -> None:
    collected = _pytest("--benchmark", "--collect-only")
    assert collected.returncode == 0, collected.stdout + collected.stderr
    assert _files(collected.stdout) == {"tests/benchmarks/test_bench_online.py",
                                        "tests/benchmarks/test_bench_emulator.py"}


def test_plain_pytest_collects_no_benchmark() -> None:
    """Plain pytest ignores tests/benchmarks (``--benchmark`` lifts it; tested above)."""
    addopts = [line for line in (ROOT / "pyproject.toml").read_text().splitlines() if line.startswith("addopts")]
    assert len(addopts) == 1 and "--ignore=tests/benchmarks" in addopts[0].split('"')[1].split()


def test_a_benchmark_named_without_benchmark_is_skipped_saying_how_to_run_it() -> None:
    ran = _pytest("-rs", "tests/benchmarks/test_bench_online.py", "-k", "dict_reference")
    assert ran.returncode == 0, ran.stdout + ran.stderr
    assert "2 skipped" in ran.stdout and "run it with pytest --benchmark" in ran.stdout
