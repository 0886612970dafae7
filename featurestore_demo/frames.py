"""Validation of DataFrames for ingest, column by column (vectorised where the dtype allows).

The rules are those of :mod:`featurestore_demo.rules.values`, applied to whole columns so that
ingesting a million rows does not pay a Python call per value.
"""

from __future__ import annotations

from typing import NamedTuple

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc
from pandas.api import types as ptypes

from featurestore_demo.errors import ValidationException
from featurestore_demo.rules.values import (
    INT64_MAX,
    INT64_MIN,
    ISO_EVENT_TIME_RE,
    MAX_RECORD_BYTES,
    MAX_RECORD_ID_BYTES,
    check_expires_at,
    event_time_seconds,
    is_missing,
    parse_collection,
    parse_value,
    record_size,
)
from featurestore_demo.schemas import FeatureDefinition, FeatureGroupSpec

__all__ = ["ValidatedFrame", "event_seconds", "validate_frame"]

_MICROS = 1_000_000


class ValidatedFrame(NamedTuple):
    """A frame that passed :func:`validate_frame`, and each row's event time."""

    frame: pd.DataFrame  # typed columns in definition order
    event_seconds: np.ndarray  # float64 epoch seconds, one per row


def validate_frame(spec: FeatureGroupSpec, frame: pd.DataFrame) -> ValidatedFrame:
    """``frame`` with typed columns in definition order, and its event times in epoch seconds;
    ValidationException if any value is bad.

    Integral columns come back as ``Int64``, Fractional as ``float64`` (NaN = absent) and String
    as ``object``; a collection feature's column (cells of lists, tuples or arrays) as ``object``
    holding a tuple of typed elements per row (None = absent). The record identifier and the
    event time must be present in every row.
    """
    if not isinstance(frame, pd.DataFrame):
        raise ValidationException(f"ingest takes a pandas DataFrame, not {type(frame).__name__}.")
    types = spec.types
    unknown = [str(column) for column in frame.columns if column not in types]
    if unknown:
        raise ValidationException(
            f"Unknown column(s) {', '.join(map(repr, unknown))} for feature group '{spec.name}'. "
            f"Defined features: {', '.join(spec.feature_names)}."
        )
    if frame.columns.duplicated().any():
        raise ValidationException("The DataFrame has duplicate column names.")
    typed = pd.DataFrame(
        {
            name: _collection_column(spec.collections[name], frame[name]) if name in spec.collections
            else _typed_column(name, types[name], frame[name])
            for name in spec.feature_names
            if name in frame.columns
        },
        index=pd.RangeIndex(len(frame)),
    )
    for required in (spec.record_identifier_name, spec.event_time_feature_name):
        if required not in typed.columns:
            raise ValidationException(
                f"The DataFrame has no '{required}' column, which every record of "
                f"'{spec.name}' must have."
            )
        missing = typed[required].isna()
        if missing.any():
            raise ValidationException(
                f"Row {int(np.argmax(missing.to_numpy()))} has no value for '{required}', "
                "which every record must have."
            )
    seconds = event_seconds(spec, typed[spec.event_time_feature_name])
    text_bytes = {name: _collection_bytes(typed[name]) if name in spec.collections else _utf8_bytes(typed[name])
                  for name in typed.columns if typed[name].dtype == object}
    id_bytes = text_bytes.get(spec.record_identifier_name)
    if id_bytes is not None and len(id_bytes) and id_bytes.max() > MAX_RECORD_ID_BYTES:  # an Integral id has at most 20
        raise ValidationException("A record identifier is longer than the 2 KB limit.")
    _check_record_sizes(typed, text_bytes, spec)
    return ValidatedFrame(typed, seconds)


NUMBER_TEXT_BYTES = 32
"""An upper bound on the text of an Integral (20 characters) or a Fractional (``repr``, 24)."""


def _check_record_sizes(typed: pd.DataFrame, text_bytes: dict[str, np.ndarray], spec: FeatureGroupSpec) -> None:
    """Each row within the 350 KB record limit, by :func:`record_size` itself. ``text_bytes``
    holds the UTF-8 size of each text of the String columns (of each collection's element texts,
    summed). Only rows whose cheap upper bound (those sizes, :data:`NUMBER_TEXT_BYTES` per
    number) exceeds the limit are measured exactly, and none when the largest value of every
    column together fits."""
    widths = {name: len(name.encode()) + text_bytes.get(name, NUMBER_TEXT_BYTES) for name in typed.columns}
    if typed.empty or sum(int(np.max(width)) for width in widths.values()) <= MAX_RECORD_BYTES:
        return
    bound = sum(width * typed[name].notna().to_numpy() for name, width in widths.items())
    for row in np.flatnonzero(bound > MAX_RECORD_BYTES):
        values = {str(name): value for name, value in typed.iloc[row].items() if not is_missing(value)}
        size = record_size(values, spec.collections)
        if size > MAX_RECORD_BYTES:
            raise ValidationException(
                f"Row {row} is {size} bytes (feature names and values in UTF-8); the record limit is "
                f"350 KB ({MAX_RECORD_BYTES} bytes)."
            )


def _utf8_bytes(column: pd.Series) -> np.ndarray:
    """The UTF-8 size of each text of a validated String column (0 where missing)."""
    text = pa.array(column.to_numpy(), type=pa.string(), from_pandas=True)
    return pc.binary_length(text).fill_null(0).to_numpy(zero_copy_only=False)


def _collection_column(feature: FeatureDefinition, column: pd.Series) -> pd.Series:
    """A collection feature's cells as tuples of typed elements (each checked by
    :func:`parse_collection`), None where the cell is missing."""
    values: list[tuple | None] = []
    for row, value in enumerate(column.tolist()):
        if value is None or value is pd.NA or (isinstance(value, float) and np.isnan(value)):
            values.append(None)
            continue
        try:
            values.append(parse_collection(feature, value)[0])
        except ValidationException as error:
            raise ValidationException(f"Row {row}: {error}") from None
    return pd.Series(values, dtype=object)


def _collection_bytes(column: pd.Series) -> np.ndarray:
    """The UTF-8 size of each collection of a validated collection column, its element texts
    summed (0 where missing)."""
    return np.array([0 if cell is None else sum(len(str(element).encode()) for element in cell)
                     for cell in column.tolist()], dtype="int64")


def _typed_column(name: str, feature_type: str, column: pd.Series) -> pd.Series:
    column = column.reset_index(drop=True)
    if feature_type == "Integral":
        return _integral_column(name, column)
    if feature_type == "Fractional":
        return _fractional_column(name, column)
    return _string_column(name, column)


def _integral_column(name: str, column: pd.Series) -> pd.Series:
    if ptypes.is_bool_dtype(column):
        raise ValidationException(f"Column '{name}' is boolean; Integral needs whole numbers.")
    if ptypes.is_integer_dtype(column):
        return column.astype("Int64")
    if ptypes.is_float_dtype(column):
        raise ValidationException(
            f"Column '{name}' is {column.dtype}, but '{name}' is Integral: AWS rejects values "
            "such as '1.0'. pandas makes integer columns float when values are missing; use "
            "DataFrame.convert_dtypes() or .astype('Int64')."
        )
    values = [None if is_missing(value) else parse_value("Integral", value, name) for value in column]
    if any(isinstance(value, int) and not INT64_MIN <= value <= INT64_MAX for value in values):
        raise ValidationException(f"Column '{name}' has a value outside the signed 64-bit range.")
    return pd.Series(values, dtype="Int64")


def _fractional_column(name: str, column: pd.Series) -> pd.Series:
    if ptypes.is_bool_dtype(column):
        raise ValidationException(f"Column '{name}' is boolean; Fractional needs numbers.")
    if ptypes.is_numeric_dtype(column):
        floats = column.astype("float64")
    else:
        floats = pd.Series(
            [np.nan if is_missing(value) else parse_value("Fractional", value, name) for value in column],
            dtype="float64",
        )
    if np.isinf(floats.to_numpy()).any():
        raise ValidationException(f"Column '{name}' has an infinite value; Fractional must be finite.")
    return floats


def _string_column(name: str, column: pd.Series) -> pd.Series:
    values = column.astype(object)
    if _text_or_missing(values) is None:
        present = values[~values.isna()]
        not_text = present[[not isinstance(value, str) for value in present]]
        if len(not_text):
            value = not_text.iloc[0]
            raise ValidationException(
                f"Column '{name}' is String but holds {type(value).__name__} value '{value}'; "
                "convert it with .astype(str)."
            )
        for value in present[~present.str.isascii()]:
            parse_value("String", value, name)  # refuses lone surrogates
    missing = values.isna()
    return values.where(~missing, None) if missing.any() else values


def _text_or_missing(values: pd.Series) -> pa.Array | None:
    """``values`` as an Arrow string array if each is text (valid UTF-8) or missing, else None
    (one vectorised pass; the caller then finds the culprit)."""
    try:
        text = pa.array(values.to_numpy(), from_pandas=True)
    except (pa.ArrowException, UnicodeEncodeError):
        return None
    return text if pa.types.is_string(text.type) or pa.types.is_null(text.type) else None


def event_seconds(spec: FeatureGroupSpec, column: pd.Series) -> np.ndarray:
    """Each event time of ``column`` (all present) in epoch seconds; ValidationException unless
    every one is well formed and in range and the latest one plus the group's TTL is
    representable (:func:`check_expires_at`)."""
    name = spec.event_time_feature_name
    if column.empty:
        return np.empty(0)
    if spec.types[name] == "String":
        seconds = _iso_seconds(name, column)
    else:
        seconds = column.to_numpy(dtype="float64")
        event_time_seconds("Fractional", seconds.min(), name)
        event_time_seconds("Fractional", seconds.max(), name)
    check_expires_at(float(seconds.max()), spec.ttl)
    return seconds


def _iso_seconds(name: str, column: pd.Series) -> np.ndarray:
    """Epoch seconds of ISO event-time text, each checked as :func:`event_time_seconds` does."""
    bad = ~column.astype(str).str.fullmatch(ISO_EVENT_TIME_RE.pattern)
    if bad.any():
        event_time_seconds("String", column[bad].iloc[0], name)
    try:
        stamps = pd.to_datetime(column, format="ISO8601", utc=True)
    except ValueError as exc:
        raise ValidationException(
            f"Column '{name}' has an event time that is not a calendar date: {exc}"
        ) from None
    return stamps.dt.tz_localize(None).astype("datetime64[us]").to_numpy().view("int64") / _MICROS
