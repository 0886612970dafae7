"""Step 2: ingest features.

Ingesting a DataFrame is one PutRecord per row, in order. Each put goes to both stores:

- the **offline store appends** the row, whatever its event time, and adds
  ``write_time``, ``api_invocation_time`` and ``is_deleted`` (false for a put);
- the **online store keeps** it only if its event time is the newest seen for that record
  identifier, so after ingesting a user's whole history the online store holds the user's
  latest version, not the last row ingested.

A missing value (NaN / NA) means "this feature is absent from the record": it is not sent, it
is absent from GetRecord's answer and NULL in the offline store.
"""

from __future__ import annotations

import pandas as pd
import pytest

from featurestore_demo.errors import ValidationException
from featurestore_demo.schemas import USERS
from support import as_records, latest_by_event_time, offline_rows


def offline_count(ctx, spec) -> tuple[int, int]:
    """(rows, distinct record identifiers) in a group's offline store, through Athena SQL."""
    result = ctx.backend.query(
        f"SELECT COUNT(*) AS n, COUNT(DISTINCT {spec.record_identifier_name}) AS ids "
        f"FROM {ctx.backend.offline_table(spec.name)}"
    )
    return int(result.loc[0, "n"]), int(result.loc[0, "ids"])


def test_the_offline_store_appends_every_row(demo, sample):
    # Users have many versions each: the offline store keeps them all.
    for spec, frame in ((demo.users, sample.users), (demo.products, sample.products),
                        (demo.transactions, sample.transactions)):
        ids = frame[spec.record_identifier_name].nunique()
        assert offline_count(demo, spec) == (len(frame), ids)
    assert len(sample.users) > sample.users["user_id"].nunique()  # the lesson needs history


def test_the_online_store_holds_each_users_latest_version(demo, sample):
    expected = as_records(latest_by_event_time(sample.users, "user_id"))

    found = demo.backend.batch_get_record(demo.users.name, list(expected))

    # The sample rows are ingested in event-time order overall, but what matters is the rule:
    # per id, the newest event time wins, whatever order the rows arrive in.
    assert found == expected


def test_ingest_order_does_not_matter_online(feature_groups, backend, sample):
    users = feature_groups.create(USERS)
    shuffled = sample.users.sample(frac=1.0, random_state=3)  # newest rows no longer last

    assert backend.ingest(users.name, shuffled) == len(shuffled)

    expected = as_records(latest_by_event_time(sample.users, "user_id"))
    assert backend.batch_get_record(users.name, list(expected)) == expected


def test_offline_rows_carry_the_service_columns(demo):
    rows = demo.backend.query(
        "SELECT COUNT(*) AS n, COUNT(write_time) AS written, COUNT(api_invocation_time) AS invoked, "
        f"COUNT_IF(is_deleted) AS deleted FROM {demo.backend.offline_table(demo.users.name)}"
    )
    n = int(rows.loc[0, "n"])
    assert n > 0
    assert int(rows.loc[0, "written"]) == int(rows.loc[0, "invoked"]) == n
    assert int(rows.loc[0, "deleted"]) == 0  # puts are never delete markers


def test_ingest_reports_progress_up_to_every_row(feature_groups, backend, sample):
    users = feature_groups.create(USERS)
    calls: list[tuple[int, int]] = []

    backend.ingest(users.name, sample.users, progress=lambda done, total: calls.append((done, total)))

    assert calls and calls[-1] == (len(sample.users), len(sample.users))
    assert [done for done, _ in calls] == sorted(done for done, _ in calls)


def test_missing_values_are_absent_online_and_null_offline(feature_groups, backend):
    users = feature_groups.create(USERS)
    frame = pd.DataFrame(
        {
            "user_id": ["u1", "u2"],
            "age": pd.array([31, None], dtype="Int64"),  # nullable integers keep Integral valid
            "membership_tier": ["gold", None],
            "total_purchases": pd.array([4, 2], dtype="Int64"),
            "avg_order_value": [12.5, float("nan")],
            "event_time": [1_700_000_000.0, 1_700_000_000.0],
        }
    )

    backend.ingest(users.name, frame)

    expected = {"user_id": "u2", "total_purchases": 2, "event_time": 1_700_000_000.0}
    assert backend.get_record(users.name, "u2") == expected
    offline = offline_rows(backend, users.name, "user_id = 'u2'")
    assert len(offline) == 1
    assert offline[["age", "membership_tier", "avg_order_value"]].isna().all(axis=None)


def test_a_frame_may_carry_only_some_features(feature_groups, backend):
    users = feature_groups.create(USERS)
    # Only the identifier, the event time and one feature: the others are absent, not an error.
    frame = pd.DataFrame({"event_time": [1_700_000_000.0], "user_id": ["u1"], "age": [52]})

    assert backend.ingest(users.name, frame) == 1

    assert backend.get_record(users.name, "u1") == {"user_id": "u1", "age": 52, "event_time": 1_700_000_000.0}
    offline = offline_rows(backend, users.name)
    assert offline[["membership_tier", "total_purchases", "avg_order_value"]].isna().all(axis=None)


def test_an_offline_only_group_cannot_be_read_online(demo, sample):
    # Transactions were ingested (the offline count test proves it), but have no online store.
    first = sample.transactions["transaction_id"].iloc[0]
    with pytest.raises(ValidationException, match=demo.transactions.name) as raised:
        demo.backend.get_record(demo.transactions.name, first)
    assert raised.value.code == "ValidationException"
