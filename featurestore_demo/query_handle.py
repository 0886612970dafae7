"""A handle on one query: stop it from another thread, on any backend (Athena's StopQueryExecution).

A backend runs the query inside :meth:`QueryHandle.running`, saying how its engine stops it
(DuckDB's interrupt, Athena's StopQueryExecution); :meth:`QueryHandle.stop` does that from any
thread. A stopped query raises ValidationException (``USER_CANCELLED``) and never returns rows.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager

from featurestore_demo.errors import ValidationException

__all__ = ["QueryHandle", "cancelled"]


class QueryHandle:
    """Stops a query (:meth:`stop`) from any thread, before it starts or while it runs."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._stop_engine: Callable[[], None] | None = None
        self.stopped = False

    def stop(self) -> None:
        """Stop the query; one not yet started will not run. Idempotent."""
        with self._lock:
            self.stopped = True
            if self._stop_engine is not None:
                self._stop_engine()

    @contextmanager
    def running(self, stop_engine: Callable[[], None]) -> Iterator[None]:
        """Run the body as this handle's query, which ``stop_engine`` stops on its engine.

        A handle stopped already calls ``stop_engine`` at once and raises; one stopped while the
        body runs raises once it ends (:func:`cancelled`), so a stopped query serves no result.
        """
        with self._lock:
            if self.stopped:
                stop_engine()
                raise cancelled()
            self._stop_engine = stop_engine
        try:
            yield
        finally:
            with self._lock:
                self._stop_engine = None
        if self.stopped:
            raise cancelled()


def cancelled() -> ValidationException:
    """The error of a stopped query, on every backend."""
    return ValidationException("USER_CANCELLED: the query was stopped (QueryHandle.stop, StopQueryExecution).")
