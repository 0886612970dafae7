"""SDK v2 ``FeatureStore.create_dataset``: every builder option gives what its SQL means on AWS.

One feature group with a history made for the options: duplicates of an (id, event time), rows
before and after delete markers, a marker at the same event time as a put, and two batches a
whole second apart for ``as_of``. Each case runs the SDK's DatasetBuilder unmodified
(``to_dataframe``: Athena through the emulator, the result CSV downloaded from its S3) and
compares the rows with :mod:`dataset_oracle`, which computes the meaning of that SQL from the
spec in pandas; a few cases also spell the expected rows out.
"""

from __future__ import annotations

import math
import time
from datetime import datetime, timezone
from typing import Any

import pandas as pd
import pytest

from compat_clients import require_sdk

require_sdk()

from sagemaker.feature_store.feature_store import FeatureStore  # noqa: E402

from dataset_oracle import Group, Options, dataset  # noqa: E402
from sdk_helpers import create_group, offline_rows, users_frame  # noqa: E402

FIRST = [("u1", 30, "bronze", 100.0), ("u1", 31, "silver", 200.0), ("u2", 40, "bronze", 100.0),
         ("u3", 50, "bronze", 100.0), ("u4", 60, "gold", 120.0), ("u5", 70, "bronze", 100.0)]
REWRITES = [("u1", 32, "silver", 200.0), ("u1", 33, "gold", 300.0)]
DELETES = [("u2", "250.0"), ("u3", "500.0"), ("u5", "100.0")]
AFTER_DELETES = [("u2", 42, "gold", 400.0), ("u2", 41, "silver", 150.0)]
LABELS = pd.DataFrame({"user_id": ["u1", "u1", "u2", "u2", "u4", "u6"],
                       "event_time": [250.0, 350.0, 180.0, 450.0, 100.0, 300.0],
                       "label": [1, 0, 1, 0, 1, 1]}).astype({"user_id": object})


def _next_second() -> pd.Timestamp:
    """Wait until the UTC clock passes a whole second; that second, naive (as_of drops µs)."""
    now = datetime.now(timezone.utc).replace(tzinfo=None)
    boundary = pd.Timestamp(now).ceil("s")
    time.sleep((boundary - pd.Timestamp(now)).total_seconds() + 0.01)
    return boundary


@pytest.fixture(scope="module")
def history(session, s3_uri, role_arn) -> dict[str, Any]:
    group = create_group(session, users_frame(FIRST), s3_uri=s3_uri, role_arn=role_arn)
    group.ingest(users_frame(FIRST), max_workers=2, wait=True)
    time.sleep(0.01)
    group.ingest(users_frame(REWRITES), max_workers=1, wait=True)
    as_of = _next_second()
    for user, event_time in DELETES:
        group.delete_record(user, event_time)
    group.ingest(users_frame(AFTER_DELETES), max_workers=2, wait=True)
    rows = offline_rows(group, f"{s3_uri}/compat-athena")
    assert len(rows) == len(FIRST) + len(REWRITES) + len(DELETES) + len(AFTER_DELETES)
    return {"group": group, "rows": rows, "as_of": as_of}


def _build(session, history, base, options: Options, s3_uri: str, joined: bool) -> pd.DataFrame:
    store = FeatureStore(sagemaker_session=session)
    if isinstance(base, pd.DataFrame):
        builder = store.create_dataset(base=base, output_path=f"{s3_uri}/compat-datasets",
                                       record_identifier_feature_name="user_id",
                                       event_time_identifier_feature_name="event_time")
    else:
        builder = store.create_dataset(base=base, output_path=f"{s3_uri}/compat-datasets")
    if joined:
        builder = builder.with_feature_group(history["group"])
    steps = [
        (options.point_in_time, builder.point_in_time_accurate_join),
        (options.include_deleted, builder.include_deleted_records),
        (options.include_duplicated, builder.include_duplicated_records),
    ]
    for wanted, step in steps:
        if wanted:
            step()
    if options.recent is not None:
        builder.with_number_of_recent_records_by_record_identifier(options.recent)
    if options.start is not None or options.end is not None:
        builder.with_event_time_range(*(None if t is None else datetime.fromtimestamp(t, timezone.utc)
                                        for t in (options.start, options.end)))
    if options.as_of is not None:
        builder.as_of(options.as_of.to_pydatetime())
    frame, _query = builder.to_dataframe()
    return frame


def _cell(value: Any) -> Any:
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return None
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        return round(float(value), 6)
    return str(value)


def _rows(frame: pd.DataFrame) -> list[tuple[Any, ...]]:
    return sorted((tuple(_cell(v) for v in row) for row in frame.astype(object).itertuples(index=False)),
                  key=repr)


def _users(history: dict[str, Any]) -> Group:
    return Group(history["rows"], "user_id", "event_time", ["user_id", "age", "tier", "event_time"])


GROUP_BASE_CASES = {
    "default": Options(),
    "include_deleted": Options(include_deleted=True),
    "include_duplicated": Options(include_duplicated=True),
    "include_both": Options(include_deleted=True, include_duplicated=True),
    "event_time_range": Options(start=100.0, end=300.0),  # u3's marker (500) is out of range
    "event_time_from": Options(start=150.0),
    "recent_1": Options(recent=1),
    "as_of": Options(),  # as_of filled in from the history
    "as_of_include_deleted": Options(include_deleted=True),
}


@pytest.mark.parametrize("case", GROUP_BASE_CASES)
def test_feature_group_base(session, history, s3_uri, case) -> None:
    options = GROUP_BASE_CASES[case]
    if case.startswith("as_of"):
        options = Options(include_deleted=options.include_deleted, as_of=history["as_of"])
    got = _build(session, history, history["group"], options, s3_uri, joined=False)
    expected = dataset(_users(history), [], options)
    assert not expected.empty
    assert list(got.columns) == list(expected.columns)
    assert _rows(got) == _rows(expected)


FRAME_BASE_CASES = {
    "plain_join": Options(),
    "point_in_time": Options(point_in_time=True),
    "point_in_time_recent_1": Options(point_in_time=True, recent=1),
    "point_in_time_include_deleted": Options(point_in_time=True, include_deleted=True),
    "point_in_time_event_time_range": Options(point_in_time=True, start=110.0, end=400.0),
    "point_in_time_as_of": Options(point_in_time=True),  # as_of filled in from the history
}


@pytest.mark.parametrize("case", FRAME_BASE_CASES)
def test_dataframe_base_joined_with_a_group(session, history, s3_uri, case) -> None:
    options = FRAME_BASE_CASES[case]
    if case.endswith("as_of"):
        options = Options(point_in_time=True, as_of=history["as_of"])
    got = _build(session, history, LABELS, options, s3_uri, joined=True)
    expected = dataset(Group(LABELS, "user_id", "event_time", is_frame=True), [_users(history)], options)
    assert not expected.empty
    assert list(got.columns) == list(expected.columns)
    assert _rows(got) == _rows(expected)


def test_group_base_meaning_spelled_out(session, history, s3_uri) -> None:
    """Rows before an id's latest delete vanish, markers too; duplicates keep the newest write."""
    got = _build(session, history, history["group"], Options(), s3_uri, joined=False)
    assert _rows(got[["user_id", "age", "event_time"]]) == _rows(pd.DataFrame(
        [("u1", 30, 100.0), ("u1", 32, 200.0), ("u1", 33, 300.0), ("u2", 42, 400.0), ("u4", 60, 120.0)],
        columns=["user_id", "age", "event_time"]))


def test_point_in_time_without_n_keeps_every_earlier_row_and_n1_one_per_id(session, history, s3_uri) -> None:
    every = _build(session, history, LABELS, Options(point_in_time=True), s3_uri, joined=True)
    u1_at_250 = every[(every["user_id"] == "u1") & (every["event_time"] == 250.0)]
    assert sorted(u1_at_250["event_time.1"]) == [100.0, 200.0]  # both earlier rows, not the latest only
    assert "u4" not in set(every["user_id"])  # its only row (120) is after the label (100)
    newest = _build(session, history, LABELS, Options(point_in_time=True, recent=1), s3_uri, joined=True)
    assert sorted(newest["user_id"]) == ["u1", "u2"]  # one row per base record id, not per label
    assert set(zip(newest["event_time"], newest["event_time.1"])) == {(350.0, 300.0), (450.0, 400.0)}


SCORES = pd.DataFrame({"user_id": ["u1", "u1", "u2", "u4"], "score": [0.1, 0.2, 0.5, 0.9],
                       "event_time": ["1970-01-01T00:01:30Z", "1970-01-01T00:04:00Z",
                                      "1970-01-01T00:02:00Z", "1970-01-01T00:01:50.500Z"]}
                      ).astype({"user_id": object, "event_time": object})


@pytest.fixture(scope="module")
def scores(session, s3_uri, role_arn, history) -> Group:
    """A second group, with a String (ISO 8601) event time, joined to the users group."""
    group = create_group(session, SCORES, s3_uri=s3_uri, role_arn=role_arn, prefix="scores")
    group.ingest(SCORES, max_workers=2, wait=True)
    history["scores"] = group
    return Group(offline_rows(group, f"{s3_uri}/compat-athena"), "user_id", "event_time",
                 ["user_id", "score", "event_time"])


@pytest.mark.parametrize("options", [Options(point_in_time=True), Options(point_in_time=True, recent=1)],
                         ids=["point_in_time", "point_in_time_recent_1"])
def test_group_base_joined_with_a_string_event_time_group(session, history, scores, s3_uri, options) -> None:
    store = FeatureStore(sagemaker_session=session)
    builder = store.create_dataset(base=history["group"], output_path=f"{s3_uri}/compat-datasets")
    builder.with_feature_group(history["scores"]).point_in_time_accurate_join()
    if options.recent is not None:
        builder.with_number_of_recent_records_by_record_identifier(options.recent)
    got, _query = builder.to_dataframe()
    expected = dataset(_users(history), [scores], options)
    assert len(expected) == (6 if options.recent is None else 3)
    assert list(got.columns) == list(expected.columns)
    assert _rows(got) == _rows(expected)
