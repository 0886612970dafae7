"""The local backend's fast point-in-time join: DuckDB ASOF JOIN over de-duplicated rows.

Same rule as :func:`featurestore_demo.point_in_time.point_in_time_sql`, built from the same
pieces, but in DuckDB's dialect: instead of ranking every earlier row per label (cost grows
with labels x history), each group's history is first cut to one row per (record, event
time), the highest (api_invocation_time, write_time) as of ``as_of``; then one ASOF JOIN per
group picks, for each label, the row with the greatest event time at or before the label time.
DuckDB's ASOF is not deterministic when several rows share the matched time, which is why the
de-duplication comes first. Delete markers and rows older than the maximum age become NULL
after the pick, exactly as in the window-function SQL. Tests keep the two paths equal.
"""

from __future__ import annotations

from collections.abc import Callable

from featurestore_demo.point_in_time import (
    EVENT_COLUMN,
    KEY_COLUMN,
    ROW_COLUMN,
    TIME_COLUMN,
    PointInTimeRequest,
    feature_columns_sql,
    latest_per_event_sql,
)
from featurestore_demo.sql import quote_identifier
from local_backend.athena_sql import to_duckdb

__all__ = ["asof_join_sql"]


def asof_join_sql(
    request: PointInTimeRequest, labels_table: str, table_of: Callable[[str], str]
) -> str:
    """The join as one DuckDB SELECT returning ``__row`` and every output column, by ``__row``.

    Arguments as for :func:`~featurestore_demo.point_in_time.point_in_time_sql`; ``table_of``
    returns Athena table names, translated here with the rest of the Athena pieces.
    """
    ctes = [
        f"f{index} AS ({to_duckdb(latest_per_event_sql(group, request, table_of(group.spec.name)))})"
        for index, group in enumerate(request.groups)
    ]
    columns = [f"l.{ROW_COLUMN}", *feature_columns_sql(request, lambda index: f"f{index}")]
    joins = [
        f"ASOF LEFT JOIN f{index} ON l.{quote_identifier(group.key_column)} = f{index}.{KEY_COLUMN}"
        f" AND l.{TIME_COLUMN} >= f{index}.{EVENT_COLUMN}"
        for index, group in enumerate(request.groups)
    ]
    return (
        "WITH " + ",\n".join(ctes)
        + f"\nSELECT {', '.join(columns)}\nFROM {labels_table} l\n"
        + "\n".join(joins)
        + f"\nORDER BY l.{ROW_COLUMN}"
    )
