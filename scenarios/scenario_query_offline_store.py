"""Step 4: query the offline store with Athena SQL.

The offline store is the group's whole history, one row per put and one per delete (a
*marker* with ``is_deleted = true``). It is where training data comes from. Two query
patterns matter:

- the **history** of an entity: every version, ordered by event time;
- the **latest snapshot**: per record identifier, the newest row by (``event_time``,
  ``api_invocation_time``, ``write_time``), dropped if it is a delete marker. Athena has no
  "latest" operator, so this is a ``row_number()`` window.

The event time of the demo groups is Fractional (epoch seconds): ``from_unixtime`` turns it
into a timestamp.
"""

from __future__ import annotations

import pandas as pd

from featurestore_demo import query_offline_store
from featurestore_demo.schemas import USERS
from support import latest_by_event_time


def step_queries(ctx) -> list[str]:
    """The SQL of step 4, as the step builds it for this store: counts, history, snapshot."""
    return [sql for _, sql in query_offline_store.queries(ctx)]


def test_the_count_query_sees_every_version(demo, sample):
    counts, _, _ = step_queries(demo)

    result = demo.backend.query(counts)

    assert int(result.loc[0, "row_count"]) == len(sample.users)
    assert int(result.loc[0, "users"]) == sample.users["user_id"].nunique()


def test_the_history_query_returns_every_version_in_time_order(demo, sample):
    demo.options.user_id = sample.users["user_id"].value_counts().index[0]  # the busiest user
    _, history, _ = step_queries(demo)
    expected = sample.users[sample.users["user_id"] == demo.options.user_id].sort_values("event_time")
    assert len(expected) > 3

    result = demo.backend.query(history)

    assert result["total_purchases"].tolist() == expected["total_purchases"].tolist()
    assert result["membership_tier"].tolist() == expected["membership_tier"].tolist()
    # from_unixtime(event_time) is the event time as a UTC timestamp.
    seconds = (pd.to_datetime(result["event_time"], utc=True) - pd.Timestamp(0, tz="UTC")).dt.total_seconds()
    assert seconds.round(3).tolist() == expected["event_time"].round(3).tolist()
    assert not result["is_deleted"].any()


def tier_counts(frame: pd.DataFrame) -> dict[str, int]:
    return {str(tier): int(n) for tier, n in frame.set_index("membership_tier")["users"].items()}


def test_the_snapshot_query_takes_each_users_latest_row(demo, sample):
    _, _, snapshot = step_queries(demo)
    latest = latest_by_event_time(sample.users, "user_id")
    expected = latest["membership_tier"].value_counts()

    result = demo.backend.query(snapshot)

    assert tier_counts(result) == {str(tier): int(n) for tier, n in expected.items()}
    averages = latest.groupby("membership_tier")["avg_order_value"].mean().round(2)
    for tier, value in result.set_index("membership_tier")["avg_order_value"].items():
        assert value == averages[tier]


def test_a_delete_adds_a_marker_row_and_leaves_the_snapshot(fresh_demo, sample):
    _, history, snapshot = step_queries(fresh_demo)
    user = fresh_demo.options.user_id
    latest = latest_by_event_time(sample.users, "user_id").loc[user]
    before = tier_counts(fresh_demo.backend.query(snapshot))

    fresh_demo.backend.delete_record(fresh_demo.users.name, user, float(latest["event_time"]) + 1)

    rows = fresh_demo.backend.query(history)
    # History is append-only: the versions stay, and a marker row follows them.
    versions = int((sample.users["user_id"] == user).sum())
    assert rows["is_deleted"].tolist() == [False] * versions + [True]
    after = tier_counts(fresh_demo.backend.query(snapshot))
    tier = latest["membership_tier"]
    assert after.get(tier, 0) == before[tier] - 1  # the deleted user left its tier


def test_tables_can_be_named_with_the_catalog(demo, sample):
    # The Athena console writes "AwsDataCatalog"."sagemaker_featurestore"."<table>".
    table = demo.backend.offline_table(demo.products.name)

    result = demo.backend.query(f'SELECT COUNT(*) AS n FROM "AwsDataCatalog".{table}')

    assert int(result.loc[0, "n"]) == len(sample.products)


def test_athena_functions_of_the_sagemaker_sdk_work(feature_groups, backend):
    users = feature_groups.create(USERS)
    backend.put_record(users.name, {"user_id": "u1", "age": 40, "event_time": 1_704_067_200.0})  # 2024-01-01

    result = backend.query(
        "SELECT from_unixtime(event_time) = from_iso8601_timestamp('2024-01-01T00:00:00Z') AS same_instant, "
        "write_time <= to_timestamp('2999-01-01 00:00:00', 'yyyy-mm-dd hh24:mi:ss') AS written_before "
        f"FROM {backend.offline_table(users.name)}"
    )

    assert result.to_dict("records") == [{"same_instant": True, "written_before": True}]
