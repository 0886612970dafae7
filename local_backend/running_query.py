"""One DuckDB query under a :class:`~featurestore_demo.query_handle.QueryHandle` and a time limit.

Each query runs on a DuckDB cursor of its own, so interrupting it (Athena's
StopQueryExecution, or the time limit) stops that query alone; writers on other cursors go on.

DuckDB forgets an interrupt that comes before it begins the query (it clears the flag as a
query starts), so a stop is repeated every :data:`INTERRUPT_EVERY` seconds until the query's
body has ended; one interrupt landing in that instant would otherwise be lost, and the query
would run on to its end, holding its worker.
"""

from __future__ import annotations

import contextlib
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager

import duckdb

from featurestore_demo.errors import ValidationException
from featurestore_demo.query_handle import QueryHandle, cancelled

__all__ = ["interruptible", "DEFAULT_QUERY_TIMEOUT", "INTERRUPT_EVERY"]

DEFAULT_QUERY_TIMEOUT = 30 * 60.0
"""Athena's default limit for a DML query: 30 minutes."""
INTERRUPT_EVERY = 0.005
"""Seconds between the interrupts of a stopped query that has not ended yet."""


@contextmanager
def interruptible(cursor: duckdb.DuckDBPyConnection, handle: QueryHandle, timeout: float) -> Iterator[None]:
    """Run the body as ``handle``'s query on ``cursor``, interrupted after ``timeout`` seconds.

    ValidationException when the query was stopped (USER_CANCELLED) or ran out of time.
    """
    interrupter = _Interrupter(cursor)
    timer = threading.Timer(timeout, interrupter.expire)
    timer.daemon = True
    try:
        with handle.running(interrupter.stop):
            timer.start()
            try:
                yield
            except duckdb.InterruptException:
                raise (_timed_out(timeout) if interrupter.expired else cancelled()) from None
            finally:
                timer.cancel()
                interrupter.end()
            if interrupter.expired:  # expired in the instant the query ended: the result is not served
                raise _timed_out(timeout)
    finally:
        interrupter.end()


class _Interrupter:
    """Interrupts ``cursor``'s query once stopped, again and again until :meth:`end` (never after)."""

    def __init__(self, cursor: duckdb.DuckDBPyConnection) -> None:
        self._cursor, self._lock = cursor, threading.Lock()
        self._stopped = self._ended = False
        self.expired = False

    def expire(self) -> None:
        self.expired = True
        self.stop()

    def stop(self) -> None:
        with self._lock:
            if self._ended or self._stopped:
                return
            self._stopped = True
            self._cursor.interrupt()
        threading.Thread(target=self._repeat, name="query-interrupt", daemon=True).start()

    def _repeat(self) -> None:
        while True:
            time.sleep(INTERRUPT_EVERY)
            with self._lock:
                if self._ended:
                    return
                with contextlib.suppress(duckdb.Error):
                    self._cursor.interrupt()

    def end(self) -> None:
        """The body has ended: no interrupt after this one returns (the cursor may be closed next)."""
        with self._lock:
            self._ended = True


def _timed_out(timeout: float) -> ValidationException:
    return ValidationException(
        f"Query timeout: the query ran longer than its limit of {timeout:g} s "
        "(LocalBackend(query_timeout=...), featurestore-demo emulator --query-timeout)."
    )
