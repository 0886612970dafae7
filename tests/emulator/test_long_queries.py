"""A long Athena query never blocks writers, StopQueryExecution really stops it, and a time limit ends it.

The long query is a four-way cross join of 1,000 offline rows (10^12 combinations: it would
run for many minutes), so only an interrupt can end it within the tests' bounds.
"""

from __future__ import annotations

import threading
import time
from dataclasses import replace

import duckdb
import pandas as pd
import pytest

from emulator_helpers import record, unique_name
from featurestore_demo.errors import ValidationException
from featurestore_demo.query_handle import QueryHandle
from featurestore_demo.schemas import USERS
from local_backend import LocalBackend
from local_backend.running_query import interruptible

ROWS = 1_000
BOUND = 60.0  # seconds: generous, so a slow machine never fails a test; an unstopped query takes far longer
OUTPUT = "s3://featurestore-demo-emulator/athena"


def long_sql(table: str) -> str:
    return f"SELECT count(*) AS n FROM {table} a, {table} b, {table} c, {table} d"


def users_frame() -> pd.DataFrame:
    return pd.DataFrame({"user_id": [f"u{i}" for i in range(ROWS)], "total_purchases": range(ROWS),
                         "event_time": [float(i) for i in range(ROWS)]})


def test_a_running_query_blocks_no_writer_and_stops_on_request(tmp_path):
    with LocalBackend(tmp_path) as store:
        store.create_feature_group(USERS)
        store.ingest(USERS.name, users_frame())
        handle, failures = QueryHandle(), []
        query = threading.Thread(target=lambda: failures.append(_error(store, long_sql(store.offline_table("users")),
                                                                       handle)))
        query.start()
        time.sleep(0.3)  # let DuckDB start the join
        store.put_record(USERS.name, {"user_id": "new", "total_purchases": 1, "event_time": 5.0})
        assert query.is_alive(), "the put waited for the query"
        handle.stop()
        query.join(BOUND)
        assert not query.is_alive()
        assert "USER_CANCELLED" in failures[0]
        assert store.get_record(USERS.name, "new")["total_purchases"] == 1


def test_a_query_past_its_time_limit_fails_with_a_timeout(tmp_path):
    with LocalBackend(tmp_path, query_timeout=0.5) as store:
        store.create_feature_group(USERS)
        store.ingest(USERS.name, users_frame())
        with pytest.raises(ValidationException, match=r"Query timeout.*0\.5 s"):
            store.query(long_sql(store.offline_table("users")))
        assert int(store.query(f"SELECT count(*) FROM {store.offline_table('users')}").iloc[0, 0]) == ROWS


def test_a_stopped_handle_runs_nothing(tmp_path):
    with LocalBackend(tmp_path) as store:
        handle = QueryHandle()
        handle.stop()
        with pytest.raises(ValidationException, match="USER_CANCELLED"):
            store.query("SELECT 1", handle=handle)


@pytest.mark.parametrize("how", ["stop", "time limit"])
def test_an_interrupt_before_duckdb_begins_the_query_still_stops_it(how):
    """DuckDB forgets an interrupt that comes before it begins a query: a StopQueryExecution (or the
    time limit) landing between the handle's registration and DuckDB's start used to be lost, and
    the join ran on (it held an Athena worker, and the emulator's stop waited for it)."""
    connection = duckdb.connect()
    connection.execute(f"CREATE TABLE t AS SELECT range AS i FROM range({ROWS})")
    cursor, handle, outcome = connection.cursor(), QueryHandle(), []

    def run() -> None:
        try:
            with interruptible(cursor, handle, timeout=0.01 if how == "time limit" else 10.0):
                if how == "stop":
                    handle.stop()
                else:
                    time.sleep(0.1)  # the limit passes before DuckDB begins
                cursor.execute(long_sql("t")).fetchall()
            outcome.append("finished")
        except ValidationException as error:
            outcome.append(str(error))

    query = threading.Thread(target=run, daemon=True)
    query.start()
    query.join(5.0)
    try:
        assert not query.is_alive(), "the interrupt was lost: the query ran on"
        assert ("USER_CANCELLED" if how == "stop" else "Query timeout") in outcome[0]
    finally:
        while query.is_alive():  # stop a query that ran on, so that it does not outlive the test
            cursor.interrupt()
            query.join(0.1)
        connection.close()


def _error(store: LocalBackend, sql: str, handle: QueryHandle) -> str:
    try:
        store.query(sql, handle=handle)
    except ValidationException as error:
        return str(error)
    return "finished"


def test_stop_query_execution_frees_the_engine_and_writes_go_on(emulator, athena, runtime, sm):
    name = unique_name("long")
    backend = emulator.backend
    backend.create_feature_group(replace(USERS, name=name))
    backend.ingest(name, users_frame())
    table = sm.describe_feature_group(FeatureGroupName=name)["OfflineStoreConfig"]["DataCatalogConfig"]["TableName"]
    started = [_start(athena, long_sql(f'"{table}"')) for _ in range(2)]  # both Athena workers busy
    _wait_state(athena, started, "RUNNING")
    runtime.put_record(FeatureGroupName=name, Record=record(user_id="new", total_purchases=1, event_time=5.0))
    assert _states(athena, started) == ["RUNNING", "RUNNING"], "the put waited for a query"
    for query_id in started:
        athena.stop_query_execution(QueryExecutionId=query_id)
    assert _states(athena, started) == ["CANCELLED", "CANCELLED"]
    follow_up = _start(athena, f'SELECT count(*) AS n FROM "{table}"')
    _wait_state(athena, [follow_up], "SUCCEEDED")  # only possible once the stopped joins let go of the workers
    rows = athena.get_query_results(QueryExecutionId=follow_up)["ResultSet"]["Rows"]
    assert rows[1]["Data"][0]["VarCharValue"] == str(ROWS + 1)


def _start(athena, sql: str) -> str:
    return athena.start_query_execution(
        QueryString=sql, QueryExecutionContext={"Database": "sagemaker_featurestore"},
        ResultConfiguration={"OutputLocation": OUTPUT})["QueryExecutionId"]


def _states(athena, ids: list[str]) -> list[str]:
    return [athena.get_query_execution(QueryExecutionId=i)["QueryExecution"]["Status"]["State"] for i in ids]


def _wait_state(athena, ids: list[str], state: str) -> None:
    deadline = time.monotonic() + BOUND
    while _states(athena, ids) != [state] * len(ids):
        assert time.monotonic() < deadline, f"never {state}: {_states(athena, ids)}"
        time.sleep(0.05)
