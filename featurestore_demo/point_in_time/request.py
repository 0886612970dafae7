"""The point-in-time request: which groups, features, keys and label times a join asks for.

Its times are epoch microseconds (int64), checked and converted once here; :mod:`.sql` writes
the join from it.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

import numpy as np
import pandas as pd
import pyarrow as pa
from pandas.api import types as ptypes

from featurestore_demo.arrow_texts import shared_texts
from featurestore_demo.errors import ValidationException
from featurestore_demo.schemas import PANDAS_TYPES, FeatureGroupSpec

__all__ = [
    "GroupJoin",
    "PointInTimeRequest",
    "build_request",
    "label_times_us",
    "ROW_COLUMN",
    "TIME_COLUMN",
    "KEY_COLUMN",
    "EVENT_COLUMN",
    "MICROS",
]

ROW_COLUMN = "__row"
TIME_COLUMN = "__label_us"
KEY_COLUMN = "__key"  # a history row's record identifier as text
EVENT_COLUMN = "__event_us"  # a history row's event time in epoch microseconds
MICROS = 1_000_000
MAX_EPOCH_SECONDS = 253_402_300_800  # 10000-01-01: larger numbers are not epoch seconds


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
    """A validated join: the labels, their times in epoch microseconds, and the groups.

    ``max_age_us`` is the maximum feature age (None: no limit); ``as_of_us`` keeps only
    history rows with ``write_time <= as_of_us`` (None: every row).
    """

    labels: pd.DataFrame
    label_us: np.ndarray
    groups: tuple[GroupJoin, ...]
    max_age_us: int | None = None
    as_of_us: int | None = None

    def labels_table(self) -> pd.DataFrame:
        """What the SQL joins against: row number, label time (µs) and one text key per group.

        A missing entity id becomes a NULL key, which matches no history row.
        """
        table: dict[str, np.ndarray | pd.Series] = {
            ROW_COLUMN: np.arange(len(self.labels), dtype="int64"), TIME_COLUMN: self.label_us
        }
        for group in self.groups:
            table[group.key_column] = _record_keys(group.spec, self.labels[group.entity_column])
        return pd.DataFrame(table)

    def attach(self, features: pa.Table) -> pd.DataFrame:
        """The labels (same index, same order) with the joined feature columns added.

        ``features`` holds ``__row`` and one column per output name, best in ``__row`` order
        (any other order costs a reordering); a label row it lacks gets missing features.
        """
        features = _in_label_order(features, len(self.labels))
        joined = self.labels.copy()
        for group in self.groups:
            for feature, name in zip(group.features, group.output_names):
                values = _as_pandas(features[name], group.spec.column_types[feature])
                joined[name] = pd.Series(values, index=joined.index, dtype=values.dtype, copy=False)
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
    """Validate a join's arguments; ValidationException names what is wrong and how to fix it."""
    if not isinstance(labels, pd.DataFrame):
        raise ValidationException(f"labels must be a pandas DataFrame, not {type(labels).__name__}.")
    if not specs:
        raise ValidationException("Name at least one feature group to join.")
    names = [spec.name for spec in specs]
    repeated = sorted({name for name in names if names.count(name) > 1})
    if repeated:
        raise ValidationException(f"Feature group(s) named more than once: {', '.join(repeated)}.")
    if labels.columns.duplicated().any():
        raise ValidationException("The labels have duplicate column names.")
    if label_time_column not in labels.columns:
        raise ValidationException(
            f"The labels have no time column '{label_time_column}' (columns: "
            f"{', '.join(map(str, labels.columns))}); pass label_time_column=..."
        )
    unknown = (set(entity_columns) | set(features)) - set(names)
    if unknown:
        raise ValidationException(f"Options name group(s) not in the join: {', '.join(sorted(unknown))}.")
    return PointInTimeRequest(
        labels=labels,
        label_us=label_times_us(labels[label_time_column], label_time_column),
        groups=_group_joins(labels, specs, entity_columns, features),
        max_age_us=_max_age_us(max_age),
        as_of_us=None if as_of is None else _instant_us(as_of, "as_of"),
    )


def _group_joins(
    labels: pd.DataFrame,
    specs: Sequence[FeatureGroupSpec],
    entity_columns: Mapping[str, str],
    features: Mapping[str, Sequence[str]],
) -> tuple[GroupJoin, ...]:
    chosen = [(spec, _entity_column(labels, spec, entity_columns), _chosen_features(spec, features))
              for spec in specs]
    label_columns = [str(column) for column in labels.columns]
    taken = label_columns + [name for _, _, names in chosen for name in names]
    groups = tuple(
        GroupJoin(spec, entity, names, tuple(f"{spec.name}.{n}" if taken.count(n) > 1 else n for n in names))
        for spec, entity, names in chosen
    )
    clashes = sorted(set(label_columns) & {name for group in groups for name in group.output_names})
    if clashes:
        raise ValidationException(
            f"The labels already have column(s) {', '.join(clashes)}, the name the join gives a "
            "feature that several sources share; rename those label columns."
        )
    return groups


def _entity_column(labels: pd.DataFrame, spec: FeatureGroupSpec, entity_columns: Mapping[str, str]) -> str:
    entity = entity_columns.get(spec.name, spec.record_identifier_name)
    if entity not in labels.columns:
        raise ValidationException(
            f"The labels have no column '{entity}' with the ids of '{spec.name}'; "
            f"pass entity_columns={{'{spec.name}': '<column>'}}."
        )
    return entity


def _chosen_features(spec: FeatureGroupSpec, features: Mapping[str, Sequence[str]]) -> tuple[str, ...]:
    names = features.get(spec.name)
    if names is None:
        return tuple(_default_features(spec))
    if isinstance(names, str) or not names:
        raise ValidationException(
            f"features['{spec.name}'] must be a non-empty list of feature names, not {names!r}."
        )
    unknown = [name for name in names if name not in spec.types]
    if unknown:
        raise ValidationException(
            f"Feature group '{spec.name}' has no feature(s) {', '.join(map(str, unknown))}; "
            f"its features are {', '.join(spec.feature_names)}."
        )
    if len(set(names)) != len(names):
        raise ValidationException(f"features['{spec.name}'] names a feature more than once.")
    return tuple(names)


def _default_features(spec: FeatureGroupSpec) -> list[str]:
    skip = {spec.record_identifier_name, spec.event_time_feature_name}
    return [name for name in spec.feature_names if name not in skip]


def _record_keys(spec: FeatureGroupSpec, column: pd.Series) -> pd.Series:
    """Label entity values as the text the offline store's identifiers cast to (missing if missing)."""
    missing = column.isna().to_numpy()
    if spec.types[spec.record_identifier_name] == "Fractional":
        keys = column.astype("float64").astype("str")
    elif spec.types[spec.record_identifier_name] == "Integral" and ptypes.is_float_dtype(column):
        keys = column.astype("Int64").astype("str")
    else:
        keys = column.astype("str")
    return keys.reset_index(drop=True).mask(missing)


def _in_label_order(features: pa.Table, count: int) -> pa.Table:
    """``features`` as one row per label, in label order (null features for a label it lacks)."""
    rows = features[ROW_COLUMN].to_numpy()
    if len(rows) == count and np.array_equal(rows, np.arange(count)):
        return features
    positions = np.full(count, -1, dtype="int64")
    positions[rows] = np.arange(len(rows))
    return features.take(pa.array(positions, mask=positions < 0))


def _as_pandas(column: pa.ChunkedArray, feature_type: str) -> Any:
    """A joined column as the kit returns ``feature_type`` (:data:`PANDAS_TYPES`): Int64 with
    <NA>, float64 with NaN, or Python strings with NaN for a missing value."""
    if PANDAS_TYPES[feature_type] == "Int64":
        numbers: pa.ChunkedArray = column.cast(pa.int64())
        values = numbers.fill_null(pa.scalar(0, pa.int64())).to_numpy()
        return pd.arrays.IntegerArray(values, numbers.is_null().to_numpy())
    if PANDAS_TYPES[feature_type] == "float64":
        return column.cast(pa.float64()).to_numpy()
    return shared_texts(column, missing=np.nan)


def _max_age_us(max_age: float | timedelta | None) -> int | None:
    if max_age is None:
        return None
    seconds = max_age.total_seconds() if isinstance(max_age, timedelta) else max_age
    if (
        isinstance(seconds, (bool, np.bool_))
        or not isinstance(seconds, (int, float, np.integer, np.floating))
        or not np.isfinite(seconds)
        or seconds < 0
    ):
        raise ValidationException(
            f"max_age must be a non-negative number of seconds or a timedelta, not {max_age!r}."
        )
    return round(float(seconds) * MICROS)


def label_times_us(column: pd.Series, name: str = "label time") -> np.ndarray:
    """Label times as UTC epoch microseconds (int64).

    Accepts epoch seconds (numbers), naive datetimes (taken as UTC), tz-aware datetimes (any
    zone) and ISO strings, also mixed in one object column; ValidationException names the
    first value that cannot be read.
    """
    missing = column.isna().to_numpy()
    if missing.any():
        raise ValidationException(f"Label time '{name}' is missing in row {int(np.argmax(missing))}.")
    if ptypes.is_bool_dtype(column):
        raise ValidationException(f"Label time '{name}' is boolean; use epoch seconds or datetimes.")
    if ptypes.is_numeric_dtype(column):
        return _seconds_us(column.to_numpy(dtype="float64"), name)
    if ptypes.is_datetime64_any_dtype(column):
        return _datetimes_us(column)
    return np.array([_instant_us(value, name) for value in column], dtype="int64")


def _seconds_us(seconds: np.ndarray, name: str) -> np.ndarray:
    bad = ~(np.abs(seconds) < MAX_EPOCH_SECONDS)  # also catches NaN and infinities
    if bad.any():
        raise ValidationException(
            f"Cannot read {name} value {seconds[bad][0]!r} as epoch seconds: it is not a time "
            "before the year 10000 (epoch milliseconds? divide by 1000)."
        )
    return np.round(seconds * MICROS).astype("int64")


def _datetimes_us(column: pd.Series) -> np.ndarray:
    if getattr(column.dt, "tz", None) is not None:
        column = column.dt.tz_convert("UTC").dt.tz_localize(None)
    return column.astype("datetime64[us]").to_numpy().view("int64")


def _instant_us(value: Any, name: str) -> int:
    """One instant (epoch seconds, datetime or ISO string) as UTC epoch microseconds."""
    if isinstance(value, (bool, np.bool_)):
        raise ValidationException(f"Cannot read {name} value {value!r} as a time.")
    if isinstance(value, (int, float, np.integer, np.floating)):
        return int(_seconds_us(np.array([float(value)]), name)[0])
    if isinstance(value, (str, datetime, np.datetime64)):
        try:
            stamp = pd.Timestamp(value)
        except (ValueError, OverflowError):
            raise ValidationException(
                f"Cannot read {name} value {value!r} as a time: use epoch seconds, a datetime "
                "or an ISO-8601 string."
            ) from None
        if stamp is pd.NaT:
            raise ValidationException(f"Cannot read {name} value {value!r} as a time.")
        if stamp.tzinfo is not None:
            stamp = stamp.tz_convert("UTC").tz_localize(None)
        return int(stamp.to_datetime64().astype("datetime64[us]").astype("int64"))
    raise ValidationException(
        f"Cannot read {name} value {value!r} ({type(value).__name__}) as a time."
    )
