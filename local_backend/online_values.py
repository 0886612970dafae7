"""The values the online store holds, and the records it gives back.

An entry's values are a tuple in definition order: typed Python values (None where absent), a
collection as a tuple of its elements, and each distinct text of a String feature one object (a
million records hold a million copies of "gold" otherwise). Where the text put differs from what
the typed value would give back (a Fractional's ``"12.50"``), the entry holds the text instead,
in a :class:`WithTexts` tuple, and reads parse it (:func:`as_record`).

Columns come from the write log (when a store opens) or from an ingest's frame, as Arrow.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

import numpy as np
import pandas as pd
import pyarrow as pa

from featurestore_demo.arrow_texts import shared_texts
from featurestore_demo.rules.collections import collection_from_json
from featurestore_demo.rules.online import OnlineEntry
from featurestore_demo.rules.values import ExactTexts, parse_value
from featurestore_demo.schemas import FeatureGroupSpec
from local_backend.online_store import SortedEntries

__all__ = ["WithTexts", "as_record", "frame_entries", "history_entries", "opened_entries", "with_texts"]


class WithTexts(tuple):
    """An online entry's values of which some are the exact texts put in place of typed values
    (a Fractional's ``"12.50"``), so that reads know, without looking, which entries to parse."""

    __slots__ = ()


def with_texts(spec: FeatureGroupSpec, values: tuple[Any, ...], exact: ExactTexts) -> tuple[Any, ...]:
    """``values`` (in definition order) with the texts of ``exact`` in place of their typed values."""
    if not exact:
        return values
    return WithTexts(exact.get(name, value) for name, value in zip(spec.feature_names, values))


def as_record(spec: FeatureGroupSpec, entry: OnlineEntry, feature_names: list[str] | None) -> dict[str, Any]:
    """A live entry as a typed record (the texts kept for exactness parsed back; a collection as a list)."""
    values = entry.values
    assert values is not None, "a live entry (OnlineStore.get), never a tombstone"
    record = dict(zip(spec.feature_names, values))
    if None in values:
        record = {name: value for name, value in record.items() if value is not None}
    if values.__class__ is WithTexts:
        for index, name, kind in spec.number_positions:
            if index >= len(values):  # features added after the record was put: it has no value for them
                break
            if values[index].__class__ is str:  # the exact text put ("12.50"), kept for the wire
                record[name] = parse_value(kind, values[index])
    if spec.collections:
        record.update((name, [parse_value(feature.type, element) if element.__class__ is str else element
                              for element in record[name]])
                      for name, feature in spec.collections.items() if name in record)
    if feature_names is None:
        return record
    return {name: record[name] for name in feature_names if name in record}


# ---------------------------------------------------------------- columns to entries


def opened_entries(spec: FeatureGroupSpec, winners: pa.Table) -> tuple[SortedEntries, list[tuple[str, OnlineEntry]]]:
    """The write log's winning puts (:meth:`~local_backend.write_log.WriteLog.online_winners`,
    ordered by record key) as the entries a store opens with, and apart, as (key, entry), those
    holding exact texts."""
    columns = _feature_columns(spec, winners)
    keys = _record_keys(spec, columns)
    event_times = _event_times(spec, columns, winners)
    if keys != sorted(keys):  # a number's text order is not its numeric order
        order = sorted(range(len(keys)), key=keys.__getitem__)
        keys, event_times = [keys[row] for row in order], [event_times[row] for row in order]
        columns = {name: [values[row] for row in order] for name, values in columns.items()}
        winners = winners.take(order)
    opened = SortedEntries(keys, list(columns.values()), event_times)
    texts = winners.column("__texts")
    if texts.null_count == len(texts):
        return opened, []
    rows = [(row, logged) for row, logged in enumerate(texts.to_pylist()) if logged is not None]
    return opened, [(keys[row], OnlineEntry(_with_logged_texts(spec, tuple(column[row] for column in columns.values()),
                                                               logged), event_times[row], None))
                    for row, logged in rows]


def history_entries(spec: FeatureGroupSpec, history: pa.Table) -> list[tuple[str, str, OnlineEntry, float]]:
    """The write log's rows to replay one after another (:meth:`~local_backend.write_log.WriteLog.
    online_history`), each as (operation, record key, entry, receipt time in epoch seconds)."""
    columns = _feature_columns(spec, history)
    rows = [row if logged is None else _with_logged_texts(spec, row, logged)
            for row, logged in zip(zip(*columns.values()), history.column("__texts").to_pylist())]
    entries = map(OnlineEntry._make, zip(rows, history.column("__event_seconds").to_pylist(),
                                         history.column("__expires_at").to_pylist()))
    operations: list[Any] = history.column("__op").to_pylist()
    receipts: list[float] = (history.column("__ait_us").to_numpy() / 1e6).tolist()
    return list(zip(operations, _record_keys(spec, columns), entries, receipts))


def frame_entries(
    spec: FeatureGroupSpec, frame: pd.DataFrame, event_seconds: np.ndarray, expires: np.ndarray
) -> tuple[list[str], list[OnlineEntry]]:
    """The record keys and online entries of an ingest's rows, in order (changes nothing)."""
    table = pa.table({name: _frame_column(frame, name) for name in spec.feature_names if name not in spec.collections})
    columns = _feature_columns(spec, table, collection=lambda name: _frame_objects(frame, name))
    event_times = (columns[spec.event_time_feature_name] if spec.types[spec.event_time_feature_name] == "Fractional"
                   else event_seconds.tolist())
    expiry = [None if np.isnan(value) else value for value in expires.tolist()]
    entries = list(map(OnlineEntry._make, zip(zip(*columns.values()), event_times, expiry)))
    return _record_keys(spec, columns), entries


def _frame_column(frame: pd.DataFrame, name: str) -> pa.Array:
    """A frame's column as Arrow (missing values null); all null when the frame leaves it out."""
    if name not in frame.columns:
        return pa.nulls(len(frame))
    return pa.array(frame[name], from_pandas=True)


def _frame_objects(frame: pd.DataFrame, name: str) -> list[Any]:
    """A frame's column of collections as they are, None where missing or left out."""
    if name not in frame.columns:
        return [None] * len(frame)
    values = frame[name].to_numpy(dtype=object)
    return [None if value is None or value is pd.NA or (isinstance(value, float) and np.isnan(value)) else value
            for value in values.tolist()]


def _feature_columns(
    spec: FeatureGroupSpec, table: pa.Table, collection: Callable[[str], list[Any]] | None = None
) -> dict[str, list[Any]]:
    """The feature columns of ``table`` as Python values, as entries hold them (see the module);
    a collection's from ``collection(name)`` if given, else from the table's JSON texts."""
    columns: dict[str, list[Any]] = {}
    for name in spec.feature_names:
        if name in spec.collections:
            columns[name] = collection(name) if collection else _collections_from_json(table.column(name))
        elif spec.types[name] == "String" and name != spec.record_identifier_name:
            columns[name] = shared_texts(table.column(name)).tolist()
        else:
            columns[name] = _python_values(table.column(name))
    return columns


def _collections_from_json(column: pa.ChunkedArray) -> list[tuple[Any, ...] | None]:
    return [None if text is None else collection_from_json(text) for text in column.to_pylist()]


def _python_values(column: pa.ChunkedArray | pa.Array) -> list[Any]:
    """A column's values as Python objects, None where null (numpy's conversion when there is none)."""
    if column.null_count or pa.types.is_null(column.type):
        return column.to_pylist()
    return column.to_numpy(zero_copy_only=False).tolist()


def _record_keys(spec: FeatureGroupSpec, columns: dict[str, list[Any]]) -> list[str]:
    """The record key of each row, as the online store keys it: the identifier's text."""
    identifiers = columns[spec.record_identifier_name]
    if spec.types[spec.record_identifier_name] == "String":
        return identifiers
    return [str(value) for value in identifiers]


def _event_times(spec: FeatureGroupSpec, columns: dict[str, list[Any]], table: pa.Table) -> list[float]:
    """Each row's event time in epoch seconds: a Fractional event time's own float objects."""
    if spec.types[spec.event_time_feature_name] == "Fractional":
        return columns[spec.event_time_feature_name]
    return table.column("__event_seconds").to_numpy().tolist()


def _with_logged_texts(spec: FeatureGroupSpec, row: tuple[Any, ...], logged: str) -> tuple[Any, ...]:
    """A write-log row with its exact texts (the log's JSON of them) in place of typed values."""
    return with_texts(spec, row, json.loads(logged))
