"""Point-in-time correctness.

For each label row (entity id, label time T) the features of a group are those of the entity's
latest offline row with ``event_time <= T`` (inclusive), latest by (event_time,
api_invocation_time, write_time); NULL when that row is a delete marker, is older than the
maximum age, or does not exist. Every label row comes back once, in its original order.

:mod:`.request` checks and holds what a join asks for; :mod:`.sql` writes the rule as Athena SQL.
"""

from __future__ import annotations

from featurestore_demo.point_in_time.request import (
    EVENT_COLUMN,
    KEY_COLUMN,
    ROW_COLUMN,
    TIME_COLUMN,
    GroupJoin,
    PointInTimeRequest,
    build_request,
    label_times_us,
)
from featurestore_demo.point_in_time.sql import feature_columns_sql, latest_per_event_sql, point_in_time_sql

__all__ = [
    "GroupJoin",
    "PointInTimeRequest",
    "build_request",
    "label_times_us",
    "point_in_time_sql",
    "latest_per_event_sql",
    "feature_columns_sql",
    "ROW_COLUMN",
    "TIME_COLUMN",
    "KEY_COLUMN",
    "EVENT_COLUMN",
]
