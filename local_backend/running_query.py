"""One DuckDB query under a :class:`~featurestore_demo.query_handle.QueryHandle` and a time limit.

Each query runs on a DuckDB cursor of its own, so interrupting it (Athena's
StopQueryExecution, or the time limit) stops that query alone; writers on other cursors go on.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator
from contextlib import contextmanager

import duckdb

from featurestore_demo.errors import ValidationException
from featurestore_demo.query_handle import QueryHandle, cancelled

__all__ = ["interruptible", "DEFAULT_QUERY_TIMEOUT"]

DEFAULT_QUERY_TIMEOUT = 30 * 60.0
"""Athena's default limit for a DML query: 30 minutes."""


@contextmanager
def interruptible(cursor: duckdb.DuckDBPyConnection, handle: QueryHandle, timeout: float) -> Iterator[None]:
    """Run the body as ``handle``'s query on ``cursor``, interrupted after ``timeout`` seconds.

    ValidationException when the query was stopped (USER_CANCELLED) or ran out of time.
    """
    expired = threading.Event()

    def expire() -> None:
        expired.set()
        cursor.interrupt()

    timer = threading.Timer(timeout, expire)
    timer.daemon = True
    with handle.running(cursor.interrupt):
        timer.start()
        try:
            yield
        except duckdb.InterruptException:
            raise (_timed_out(timeout) if expired.is_set() else cancelled()) from None
        finally:
            timer.cancel()
        if expired.is_set():  # expired in the instant before DuckDB began: the result is not served
            raise _timed_out(timeout)


def _timed_out(timeout: float) -> ValidationException:
    return ValidationException(
        f"Query timeout: the query ran longer than its limit of {timeout:g} s "
        "(LocalBackend(query_timeout=...), featurestore-demo emulator --query-timeout)."
    )
