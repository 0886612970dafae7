"""Point-in-time correctness: the request, and the rule written once as Athena SQL.

For each label row (entity id, label time T) the features of a group are those of the entity's
latest offline row with ``event_time <= T`` (inclusive), latest by (event_time,
api_invocation_time, write_time); NULL when that row is a delete marker, is older than the
maximum age, or does not exist. Every label row comes back once, in its original order.

The SQL uses window functions only (Athena has no ASOF JOIN), so the AWS backend runs it on
Athena and the local backend on DuckDB, through the same Athena-to-DuckDB translation.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

import numpy as np
import pandas as pd
from pandas.api import types as ptypes

from featurestore_demo.errors import ValidationException
from featurestore_demo.schemas import PANDAS_TYPES, FeatureGroupSpec
from featurestore_demo.sql import quote_identifier

__all__ = [
    "GroupJoin",
    "PointInTimeRequest",
    "build_request",
    "label_times_us",
    "point_in_time_sql",
    "ROW_COLUMN",
    "TIME_COLUMN",
]

ROW_COLUMN = "__row"
TIME_COLUMN = "__label_us"
MICROS = 1_000_000


@dataclass(frozen=True)
class GroupJoin:
    """One feature group in a join: where its ids are in the labels, what to take, as what."""

    spec: FeatureGroupSpec
    entity_column: str
    features: tuple[str, ...]
    output_names: tuple[str, ...]

    @property
    def key_column(self) -> str:
        """The labels-table column holding this group's record key (as text)."""
        return f"__key_{self.spec.name}"


@dataclass(frozen=True)
class PointInTimeRequest:
    """A validated join: the labels, their times in epoch microseconds, and the groups."""

    labels: pd.DataFrame
    label_us: np.ndarray
    groups: tuple[GroupJoin, ...]
    max_age_us: int | None = None
    as_of_seconds: float | None = None

    def labels_table(self) -> pd.DataFrame:
        """What the SQL joins against: row number, label time (µs) and one text key per group."""
        table = {ROW_COLUMN: np.arange(len(self.labels), dtype="int64"), TIME_COLUMN: self.label_us}
        for group in self.groups:
            table[group.key_column] = _record_keys(group.spec, self.labels[group.entity_column])
        return pd.DataFrame(table)

    def attach(self, features: pd.DataFrame) -> pd.DataFrame:
        """The labels with the joined feature columns (``features`` indexed by row number)."""
        joined = self.labels.reset_index(drop=True).copy()
        features = features.set_index(ROW_COLUMN).reindex(range(len(joined)))
        for group in self.groups:
            for feature, name in zip(group.features, group.output_names):
                dtype = PANDAS_TYPES[group.spec.types[feature]]
                joined[name] = pd.Series(features[name].to_numpy(), dtype=dtype)
        return joined


def build_request(
    labels: pd.DataFrame,
    specs: Sequence[FeatureGroupSpec],
    *,
    label_time_column: str,
    entity_columns: Mapping[str, str],
    features: Mapping[str, Sequence[str]],
    max_age: float | timedelta | None,
    as_of: Any,
) -> PointInTimeRequest:
    """Validate a join's arguments; ValidationException names what is wrong."""
    if not isinstance(labels, pd.DataFrame):
        raise ValidationException(f"labels must be a pandas DataFrame, not {type(labels).__name__}.")
    if not specs:
        raise ValidationException("Name at least one feature group to join.")
    if label_time_column not in labels.columns:
        raise ValidationException(
            f"The labels have no time column '{label_time_column}' (columns: "
            f"{', '.join(map(str, labels.columns))}); pass label_time_column=..."
        )
    unknown = set(entity_columns) | set(features)
    unknown -= {spec.name for spec in specs}
    if unknown:
        raise ValidationException(f"Options name group(s) not in the join: {', '.join(sorted(unknown))}.")
    groups = _group_joins(labels, specs, entity_columns, features)
    return PointInTimeRequest(
        labels=labels,
        label_us=label_times_us(labels[label_time_column], label_time_column),
        groups=groups,
        max_age_us=_max_age_us(max_age),
        as_of_seconds=None if as_of is None else _instant_us(as_of, "as_of") / MICROS,
    )


def _group_joins(
    labels: pd.DataFrame,
    specs: Sequence[FeatureGroupSpec],
    entity_columns: Mapping[str, str],
    features: Mapping[str, Sequence[str]],
) -> tuple[GroupJoin, ...]:
    chosen: list[tuple[FeatureGroupSpec, str, tuple[str, ...]]] = []
    for spec in specs:
        entity = entity_columns.get(spec.name, spec.record_identifier_name)
        if entity not in labels.columns:
            raise ValidationException(
                f"The labels have no column '{entity}' with the ids of '{spec.name}'; "
                f"pass entity_columns={{'{spec.name}': '<column>'}}."
            )
        names = tuple(features.get(spec.name) or _default_features(spec))
        unknown = [name for name in names if name not in spec.types]
        if unknown:
            raise ValidationException(
                f"Feature group '{spec.name}' has no feature(s) {', '.join(unknown)}."
            )
        chosen.append((spec, entity, names))
    taken = [str(column) for column in labels.columns] + [n for _, _, names in chosen for n in names]
    return tuple(
        GroupJoin(
            spec,
            entity,
            names,
            tuple(f"{spec.name}.{n}" if taken.count(n) > 1 else n for n in names),
        )
        for spec, entity, names in chosen
    )


def _default_features(spec: FeatureGroupSpec) -> list[str]:
    skip = {spec.record_identifier_name, spec.event_time_feature_name}
    return [name for name in spec.feature_names if name not in skip]


def _record_keys(spec: FeatureGroupSpec, column: pd.Series) -> pd.Series:
    """Label entity values as the text the offline store's identifiers cast to."""
    if spec.types[spec.record_identifier_name] == "Fractional":
        return column.astype("float64").astype(str)
    if spec.types[spec.record_identifier_name] == "Integral" and ptypes.is_float_dtype(column):
        return column.astype("Int64").astype(str)
    return column.astype(str)


def _max_age_us(max_age: float | timedelta | None) -> int | None:
    if max_age is None:
        return None
    seconds = max_age.total_seconds() if isinstance(max_age, timedelta) else max_age
    if not isinstance(seconds, (int, float)) or seconds < 0:
        raise ValidationException(f"max_age must be a non-negative number of seconds, not {max_age!r}.")
    return int(round(seconds * MICROS))


def label_times_us(column: pd.Series, name: str = "label time") -> np.ndarray:
    """Label times as UTC epoch microseconds (int64).

    Accepts epoch seconds (numbers), naive datetimes (taken as UTC), tz-aware datetimes and
    ISO strings; ValidationException names the first value that cannot be read.
    """
    if column.isna().any():
        raise ValidationException(f"Label time '{name}' is missing in row {int(np.argmax(column.isna()))}.")
    if ptypes.is_bool_dtype(column):
        raise ValidationException(f"Label time '{name}' is boolean; use epoch seconds or datetimes.")
    if ptypes.is_numeric_dtype(column):
        return np.round(column.to_numpy(dtype="float64") * MICROS).astype("int64")
    if ptypes.is_datetime64_any_dtype(column):
        return _datetimes_us(column)
    return np.array([_instant_us(value, name) for value in column], dtype="int64")


def _datetimes_us(column: pd.Series) -> np.ndarray:
    if getattr(column.dt, "tz", None) is not None:
        column = column.dt.tz_convert("UTC").dt.tz_localize(None)
    return column.astype("datetime64[us]").to_numpy().view("int64")


def _instant_us(value: Any, name: str) -> int:
    """One instant (epoch seconds, datetime or ISO string) as UTC epoch microseconds."""
    if isinstance(value, (bool, np.bool_)):
        raise ValidationException(f"Cannot read {name} value {value!r} as a time.")
    if isinstance(value, (int, float, np.integer, np.floating)):
        return int(round(float(value) * MICROS))
    if isinstance(value, (str, datetime, np.datetime64)):
        try:
            stamp = pd.Timestamp(value)
        except ValueError:
            raise ValidationException(
                f"Cannot read {name} value {value!r} as a time: use epoch seconds, a datetime "
                "or an ISO-8601 string."
            ) from None
        if stamp is pd.NaT:
            raise ValidationException(f"Cannot read {name} value {value!r} as a time.")
        if stamp.tzinfo is not None:
            stamp = stamp.tz_convert("UTC").tz_localize(None)
        return int(stamp.as_unit("us").value)
    raise ValidationException(
        f"Cannot read {name} value {value!r} ({type(value).__name__}) as a time."
    )


def event_time_us_sql(spec: FeatureGroupSpec, column: str) -> str:
    """Athena SQL for a group's event time as epoch microseconds (bigint)."""
    seconds = column
    if spec.types[spec.event_time_feature_name] == "String":
        seconds = f"to_unixtime(from_iso8601_timestamp({column}))"
    return f"CAST(round({seconds} * {MICROS}) AS bigint)"


def point_in_time_sql(
    request: PointInTimeRequest, labels_table: str, table_of: Callable[[FeatureGroupSpec], str]
) -> str:
    """The join as one Athena SELECT returning ``__row`` and every output column.

    ``labels_table`` names the table holding :meth:`PointInTimeRequest.labels_table`;
    ``table_of`` gives the (quoted) offline-store table of a group.
    """
    ctes = [_group_cte(index, group, request, labels_table, table_of(group.spec))
            for index, group in enumerate(request.groups)]
    columns = [f"l.{ROW_COLUMN}"]
    joins = []
    for index, group in enumerate(request.groups):
        alias = f"g{index}"
        for feature, output in zip(group.features, group.output_names):
            columns.append(
                f"CASE WHEN {alias}.is_deleted THEN NULL ELSE {alias}.{quote_identifier(feature)} END"
                f" AS {quote_identifier(output)}"
            )
        joins.append(
            f"LEFT JOIN {alias} ON {alias}.{ROW_COLUMN} = l.{ROW_COLUMN} AND {alias}.__rank = 1"
        )
    return (
        "WITH " + ",\n".join(ctes)
        + f"\nSELECT {', '.join(columns)}\nFROM {labels_table} l\n"
        + "\n".join(joins)
        + f"\nORDER BY l.{ROW_COLUMN}"
    )


def _group_cte(
    index: int, group: GroupJoin, request: PointInTimeRequest, labels_table: str, table: str
) -> str:
    spec = group.spec
    rid = quote_identifier(spec.record_identifier_name)
    event_us = event_time_us_sql(spec, quote_identifier(spec.event_time_feature_name))
    written = "" if request.as_of_seconds is None else (
        f" WHERE write_time <= from_unixtime({request.as_of_seconds!r})"
    )
    window = f" AND f.__event_us >= l.{TIME_COLUMN} - {request.max_age_us}" if request.max_age_us is not None else ""
    features = ", ".join(f"f.{quote_identifier(name)}" for name in group.features)
    return (
        f"g{index} AS (SELECT l.{ROW_COLUMN}, {features}, f.is_deleted, row_number() OVER ("
        f"PARTITION BY l.{ROW_COLUMN} ORDER BY f.__event_us DESC, f.api_invocation_time DESC, "
        f"f.write_time DESC) AS __rank\n"
        f"  FROM {labels_table} l JOIN (SELECT *, {event_us} AS __event_us FROM {table}{written}) f\n"
        f"  ON CAST(f.{rid} AS varchar) = l.{quote_identifier(group.key_column)}"
        f" AND f.__event_us <= l.{TIME_COLUMN}{window})"
    )
