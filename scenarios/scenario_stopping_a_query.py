"""Stopping a query: a QueryHandle ends it from another thread, on every backend.

An Athena query can run for minutes; ``backend.query(sql, handle=handle)`` lets another thread
call ``handle.stop()`` (Athena's StopQueryExecution). The query then raises
ValidationException with ``USER_CANCELLED`` and returns no rows, whether it was stopped while
it ran or before it started.
"""

from __future__ import annotations

import threading
import time

import pandas as pd
import pytest

from featurestore_demo import QueryHandle
from featurestore_demo.errors import ValidationException
from featurestore_demo.schemas import USERS

ROWS = 100
BOUND = 60.0  # seconds: generous for a slow machine; the unstopped join below runs far longer


def test_a_handle_stopped_before_the_query_runs_nothing(backend):
    handle = QueryHandle()
    handle.stop()

    with pytest.raises(ValidationException, match="USER_CANCELLED") as raised:
        backend.query("SELECT 1 AS one", handle=handle)
    assert raised.value.code == "ValidationException"


def test_a_long_query_stops_when_asked(backend, feature_groups):
    users = feature_groups.create(USERS)
    backend.ingest(users.name, pd.DataFrame({"user_id": [f"u{i}" for i in range(ROWS)],
                                             "event_time": [float(i) for i in range(ROWS)]}))
    table = backend.offline_table(users.name)
    join = f"SELECT count(*) AS n FROM {', '.join(f'{table} t{i}' for i in range(6))}"  # 10^12 rows
    handle, outcome = QueryHandle(), []
    query = threading.Thread(target=lambda: outcome.append(_error_of(backend, join, handle)))
    query.start()

    time.sleep(0.3)  # let it start (if it has not, stop() still stops it)
    handle.stop()
    query.join(BOUND)

    assert not query.is_alive(), "the query ran on after stop()"
    assert "USER_CANCELLED" in outcome[0]


def _error_of(backend, sql: str, handle: QueryHandle) -> str:
    try:
        backend.query(sql, handle=handle)
    except ValidationException as error:
        return str(error)
    return "finished"
