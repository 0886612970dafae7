"""The rows a batch of writes adds: to the write log (for the online store) and to the offline store.

Every accepted put and delete has features and a few columns more. Two tables take them,
each declared once here:

- the **write log** (:data:`LOG_COLUMNS`): the writes sent to the online store, with what
  replaying them needs (sequence number, operation, event time, expiry, receipt time);
- the **offline store** (:data:`OFFLINE_COLUMNS`): the writes sent to the offline store, with
  the columns Athena shows after the features: ``write_time``, ``api_invocation_time`` and
  ``is_deleted``, and nothing internal (SAGEMAKER_SPEC §3.3).

:func:`log_frame` and :func:`offline_frame` build them, for the writes of the journal
(put_record, delete_record) and for a bulk ingest alike.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Sequence
from operator import attrgetter
from typing import Any, NamedTuple

import numpy as np
import pandas as pd

from featurestore_demo.rules.collections import collection_json
from featurestore_demo.schemas import PANDAS_TYPES, FeatureGroupSpec
from local_backend.journal import Write

__all__ = [
    "ATHENA_COLUMNS", "LOG_COLUMNS", "OFFLINE_COLUMNS", "HistoryColumn", "Writes",
    "consecutive_puts", "journal_writes", "log_frame", "offline_frame", "stored_features",
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
    texts: np.ndarray | None = None
    """JSON of each write's exact texts (:attr:`Write.texts`), None where it has none."""


class HistoryColumn(NamedTuple):
    """A column after the features, in the write log or the offline store: its name, DuckDB
    type, and its values for a batch of writes."""

    name: str
    sql_type: str
    values: Callable[[Writes], Any]


def _write_time(writes: Writes) -> np.ndarray:
    """The receipt time, at the millisecond precision Athena shows: when the offline store is
    written at once (no ``offline_delay``); a delayed write gets the time it is written."""
    return (writes.invoked_us // 1000 * 1000).astype("datetime64[us]")


def _api_invocation_time(writes: Writes) -> np.ndarray:
    """The receipt time in microseconds, so that writes stay strictly ordered."""
    return writes.invoked_us.astype("datetime64[us]")


def _is_deleted(writes: Writes) -> np.ndarray | bool:
    return writes.op != "put"


LOG_COLUMNS = (
    HistoryColumn("__seq", "BIGINT", attrgetter("seq")),
    HistoryColumn("__op", "VARCHAR", attrgetter("op")),
    HistoryColumn("__event_seconds", "DOUBLE", attrgetter("event_seconds")),
    HistoryColumn("__expires_at", "DOUBLE", attrgetter("expires_at")),
    HistoryColumn("__ait_us", "BIGINT", attrgetter("invoked_us")),
    HistoryColumn("__texts", "VARCHAR", attrgetter("texts")),
)
"""The write log's columns after the features: what replaying a write online needs."""
OFFLINE_COLUMNS = (
    HistoryColumn("write_time", "TIMESTAMP", _write_time),
    HistoryColumn("api_invocation_time", "TIMESTAMP", _api_invocation_time),
    HistoryColumn("is_deleted", "BOOLEAN", _is_deleted),
)
"""The columns Athena shows after the features (SAGEMAKER_SPEC §3.3)."""
ATHENA_COLUMNS = tuple(column.name for column in OFFLINE_COLUMNS)


def _rows(features: pd.DataFrame, writes: Writes, columns: tuple[HistoryColumn, ...], keep: Any) -> pd.DataFrame:
    """``features`` followed by ``columns``, only for the writes ``keep`` selects (a bool or a mask)."""
    frame = features.assign(**{column.name: column.values(writes) for column in columns})
    if isinstance(keep, np.ndarray):
        return frame[keep].reset_index(drop=True)
    return frame if keep else frame.iloc[:0]


def log_frame(features: pd.DataFrame, writes: Writes) -> pd.DataFrame:
    """The write-log rows of ``writes`` (those sent to the online store): ``features`` (one row
    per write) followed by :data:`LOG_COLUMNS`."""
    return _rows(features, writes, LOG_COLUMNS, writes.online)


def offline_frame(features: pd.DataFrame, writes: Writes) -> pd.DataFrame:
    """The offline-store rows of ``writes`` (those sent to the offline store): ``features``
    followed by :data:`OFFLINE_COLUMNS`."""
    return _rows(features, writes, OFFLINE_COLUMNS, writes.offline)


def stored_features(spec: FeatureGroupSpec, features: pd.DataFrame) -> pd.DataFrame:
    """``features`` (typed, one row per write) as the write log and the offline store hold them:
    each collection (a tuple or list of typed elements) as its JSON text
    (:func:`~featurestore_demo.rules.collections.collection_json`); a group of scalars unchanged."""
    encoded = {name: [None if value is None else collection_json(value) for value in features[name].tolist()]
               for name in spec.collections if name in features.columns}
    if not encoded:
        return features
    return features.assign(**{name: pd.Series(texts, dtype=object, index=features.index)
                              for name, texts in encoded.items()})


def journal_writes(spec: FeatureGroupSpec, entries: Sequence[Write]) -> tuple[pd.DataFrame, Writes]:
    """The features (as :func:`stored_features` gives them) and the writes of journal entries of
    ``spec``'s group, in their order."""
    columns = zip(*(entry.values for entry in entries))
    features = stored_features(spec, pd.DataFrame(
        {name: pd.Series(column, dtype=PANDAS_TYPES[spec.column_types[name]])
         for name, column in zip(spec.feature_names, columns)}
    ))
    writes = Writes(
        seq=np.array([entry.seq for entry in entries], dtype="int64"),
        op=np.array([entry.op for entry in entries], dtype=object),
        invoked_us=np.array([entry.invoked_us for entry in entries], dtype="int64"),
        event_seconds=np.array([entry.event_seconds for entry in entries], dtype="float64"),
        expires_at=np.array([np.nan if entry.expires_at is None else entry.expires_at for entry in entries],
                            dtype="float64"),
        online=np.array([entry.online for entry in entries], dtype=bool),
        offline=np.array([entry.offline for entry in entries], dtype=bool),
        texts=np.array([json.dumps(entry.texts) if entry.texts else None for entry in entries], dtype=object),
    )
    return features, writes


def consecutive_puts(
    first_seq: int,
    first_invoked_us: int,
    event_seconds: np.ndarray,
    expires_at: np.ndarray,
    online: np.ndarray | bool,
    offline: bool,
) -> Writes:
    """Puts numbered and received one after another from ``first_seq`` and ``first_invoked_us``
    (a bulk ingest), one per event time; ``online`` says which go to the online store (all, none,
    or a mask)."""
    steps = np.arange(len(event_seconds), dtype="int64")
    return Writes(first_seq + steps, "put", first_invoked_us + steps, event_seconds, expires_at, online, offline)
