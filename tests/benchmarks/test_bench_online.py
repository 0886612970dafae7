"""Online-store latency: the kit's get_record and batch_get_record beside a bare dict and Feast.

Feast's online store (SQLite, the default of a local Feast repo) holds the same users as the
kit's store (1M user rows, 100k users, materialized), and its ``get_online_features`` is timed
in Feast's own process and virtualenv (feast_side.py); its answers are checked against the
kit's before its times are shown.
"""

from __future__ import annotations

import pandas as pd
import pytest

from local_backend import LocalBackend
from tests.benchmarks.answers import disagreements
from tests.benchmarks.data import products_frame, users_frame
from tests.benchmarks.feast_side import (
    feast_python,
    record_external_times,
    run_feast,
    write_feast_inputs,
)

IDS = [f"user_{i:07d}" for i in range(100)]
USER_FEATURES = ["age", "membership_tier", "total_purchases", "avg_order_value"]


def test_get_record_local(benchmark, users_store: LocalBackend) -> None:
    benchmark.group = "get_record, local"
    benchmark.extra_info["role"] = "kit"
    record = benchmark(users_store.get_record, "users", "user_0000042")
    assert record["user_id"] == "user_0000042"


def test_get_record_local_reopened(benchmark, reopened_users_store: LocalBackend) -> None:
    benchmark.group = "get_record, local, a reopened store"
    benchmark.extra_info["role"] = "kit"
    record = benchmark(reopened_users_store.get_record, "users", "user_0000042")
    assert record["user_id"] == "user_0000042"


def test_get_record_dict_reference(benchmark) -> None:
    benchmark.group = "get_record, local"
    benchmark.extra_info["role"] = "dict lookup"
    table = {user: {"user_id": user} for user in IDS}
    assert benchmark(table.get, "user_0000042") == {"user_id": "user_0000042"}


def test_batch_get_record_local(benchmark, users_store: LocalBackend) -> None:
    benchmark.group = "batch_get_record, 100 ids, local"
    benchmark.extra_info["role"] = "kit"
    found = benchmark(users_store.batch_get_record, "users", IDS)
    assert len(found) == 100


def test_batch_get_record_local_reopened(benchmark, reopened_users_store: LocalBackend) -> None:
    benchmark.group = "batch_get_record, 100 ids, local, a reopened store"
    benchmark.extra_info["role"] = "kit"
    found = benchmark(reopened_users_store.batch_get_record, "users", IDS)
    assert len(found) == 100


def test_batch_get_record_dict_reference(benchmark) -> None:
    benchmark.group = "batch_get_record, 100 ids, local"
    benchmark.extra_info["role"] = "100 dict lookups"
    table = {user: {"user_id": user} for user in IDS}
    found = benchmark(lambda: {user: table[user] for user in IDS if user in table})
    assert len(found) == 100


@pytest.fixture(scope="module")
def feast_online(tmp_path_factory: pytest.TempPathFactory, users_store: LocalBackend) -> dict:
    """Feast's online reads of the kit's users, timed in its process; checked against the kit."""
    feast_python()  # skips, saying how to install Feast, when it is not there
    folder = tmp_path_factory.mktemp("feast-online")
    write_feast_inputs(folder, users_frame(1_000_000), products_frame(100_000))  # the data of users_store
    result = run_feast("online", folder)
    answers = pd.read_parquet(folder / "online.parquet")
    kit = pd.DataFrame(users_store.batch_get_record("users", IDS).values())
    differing = disagreements(kit, answers, "user_id", USER_FEATURES)
    assert not differing, f"Feast's online store disagrees with the kit: rows differing per column {differing}"
    return result


def test_get_record_feast_reference(benchmark, feast_online: dict) -> None:
    benchmark.group = "get_record, local"
    benchmark.extra_info["role"] = f"Feast {feast_online['feast_version']} get_online_features (SQLite)"
    record_external_times(benchmark, feast_online["one"])
    benchmark.extra_info["materialized_100k_users_in"] = f"{feast_online['materialize_seconds']:.1f} s"


def test_batch_get_record_feast_reference(benchmark, feast_online: dict) -> None:
    benchmark.group = "batch_get_record, 100 ids, local"
    benchmark.extra_info["role"] = f"Feast {feast_online['feast_version']} get_online_features (SQLite)"
    record_external_times(benchmark, feast_online["batch"])
