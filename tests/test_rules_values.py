"""Value rules of SAGEMAKER_SPEC §2.4 and §2.5: typed values, int64 bounds, ISO event times."""

from __future__ import annotations

from datetime import datetime, timezone

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from featurestore_demo.errors import ValidationException
from featurestore_demo.rules.values import (
    INT64_MAX,
    INT64_MIN,
    ISO_EVENT_TIME_RE,
    MAX_EVENT_SECONDS,
    MAX_RECORD_BYTES,
    MIN_EVENT_SECONDS,
    check_expires_at,
    event_time_seconds,
    is_missing,
    normalize_record,
    parse_value,
    record_size,
)
from featurestore_demo.schemas import USERS, TtlDuration
from featurestore_demo.validation import record_key, record_keys

# ---------------------------------------------------------------- Integral


@pytest.mark.parametrize(
    ("value", "expected"),
    [(42, 42), ("42", 42), ("-7", -7), ("+5", 5), (" 8 ", 8), (np.int64(3), 3), (np.uint8(9), 9),
     (INT64_MAX, INT64_MAX), (INT64_MIN, INT64_MIN), (str(INT64_MAX), INT64_MAX), (str(INT64_MIN), INT64_MIN)],
)
def test_integral_accepts_whole_numbers(value, expected):
    parsed = parse_value("Integral", value, "n")
    assert parsed == expected and type(parsed) is int


@pytest.mark.parametrize(
    "value",
    ["1.0", 1.5, 1.0, "1e3", "", "abc", True, np.float64(2.0), INT64_MAX + 1, INT64_MIN - 1,
     str(INT64_MAX + 1), None],
)
def test_integral_refuses_anything_else_and_names_the_value(value):
    with pytest.raises(ValidationException, match=f"Invalid value '{value}' for feature 'n' of type Integral"):
        parse_value("Integral", value, "n")


@given(st.integers(min_value=INT64_MIN, max_value=INT64_MAX))
def test_every_int64_round_trips_through_its_text(number):
    assert parse_value("Integral", str(number)) == number


@given(st.one_of(st.integers(max_value=INT64_MIN - 1), st.integers(min_value=INT64_MAX + 1)))
def test_no_integer_beyond_int64_passes(number):
    with pytest.raises(ValidationException, match="signed 64-bit"):
        parse_value("Integral", number)


# ---------------------------------------------------------------- Fractional and String


@pytest.mark.parametrize(("value", "expected"), [(1, 1.0), ("9.99", 9.99), ("1e3", 1000.0), (np.float32(0.5), 0.5)])
def test_fractional_accepts_numbers(value, expected):
    parsed = parse_value("Fractional", value)
    assert parsed == expected and type(parsed) is float


@pytest.mark.parametrize("value", ["nan", "inf", float("-inf"), "abc", False, None])
def test_fractional_refuses_non_finite_and_non_numbers(value):
    with pytest.raises(ValidationException, match="type Fractional"):
        parse_value("Fractional", value, "x")


def test_string_keeps_text_as_it_is_and_refuses_other_types():
    assert parse_value("String", " 007 ") == " 007 "
    assert parse_value("String", "") == ""
    with pytest.raises(ValidationException, match="Invalid value '7' for feature 's' of type String"):
        parse_value("String", 7, "s")


def test_missing_means_none_or_nan():
    assert is_missing(None) and is_missing(float("nan")) and is_missing(np.nan)
    assert not is_missing(0) and not is_missing("") and not is_missing(0.0)


# ---------------------------------------------------------------- event times


@pytest.mark.parametrize(
    ("text", "expected"),
    [("2024-01-31T12:00:00Z", datetime(2024, 1, 31, 12, tzinfo=timezone.utc)),
     ("2024-01-31T12:00:00.250Z", datetime(2024, 1, 31, 12, 0, 0, 250_000, tzinfo=timezone.utc)),
     ("1970-01-01T00:00:00Z", datetime(1970, 1, 1, tzinfo=timezone.utc)),
     ("2024-02-29T23:59:59.999Z", datetime(2024, 2, 29, 23, 59, 59, 999_000, tzinfo=timezone.utc)),
     ("9999-12-31T23:59:59.999Z", datetime(9999, 12, 31, 23, 59, 59, 999_000, tzinfo=timezone.utc))],
)
def test_iso_event_times_are_utc_epoch_seconds(text, expected):
    assert event_time_seconds("String", text) == pytest.approx(expected.timestamp(), abs=1e-6)


@pytest.mark.parametrize(
    "text",
    ["2024-01-31T12:00:00", "2024-01-31T12:00:00z", "2024-01-31 12:00:00Z", "2024-01-31T12:00:00+00:00",
     "2024-01-31T12:00:00.1Z", "2024-01-31T12:00:00.12Z", "2024-01-31T12:00:00.1234Z", "2024-01-31T12:00Z",
     "2024-1-31T12:00:00Z", "24-01-31T12:00:00Z", "2024-01-31T12:00:00Z\n", " 2024-01-31T12:00:00Z",
     "2024-01-31", ""],
)
def test_only_the_two_documented_iso_formats_pass(text):
    assert ISO_EVENT_TIME_RE.fullmatch(text) is None
    with pytest.raises(ValidationException, match="yyyy-MM-dd'T'HH:mm:ssZ"):
        event_time_seconds("String", text, "event_time")


@pytest.mark.parametrize("text", ["2023-02-29T00:00:00Z", "2024-13-01T00:00:00Z", "2024-01-01T24:00:00Z",
                                  "2024-01-01T12:60:00Z"])
def test_well_formed_but_impossible_dates_are_refused(text):
    with pytest.raises(ValidationException, match=f"'{text}'.*not a calendar date"):
        event_time_seconds("String", text, "event_time")


def test_fractional_event_times_are_epoch_seconds():
    assert event_time_seconds("Fractional", "1700000000.5") == 1_700_000_000.5
    with pytest.raises(ValidationException, match="EventTime"):
        event_time_seconds("Fractional", "soon")


# ---------------------------------------------------------------- whole records


GOOD = {"user_id": "u1", "age": "31", "avg_order_value": 2, "event_time": "1700000000"}


def test_a_record_comes_back_typed_without_its_missing_values():
    record, seconds, exact = normalize_record(USERS, {**GOOD, "membership_tier": None,
                                                      "total_purchases": float("nan")})
    assert record == {"user_id": "u1", "age": 31, "avg_order_value": 2.0, "event_time": 1_700_000_000.0}
    assert seconds == 1_700_000_000.0
    assert exact == {"event_time": "1700000000"}  # the text put, which 1700000000.0 would not give back


@pytest.mark.parametrize(("feature", "text", "kept"), [
    ("avg_order_value", "12.50", True), ("avg_order_value", "2000", True), ("avg_order_value", "1e3", True),
    ("avg_order_value", "12.5", False), ("age", "+31", True), ("age", "31", False), ("user_id", "u 1", False),
])
def test_exact_texts_keeps_only_what_the_typed_value_would_not_give_back(feature, text, kept):
    normalized = normalize_record(USERS, {**GOOD, "event_time": "1700000000.0", feature: text})
    assert normalized.exact == ({feature: text} if kept else {})


@pytest.mark.parametrize(
    ("record", "fragment"),
    [({**GOOD, "colour": "red"}, "'colour'"), ({**GOOD, "user_id": None}, "'user_id'"),
     ({k: v for k, v in GOOD.items() if k != "event_time"}, "'event_time'"), ({}, "at least one"),
     ({**GOOD, "user_id": "u" * 2049}, "2 KB"), ({**GOOD, "membership_tier": "x" * 360_000}, "350 KB")],
    ids=["unknown", "no id", "no event time", "empty", "long id", "too big"],
)
def test_a_bad_record_is_refused_with_what_is_wrong(record, fragment):
    with pytest.raises(ValidationException, match=fragment):
        normalize_record(USERS, record)


def test_the_size_limits_are_inclusive():
    assert normalize_record(USERS, {**GOOD, "user_id": "u" * 2048}).record["user_id"] == "u" * 2048


# ---------------------------------------------------------------- what could not be represented later


def test_a_lone_surrogate_is_not_string_text():
    with pytest.raises(ValidationException, match="lone UTF-16 surrogate"):
        parse_value("String", "a\ud800", "tier")
    assert parse_value("String", "\U0001F600 é", "tier") == "\U0001F600 é"
    with pytest.raises(ValidationException, match="surrogate"):
        normalize_record(USERS, {**GOOD, "user_id": "\udfff"})


@pytest.mark.parametrize("seconds", [MIN_EVENT_SECONDS, 0.0, MAX_EVENT_SECONDS])
def test_fractional_event_times_span_the_documented_range(seconds):
    assert event_time_seconds("Fractional", seconds) == seconds


@pytest.mark.parametrize("seconds", [MIN_EVENT_SECONDS - 1, MAX_EVENT_SECONDS + 0.001, 1e300, -1e300])
def test_fractional_event_times_outside_the_range_are_refused(seconds):
    with pytest.raises(ValidationException, match=r"9999-12-31T23:59:59\.999Z"):
        event_time_seconds("Fractional", seconds)


def test_the_last_iso_event_time_is_the_end_of_the_range():
    assert event_time_seconds("String", "9999-12-31T23:59:59.999Z") == pytest.approx(MAX_EVENT_SECONDS)


@pytest.mark.parametrize("ttl", [TtlDuration("Seconds", 1), TtlDuration("Weeks", 2**62)])
def test_an_expiry_past_the_range_is_refused_without_overflow(ttl):
    with pytest.raises(ValidationException, match="ExpiresAt"):
        check_expires_at(253_402_300_799.0, ttl)
    with pytest.raises(ValidationException, match="ExpiresAt"):
        normalize_record(USERS, {**GOOD, "event_time": 253_402_300_799.0}, ttl)


def test_an_expiry_at_the_end_of_the_range_is_accepted():
    check_expires_at(MAX_EVENT_SECONDS - 1, TtlDuration("Seconds", 1))
    check_expires_at(MAX_EVENT_SECONDS, None)


def test_the_record_size_counts_names_and_values_in_utf8():
    assert record_size({"ab": "é", "n": 12}) == 2 + 2 + 1 + 2
    limit = {"user_id": "u", "event_time": "1", "membership_tier": "x" * (MAX_RECORD_BYTES - 8 - 13 - 15)}
    assert record_size(normalize_record(USERS, limit).record) == MAX_RECORD_BYTES  # "1" is read as 1.0
    with pytest.raises(ValidationException, match=f"{MAX_RECORD_BYTES + 1} bytes"):
        normalize_record(USERS, {**limit, "membership_tier": limit["membership_tier"] + "x"})


# ---------------------------------------------------------------- record identifiers


class _Text(str):
    """A str subclass: not a plain text, so record_keys checks it as record_key does."""


def _key_or_error(check, *arguments):
    try:
        return check(*arguments)
    except ValidationException as error:
        return f"ValidationException: {error}"


@given(st.one_of(st.text(), st.text().map(_Text), st.integers(), st.floats(), st.none(),
                 st.just(""), st.just("\ud800"), st.just("é")))
def test_a_batch_of_ids_gets_the_keys_and_errors_of_one_id_each(record_id):
    one = _key_or_error(record_key, USERS, record_id)
    batch = _key_or_error(record_keys, USERS, [record_id])
    assert batch == (one if one.startswith("ValidationException") else [one])
