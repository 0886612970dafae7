"""The rows of a group's history table: its features, then the columns each write adds.

:data:`HISTORY_COLUMNS` declares those columns once: the offline store creates the table from
their SQL types, and :func:`history_frame` fills them, for the writes of the journal
(put_record, delete_record) and for a bulk ingest alike. Athena sees ``write_time``,
``api_invocation_time`` and ``is_deleted``; the ``__`` columns are the kit's own, to rebuild
the online store.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from operator import attrgetter
from typing import Any, NamedTuple

import numpy as np
import pandas as pd

from featurestore_demo.schemas import PANDAS_TYPES, FeatureGroupSpec
from local_backend.journal import Write

__all__ = [
    "ATHENA_COLUMNS", "HISTORY_COLUMNS", "HistoryColumn", "Writes",
    "consecutive_puts", "history_frame", "journal_history",
]


class Writes(NamedTuple):
    """A batch of accepted writes, field by field (as in :class:`Write`): a numpy array with one
    value per write, or one value shared by every write."""

    seq: np.ndarray  # int64
    op: np.ndarray | str  # "put", "SoftDelete" or "HardDelete"
    invoked_us: np.ndarray  # int64: api_invocation_time, epoch µs
    event_seconds: np.ndarray  # float64
    expires_at: np.ndarray  # float64, NaN without a TTL
    online: np.ndarray | bool
    offline: np.ndarray | bool


class HistoryColumn(NamedTuple):
    """A column of the history table after the features: its name, DuckDB type, and its values
    for a batch of writes."""

    name: str
    sql_type: str
    values: Callable[[Writes], Any]


def _write_time(writes: Writes) -> np.ndarray:
    """The local offline store is written at once: write_time is the receipt time, at the
    millisecond precision Athena shows."""
    return (writes.invoked_us // 1000 * 1000).astype("datetime64[us]")


def _api_invocation_time(writes: Writes) -> np.ndarray:
    """The receipt time in microseconds, so that writes stay strictly ordered."""
    return writes.invoked_us.astype("datetime64[us]")


def _is_deleted(writes: Writes) -> np.ndarray | bool:
    return writes.op != "put"


HISTORY_COLUMNS = (
    HistoryColumn("write_time", "TIMESTAMP", _write_time),
    HistoryColumn("api_invocation_time", "TIMESTAMP", _api_invocation_time),
    HistoryColumn("is_deleted", "BOOLEAN", _is_deleted),
    HistoryColumn("__seq", "BIGINT", attrgetter("seq")),
    HistoryColumn("__op", "VARCHAR", attrgetter("op")),
    HistoryColumn("__online", "BOOLEAN", attrgetter("online")),
    HistoryColumn("__offline", "BOOLEAN", attrgetter("offline")),
    HistoryColumn("__event_seconds", "DOUBLE", attrgetter("event_seconds")),
    HistoryColumn("__expires_at", "DOUBLE", attrgetter("expires_at")),
)
ATHENA_COLUMNS = tuple(column.name for column in HISTORY_COLUMNS if not column.name.startswith("__"))
"""The history columns Athena shows after the features (SAGEMAKER_SPEC §3.3)."""


def history_frame(features: pd.DataFrame, writes: Writes) -> pd.DataFrame:
    """The history rows of ``writes``: ``features`` (one row per write, left unchanged) followed
    by :data:`HISTORY_COLUMNS`."""
    return features.assign(**{column.name: column.values(writes) for column in HISTORY_COLUMNS})


def journal_history(spec: FeatureGroupSpec, entries: Sequence[Write]) -> pd.DataFrame:
    """The history rows of journal entries of ``spec``'s group, in their order."""
    columns = zip(*(entry.values for entry in entries))
    features = pd.DataFrame(
        {name: pd.Series(column, dtype=PANDAS_TYPES[spec.types[name]])
         for name, column in zip(spec.feature_names, columns)}
    )
    writes = Writes(
        seq=np.array([entry.seq for entry in entries], dtype="int64"),
        op=np.array([entry.op for entry in entries], dtype=object),
        invoked_us=np.array([entry.invoked_us for entry in entries], dtype="int64"),
        event_seconds=np.array([entry.event_seconds for entry in entries], dtype="float64"),
        expires_at=np.array([np.nan if entry.expires_at is None else entry.expires_at for entry in entries],
                            dtype="float64"),
        online=np.array([entry.online for entry in entries], dtype=bool),
        offline=np.array([entry.offline for entry in entries], dtype=bool),
    )
    return history_frame(features, writes)


def consecutive_puts(
    first_seq: int,
    first_invoked_us: int,
    event_seconds: np.ndarray,
    expires_at: np.ndarray,
    online: bool,
    offline: bool,
) -> Writes:
    """Puts numbered and received one after another from ``first_seq`` and ``first_invoked_us``
    (a bulk ingest), one per event time."""
    steps = np.arange(len(event_seconds), dtype="int64")
    return Writes(first_seq + steps, "put", first_invoked_us + steps, event_seconds, expires_at, online, offline)
