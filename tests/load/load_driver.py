"""A bounded load test of the emulator: concurrent boto3 clients doing mixed work, checked as it runs.

Each worker has its own boto3 clients (no retries, so nothing hides a failure) and its own
record ids, whose state it models exactly: a get or a batch get must return the last write
(read-your-writes; a misordered write would show), an Athena count of the worker's rows must
equal its acknowledged writes, and at the end every id's offline history must be the worker's
writes in the order they were acknowledged. Every HTTP response is counted; a 5xx is an error.
"""

from __future__ import annotations

import random
import threading
import time
from collections import defaultdict
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field, replace
from typing import Any

import numpy as np
from botocore.config import Config

from featurestore_demo.schemas import USERS
from featurestore_demo.wire_format import to_wire_record
from local_backend.emulator import Emulator
from scenarios.emulator_backend import fake_session

__all__ = ["LoadResult", "run_load"]

GROUP = replace(USERS, name="load-users")
OPERATIONS = ("put_record", "get_record", "batch_get_record", "delete_record", "athena_query")
WEIGHTS = (45, 25, 15, 10, 5)
NO_RETRIES = Config(retries={"mode": "standard", "total_max_attempts": 1}, max_pool_connections=4)


@dataclass
class LoadResult:
    """Latencies per operation (s), HTTP requests made, and every error met (empty: all good)."""

    seconds: float
    latencies: dict[str, list[float]] = field(default_factory=lambda: defaultdict(list))
    requests: int = 0
    errors: list[str] = field(default_factory=list)

    def summary(self) -> dict[str, Any]:
        """Counts and p50/p95/p99 latencies (ms) per operation, total requests and requests/s."""
        result: dict[str, Any] = {"requests": self.requests, "requests_per_s": round(self.requests / self.seconds)}
        for name, values in sorted(self.latencies.items()):
            p50, p95, p99 = (float(p) for p in np.percentile(values, [50, 95, 99]) * 1000)
            result[name] = {"count": len(values), "p50_ms": round(p50, 2), "p95_ms": round(p95, 2),
                            "p99_ms": round(p99, 2)}
        return result


class _Worker:
    """One client: its ids, its model of their state, and the log of its acknowledged writes."""

    def __init__(self, index: int, emulator: Emulator, table: str, result: LoadResult, lock: threading.Lock) -> None:
        self.ids, self.table = [f"w{index}-{i}" for i in range(20)], table
        session, url = fake_session(emulator), emulator.url
        self.prefix, self.rng, self.result, self.lock = f"w{index}-", random.Random(index), result, lock
        self.runtime = session.client("sagemaker-featurestore-runtime", endpoint_url=url, config=NO_RETRIES)
        self.athena = session.client("athena", endpoint_url=url, config=NO_RETRIES)
        for client in (self.runtime, self.athena):
            client.meta.events.register("after-call", self._count)
        self.model: dict[str, tuple[float, int] | None] = {}
        self.history: dict[str, list[tuple[float, bool]]] = defaultdict(list)
        self.tick, self.writes = 0, 0

    def _count(self, http_response: Any, model: Any, **_: Any) -> None:
        with self.lock:
            self.result.requests += 1
            if http_response.status_code >= 500:
                self.result.errors.append(f"{model.name}: HTTP {http_response.status_code}")

    def run(self, deadline: float) -> None:
        while time.monotonic() < deadline:
            operation = self.rng.choices(OPERATIONS, WEIGHTS)[0]
            started = time.perf_counter()
            try:
                getattr(self, operation)()
            except Exception as exc:  # recorded, not raised: the run reports every failure
                self._error(f"{operation}: {type(exc).__name__}: {exc}")
                continue
            with self.lock:
                self.result.latencies[operation].append(time.perf_counter() - started)

    def _error(self, text: str) -> None:
        with self.lock:
            self.result.errors.append(text)

    def _next_time(self) -> float:
        self.tick += 1
        return 1_700_000_000.0 + self.tick

    def put_record(self) -> None:
        record_id, event_time = self.rng.choice(self.ids), self._next_time()
        record = {"user_id": record_id, "total_purchases": self.tick, "event_time": event_time}
        self.runtime.put_record(FeatureGroupName=GROUP.name, Record=to_wire_record(record))
        self._written(record_id, (event_time, self.tick), deleted=False)

    def delete_record(self) -> None:
        record_id, event_time = self.rng.choice(self.ids), self._next_time()
        self.runtime.delete_record(FeatureGroupName=GROUP.name, RecordIdentifierValueAsString=record_id,
                                   EventTime=str(event_time))
        self._written(record_id, None, deleted=True, event_time=event_time)

    def _written(self, record_id: str, state: tuple[float, int] | None, *, deleted: bool,
                 event_time: float | None = None) -> None:
        self.model[record_id] = state
        self.history[record_id].append((event_time if deleted else state[0], deleted))
        self.writes += 1

    def get_record(self) -> None:
        record_id = self.rng.choice(self.ids)
        found = self.runtime.get_record(FeatureGroupName=GROUP.name, RecordIdentifierValueAsString=record_id)
        self._check(record_id, found.get("Record"))

    def batch_get_record(self) -> None:
        self._check_batch(self.rng.sample(self.ids, 10))

    def check_all(self) -> None:
        """Read back every id of this worker (not timed)."""
        for start in range(0, len(self.ids), 10):
            self._check_batch(self.ids[start:start + 10])

    def _check_batch(self, ids: list[str]) -> None:
        response = self.runtime.batch_get_record(
            Identifiers=[{"FeatureGroupName": GROUP.name, "RecordIdentifiersValueAsString": ids}])
        found = {item["RecordIdentifierValueAsString"]: item["Record"] for item in response["Records"]}
        if response["Errors"] or response["UnprocessedIdentifiers"]:
            self._error(f"batch_get_record: {response['Errors'] or response['UnprocessedIdentifiers']}")
        for record_id in ids:
            self._check(record_id, found.get(record_id))

    def _check(self, record_id: str, items: list[dict[str, str]] | None) -> None:
        expected = self.model.get(record_id)
        got = None if not items else _as_state(items)
        if got != expected:
            self._error(f"read of {record_id}: expected {expected}, got {got}")

    def athena_query(self) -> None:
        acknowledged = self.writes
        rows = athena_rows(self.athena, f"SELECT COUNT(*) FROM {self.table} WHERE user_id LIKE '{self.prefix}%'")
        if int(rows[0][0]) != acknowledged:
            self._error(f"athena count of {self.prefix}*: expected {acknowledged}, got {rows[0][0]}")


def _as_state(items: list[dict[str, str]]) -> tuple[float, int]:
    values = {item["FeatureName"]: item["ValueAsString"] for item in items}
    return float(values["event_time"]), int(values["total_purchases"])


def athena_rows(athena: Any, sql: str) -> list[list[str | None]]:
    """Run ``sql`` on the emulator's Athena; the data rows of every page (header dropped) as text."""
    query_id = athena.start_query_execution(
        QueryString=sql, ResultConfiguration={"OutputLocation": "s3://featurestore-demo-emulator/load/"}
    )["QueryExecutionId"]
    for _ in range(2_000):
        state = athena.get_query_execution(QueryExecutionId=query_id)["QueryExecution"]["Status"]
        if state["State"] in ("SUCCEEDED", "FAILED", "CANCELLED"):
            break
        time.sleep(0.005)
    if state["State"] != "SUCCEEDED":
        raise AssertionError(f"query {state['State']}: {state.get('StateChangeReason')}")
    pages = athena.get_paginator("get_query_results").paginate(QueryExecutionId=query_id)
    rows = [row for page in pages for row in page["ResultSet"]["Rows"]][1:]
    return [[datum.get("VarCharValue") for datum in row["Data"]] for row in rows]


def _create_group(emulator: Emulator) -> str:
    """Create the load group; its quoted Athena table once it is Created."""
    sm = fake_session(emulator).client("sagemaker", endpoint_url=emulator.url)
    sm.create_feature_group(**GROUP.to_create_request(
        role_arn=emulator.environment()["FEATURESTORE_ROLE_ARN"], s3_uri="s3://featurestore-demo-emulator/load"))
    for _ in range(1_000):
        described = sm.describe_feature_group(FeatureGroupName=GROUP.name)
        if described["FeatureGroupStatus"] == "Created":
            catalog = described["OfflineStoreConfig"]["DataCatalogConfig"]
            return f'"{catalog["Database"]}"."{catalog["TableName"]}"'
        time.sleep(0.01)
    raise AssertionError(f"{GROUP.name} never became Created")


def _check_history(workers: list[_Worker], athena: Any, table: str, result: LoadResult) -> None:
    """Every acknowledged write is offline, each id's rows in the order they were acknowledged."""
    rows = athena_rows(athena, f"SELECT user_id, event_time, is_deleted FROM {table} ORDER BY api_invocation_time")
    stored: dict[str, list[tuple[float, bool]]] = defaultdict(list)
    for user_id, event_time, deleted in rows:
        stored[user_id].append((float(event_time), deleted == "true"))
    expected = {key: value for worker in workers for key, value in worker.history.items()}
    if stored != expected:
        lost = sum(len(v) for v in expected.values()) - sum(len(v) for v in stored.values())
        result.errors.append(f"offline history differs from the acknowledged writes ({lost} rows missing)")


def run_load(emulator: Emulator, *, clients: int = 4, seconds: float = 3.0) -> LoadResult:
    """Run ``clients`` workers against ``emulator`` for ``seconds``; then check every write."""
    table = _create_group(emulator)
    result, lock = LoadResult(seconds), threading.Lock()
    workers = [_Worker(index, emulator, table, result, lock) for index in range(clients)]
    deadline = time.monotonic() + seconds
    with ThreadPoolExecutor(clients) as pool:
        list(pool.map(lambda worker: worker.run(deadline), workers))
    for worker in workers:
        worker.check_all()
    _check_history(workers, workers[0].athena, table, result)
    return result
