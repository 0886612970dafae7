"""Online-store latency: the kit's get_record and batch_get_record beside a bare dict."""

from __future__ import annotations

from local_backend import LocalBackend

IDS = [f"user_{i:07d}" for i in range(100)]


def test_get_record_local(benchmark, users_store: LocalBackend) -> None:
    benchmark.group = "get_record, local"
    benchmark.extra_info["role"] = "kit"
    record = benchmark(users_store.get_record, "users", "user_0000042")
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


def test_batch_get_record_dict_reference(benchmark) -> None:
    benchmark.group = "batch_get_record, 100 ids, local"
    benchmark.extra_info["role"] = "100 dict lookups"
    table = {user: {"user_id": user} for user in IDS}
    found = benchmark(lambda: {user: table[user] for user in IDS if user in table})
    assert len(found) == 100
