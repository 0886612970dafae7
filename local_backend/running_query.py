"""A handle on one running DuckDB query: stop it from another thread, or bound its time.

Each query runs on a DuckDB cursor of its own, so interrupting it (Athena's
StopQueryExecution, or the time limit) stops that query alone; writers on other cursors go on.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator
from contextlib import contextmanager

import duckdb

from featurestore_demo.errors import ValidationException

__all__ = ["QueryHandle", "DEFAULT_QUERY_TIMEOUT"]

DEFAULT_QUERY_TIMEOUT = 30 * 60.0
"""Athena's default limit for a DML query: 30 minutes."""


class QueryHandle:
    """Stop a query (:meth:`stop`) from any thread, before it starts or while it runs."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._cursor: duckdb.DuckDBPyConnection | None = None
        self.stopped = False
        self.timed_out = False

    def stop(self) -> None:
        """Interrupt the query; one not yet started will not run. Idempotent."""
        with self._lock:
            self.stopped = True
            if self._cursor is not None:
                self._cursor.interrupt()

    def _expire(self) -> None:
        self.timed_out = True
        self.stop()

    @contextmanager
    def running(self, cursor: duckdb.DuckDBPyConnection, timeout: float) -> Iterator[None]:
        """Run the body as this handle's query on ``cursor``, interrupted after ``timeout`` seconds.

        ValidationException when the query was stopped or ran out of time.
        """
        with self._lock:
            if self.stopped:
                raise _stopped(self.timed_out, timeout)
            self._cursor = cursor
        timer = threading.Timer(timeout, self._expire)
        timer.daemon = True
        timer.start()
        try:
            yield
        except duckdb.InterruptException:
            raise _stopped(self.timed_out, timeout) from None
        finally:
            timer.cancel()
            with self._lock:
                self._cursor = None
        if self.stopped:  # stopped in the instant before DuckDB began: the result is not served
            raise _stopped(self.timed_out, timeout)


def _stopped(timed_out: bool, timeout: float) -> ValidationException:
    if timed_out:
        return ValidationException(
            f"Query timeout: the query ran longer than its limit of {timeout:g} s "
            "(LocalBackend(query_timeout=...), featurestore-demo emulator --query-timeout)."
        )
    return ValidationException("USER_CANCELLED: the query was stopped (StopQueryExecution).")
