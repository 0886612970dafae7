"""The point-in-time rule written once, as Athena SQL (window functions only: Athena has no ASOF JOIN).

The AWS backend runs it on Athena and the local backend on DuckDB, through the same
Athena-to-DuckDB translation; :func:`latest_per_event_sql` and :func:`feature_columns_sql` are the
pieces a faster engine-specific path reuses, so the rule stays in one place.
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np

from featurestore_demo.point_in_time.request import (
    EVENT_COLUMN,
    KEY_COLUMN,
    MICROS,
    ROW_COLUMN,
    TIME_COLUMN,
    GroupJoin,
    PointInTimeRequest,
)
from featurestore_demo.schemas import FeatureGroupSpec
from featurestore_demo.sql import quote_identifier, quote_literal

__all__ = ["event_time_us_sql", "latest_per_event_sql", "feature_columns_sql", "point_in_time_sql"]

def event_time_us_sql(spec: FeatureGroupSpec, column: str) -> str:
    """Athena SQL for a group's event time as epoch microseconds (bigint)."""
    seconds = column
    if spec.types[spec.event_time_feature_name] == "String":
        seconds = f"to_unixtime(from_iso8601_timestamp({column}))"
    return f"CAST(round({seconds} * {MICROS}) AS bigint)"


def _history_sql(group: GroupJoin, request: PointInTimeRequest, table: str) -> str:
    """Athena SELECT of the group's offline rows the join may use (``as_of`` applied).

    Adds ``__key`` (the record identifier as text) and ``__event_us`` to the stored columns.
    """
    spec = group.spec
    event_us = event_time_us_sql(spec, quote_identifier(spec.event_time_feature_name))
    written = ""
    if request.as_of_us is not None:
        stamp = str(np.datetime64(request.as_of_us, "us")).replace("T", " ")
        written = f" WHERE write_time <= TIMESTAMP {quote_literal(stamp)}"
    return (
        f"SELECT *, CAST({quote_identifier(spec.record_identifier_name)} AS varchar) AS {KEY_COLUMN}, "
        f"{event_us} AS {EVENT_COLUMN} FROM {table}{written}"
    )


def latest_per_event_sql(group: GroupJoin, request: PointInTimeRequest, table: str) -> str:
    """Athena SELECT: one row per (``__key``, ``__event_us``), the highest (api_invocation_time, write_time).

    Columns: ``__key``, ``__event_us``, the group's chosen features, ``is_deleted``. Over these
    rows "the latest row at or before T" is unique, so an as-of join is deterministic.
    """
    features = ", ".join(quote_identifier(name) for name in group.features)
    return (
        f"SELECT {KEY_COLUMN}, {EVENT_COLUMN}, {features}, is_deleted FROM (SELECT h.*, row_number() "
        f"OVER (PARTITION BY {KEY_COLUMN}, {EVENT_COLUMN} ORDER BY api_invocation_time DESC, "
        f"write_time DESC) AS __rank FROM ({_history_sql(group, request, table)}) h) WHERE __rank = 1"
    )


def feature_columns_sql(request: PointInTimeRequest, alias_of: Callable[[int], str], labels: str = "l") -> list[str]:
    """The output columns of the join, given ``alias_of(i)``: the picked row of group ``i``.

    A column is NULL when the picked row is a delete marker or older than the maximum age
    (or when nothing was picked: then every column of the alias is NULL already).
    """
    columns = []
    for index, group in enumerate(request.groups):
        alias = alias_of(index)
        hidden = f"{alias}.is_deleted"
        if request.max_age_us is not None:
            hidden += f" OR {alias}.{EVENT_COLUMN} < {labels}.{TIME_COLUMN} - {request.max_age_us}"
        for feature, output in zip(group.features, group.output_names):
            columns.append(
                f"CASE WHEN {hidden} THEN NULL ELSE {alias}.{quote_identifier(feature)} END"
                f" AS {quote_identifier(output)}"
            )
    return columns


def point_in_time_sql(
    request: PointInTimeRequest, labels_table: str, table_of: Callable[[str], str]
) -> str:
    """The join as one Athena SELECT returning ``__row`` and every output column.

    ``labels_table`` names the table holding :meth:`PointInTimeRequest.labels_table`;
    ``table_of`` gives the (quoted) offline-store table of a group by name
    (:meth:`~featurestore_demo.backend.FeatureStoreBackend.offline_table`).
    """
    ctes = [_ranked_cte(index, group, request, labels_table, table_of(group.spec.name))
            for index, group in enumerate(request.groups)]
    columns = [f"l.{ROW_COLUMN}", *feature_columns_sql(request, lambda index: f"g{index}")]
    joins = [f"LEFT JOIN g{index} ON g{index}.{ROW_COLUMN} = l.{ROW_COLUMN} AND g{index}.__rank = 1"
             for index in range(len(request.groups))]
    return (
        "WITH " + ",\n".join(ctes)
        + f"\nSELECT {', '.join(columns)}\nFROM {labels_table} l\n"
        + "\n".join(joins)
        + f"\nORDER BY l.{ROW_COLUMN}"
    )


def _ranked_cte(
    index: int, group: GroupJoin, request: PointInTimeRequest, labels_table: str, table: str
) -> str:
    """Per label row, the group's rows at or before the label time, ranked latest first."""
    features = ", ".join(f"f.{quote_identifier(name)}" for name in group.features)
    return (
        f"g{index} AS (SELECT l.{ROW_COLUMN}, {features}, f.is_deleted, f.{EVENT_COLUMN}, row_number() OVER ("
        f"PARTITION BY l.{ROW_COLUMN} ORDER BY f.{EVENT_COLUMN} DESC, f.api_invocation_time DESC, "
        f"f.write_time DESC) AS __rank\n"
        f"  FROM {labels_table} l JOIN ({_history_sql(group, request, table)}) f\n"
        f"  ON f.{KEY_COLUMN} = l.{quote_identifier(group.key_column)}"
        f" AND f.{EVENT_COLUMN} <= l.{TIME_COLUMN})"
    )
