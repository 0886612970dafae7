"""validate_frame: whole-column validation of a DataFrame before ingest."""

from __future__ import annotations

from dataclasses import replace

import numpy as np
import pandas as pd
import pytest

from featurestore_demo.errors import ValidationException
from featurestore_demo.frames import validate_frame
from featurestore_demo.rules.values import INT64_MAX, MAX_RECORD_BYTES
from featurestore_demo.schemas import USERS, FeatureDefinition, FeatureGroupSpec, TtlDuration

ISO = FeatureGroupSpec(
    "iso", "id", "ts", (FeatureDefinition("id", "Integral"), FeatureDefinition("ts", "String"))
)


def users(**columns) -> pd.DataFrame:
    base = {
        "user_id": ["u1", "u2"],
        "age": [30, 40],
        "membership_tier": ["gold", "silver"],
        "total_purchases": [1, 2],
        "avg_order_value": [1.5, 2.5],
        "event_time": [1.0, 2.0],
    }
    return pd.DataFrame({**base, **columns})


def test_columns_come_back_typed_in_definition_order():
    frame = users()[["event_time", "age", "user_id"]]  # a subset, in another order

    typed = validate_frame(USERS, frame).frame

    assert list(typed.columns) == ["user_id", "age", "event_time"]
    assert [str(dtype) for dtype in typed.dtypes] == ["object", "Int64", "float64"]


def test_the_index_is_reset():
    typed = validate_frame(USERS, users().set_axis([10, 20])).frame
    assert list(typed.index) == [0, 1]


def test_nullable_integers_and_missing_optional_values_pass():
    typed = validate_frame(USERS, users(age=pd.array([None, 3], dtype="Int64"), membership_tier=[None, "gold"])).frame
    assert typed["age"].isna().tolist() == [True, False]
    assert typed["membership_tier"].tolist() == [None, "gold"]


def test_integral_text_is_parsed():
    assert validate_frame(USERS, users(age=["30", "41"])).frame["age"].tolist() == [30, 41]


@pytest.mark.parametrize(
    ("columns", "fragment"),
    [
        ({"age": [30.0, 40.0]}, "Column 'age' is float64, but 'age' is Integral"),
        ({"age": ["30", "1.0"]}, "Invalid value '1.0' for feature 'age'"),
        ({"age": [True, False]}, "Column 'age' is boolean"),
        ({"age": [str(INT64_MAX + 1), "1"]}, "signed 64-bit"),
        ({"avg_order_value": [1.0, np.inf]}, "Column 'avg_order_value' has an infinite value"),
        ({"avg_order_value": ["1.0", "cheap"]}, "'cheap'"),
        ({"avg_order_value": [True, False]}, "Column 'avg_order_value' is boolean"),
        ({"membership_tier": ["gold", 3]}, "Column 'membership_tier' is String but holds int value '3'"),
        ({"colour": ["red", "blue"]}, "Unknown column(s) 'colour'"),
        ({"user_id": ["u1", None]}, "Row 1 has no value for 'user_id'"),
        ({"event_time": [1.0, np.nan]}, "Row 1 has no value for 'event_time'"),
    ],
    ids=["float Integral", "Integral 1.0 text", "bool Integral", "beyond int64", "infinite", "text Fractional",
         "bool Fractional", "number in String", "unknown column", "missing id", "missing event time"],
)
def test_bad_columns_are_refused_by_name(columns, fragment):
    with pytest.raises(ValidationException) as raised:
        validate_frame(USERS, users(**columns))
    assert fragment in str(raised.value)


@pytest.mark.parametrize("column", ["user_id", "event_time"])
def test_identifier_and_event_time_columns_are_required(column):
    with pytest.raises(ValidationException, match=f"no '{column}' column"):
        validate_frame(USERS, users().drop(columns=column))


def test_duplicate_columns_are_refused():
    frame = pd.concat([users(), users()[["age"]]], axis=1)
    with pytest.raises(ValidationException, match="duplicate column"):
        validate_frame(USERS, frame)


def test_only_dataframes_are_ingested():
    with pytest.raises(ValidationException, match="not list"):
        validate_frame(USERS, [{"user_id": "u1"}])


def test_the_event_times_come_back_in_epoch_seconds():
    assert validate_frame(USERS, users()).event_seconds.tolist() == [1.0, 2.0]
    iso = pd.DataFrame({"id": [1, 2], "ts": ["1970-01-01T00:00:01Z", "2024-01-31T12:00:00.250Z"]})
    assert validate_frame(ISO, iso).event_seconds.tolist() == [1.0, 1_706_702_400.25]


def test_iso_event_times_are_checked_row_by_row():
    good = pd.DataFrame({"id": [1, 2], "ts": ["2024-01-01T00:00:00Z", "2024-01-01T00:00:00.500Z"]})
    assert len(validate_frame(ISO, good).frame) == 2
    for bad in ("2024-01-01T00:00:00", "2024-02-30T00:00:00Z"):
        with pytest.raises(ValidationException, match="event time"):
            validate_frame(ISO, good.assign(ts=["2024-01-01T00:00:00Z", bad]))


def test_an_empty_frame_is_valid():
    empty = validate_frame(USERS, users().iloc[:0])
    assert empty.frame.empty and empty.event_seconds.size == 0


def test_a_long_record_identifier_is_refused():
    with pytest.raises(ValidationException, match="2 KB"):
        validate_frame(USERS, users(user_id=["u1", "é" * 1025]))
    assert len(validate_frame(USERS, users(user_id=["u1", "é" * 1024])).frame) == 2


def test_ingest_refuses_what_put_record_refuses_after_the_range_and_size_rules():
    base = {"user_id": ["u1"], "event_time": [1.0]}
    with pytest.raises(ValidationException, match=r"9999-12-31T23:59:59\.999Z"):
        validate_frame(USERS, pd.DataFrame({**base, "event_time": [1e300]}))
    with pytest.raises(ValidationException, match="ExpiresAt"):
        validate_frame(replace(USERS, ttl=TtlDuration("Seconds", 1)),
                       pd.DataFrame({**base, "event_time": [253_402_300_799.0]}))
    with pytest.raises(ValidationException, match="surrogate"):
        # object dtype: with pyarrow installed, pandas's own string dtype refuses the surrogate first
        validate_frame(USERS, pd.DataFrame({**base, "membership_tier": pd.Series(["\ud800"], dtype=object)}))
    fits = "x" * (MAX_RECORD_BYTES - 9 - 13 - 15)  # user_id u1, event_time 1.0, membership_tier
    validate_frame(USERS, pd.DataFrame({**base, "membership_tier": [fits]}))
    with pytest.raises(ValidationException, match=f"Row 0 is {MAX_RECORD_BYTES + 1} bytes"):
        validate_frame(USERS, pd.DataFrame({**base, "membership_tier": [fits + "x"]}))
