"""Point-in-time correctness: what a training row may know, rule by rule.

A training row is a **label** (an entity and a time T: "customer c1 churned at 10:05") joined
to the features of that entity. ``point_in_time_join`` gives each label the entity's **state at
T**, and nothing it could only have learnt later:

1. Among the entity's offline rows with ``event_time <= T`` (a row stamped exactly at T
   counts), take the **latest** by (``event_time``, ``api_invocation_time``, ``write_time``):
   the newest event, and for a rewrite of the same event time the one that arrived last.
2. If that row is a **delete marker**, or there is **no** such row (T before the first
   feature), the features are NULL.
3. Optional: ``max_age`` (seconds) makes features older than that NULL (a TTL for training);
   ``as_of`` keeps only rows **written** by then ("what did the store know at W").
4. Every label row comes back exactly once, in its original order, duplicates included.

The time of a row is its *event time*, not when it arrived: a late record about 09:30 that is
written last still answers labels after 09:30. Label times may be epoch seconds, naive
datetimes (read as UTC) or datetimes in any zone; all are compared as UTC instants.

SageMaker's own DatasetBuilder joins differently by default (it returns every earlier feature
row per label); see the README for the comparison.
"""

from __future__ import annotations

import time
from datetime import datetime, timedelta, timezone
from zoneinfo import ZoneInfo

import pandas as pd
import pytest

from featurestore_demo.schemas import FeatureDefinition, FeatureGroupSpec
from support import offline_rows

NINE = datetime(2024, 3, 1, 9, 0, tzinfo=timezone.utc)
MINUTE = 60.0

ACCOUNTS = FeatureGroupSpec(
    name="pit-accounts",
    record_identifier_name="customer_id",
    event_time_feature_name="event_time",
    features=(
        FeatureDefinition("customer_id", "String"),
        FeatureDefinition("balance", "Fractional"),
        FeatureDefinition("plan", "String"),
        FeatureDefinition("event_time", "Fractional"),
    ),
)
PLANS = FeatureGroupSpec(
    name="pit-plans",
    record_identifier_name="plan_id",
    event_time_feature_name="event_time",
    features=(
        FeatureDefinition("plan_id", "String"),
        FeatureDefinition("price", "Fractional"),
        FeatureDefinition("event_time", "Fractional"),
    ),
)


def at(minutes: float) -> float:
    """Epoch seconds, ``minutes`` after 09:00 UTC on 2024-03-01."""
    return NINE.timestamp() + minutes * MINUTE


def state(balance: float, minutes: float, plan: str = "basic", customer: str = "c1") -> dict:
    return {"customer_id": customer, "balance": balance, "plan": plan, "event_time": at(minutes)}


@pytest.fixture
def accounts(backend, feature_groups) -> str:
    """c1's history: 100 at 09:00, 150 at 09:10 corrected to 160 (same event time), closed
    (deleted) at 09:20, re-opened with 200 at 09:30; and a late record about 09:05 written last."""
    name = feature_groups.create(ACCOUNTS).name
    backend.put_record(name, state(100.0, 0))
    backend.put_record(name, state(150.0, 10))
    time.sleep(0.002)  # write_time has millisecond precision: let the correction land visibly later
    backend.put_record(name, state(160.0, 10))  # a correction: same event time, written later
    backend.delete_record(name, "c1", at(20))
    backend.put_record(name, state(200.0, 30, plan="pro"))
    backend.put_record(name, state(120.0, 5))  # arrives late, but it happened at 09:05
    return name


def join(backend, group: str, minutes: list[float], **options) -> pd.DataFrame:
    labels = pd.DataFrame({"customer_id": "c1", "label_time": [at(m) for m in minutes]})
    return backend.point_in_time_join(labels, [group], label_time_column="label_time", **options)


def balances(frame: pd.DataFrame) -> list[float | None]:
    return [None if pd.isna(value) else float(value) for value in frame["balance"]]


# ---------------------------------------------------------------- the rule


def test_each_label_sees_the_state_at_its_time(backend, accounts):
    minutes = [-1, 0, 4, 5, 9, 10, 15, 20, 25, 30, 90]

    joined = join(backend, accounts, minutes)

    assert balances(joined) == [
        None,   # 08:59: before the first feature, nothing is known
        100.0,  # 09:00: a row stamped exactly at the label time counts
        100.0,  # 09:04
        120.0,  # 09:05: the late record, by its event time
        120.0,  # 09:09: 09:10 is still in the future
        160.0,  # 09:10: two rows share this event time; the one written last wins
        160.0,  # 09:15
        None,   # 09:20: the latest row is a delete marker
        None,   # 09:25
        200.0,  # 09:30: re-opened
        200.0,  # 10:30
    ]
    assert joined["plan"].tolist()[-1] == "pro"


def test_every_label_row_comes_back_once_in_its_order(backend, accounts):
    minutes = [30, 0, 10, 0, -5, 30]  # out of time order, with duplicates

    joined = join(backend, accounts, minutes)

    assert joined["label_time"].tolist() == [at(m) for m in minutes]
    assert balances(joined) == [200.0, 100.0, 160.0, 100.0, None, 200.0]


def test_an_unknown_entity_gets_null_features(backend, accounts):
    labels = pd.DataFrame({"customer_id": ["c1", "nobody"], "label_time": [at(0), at(0)]})

    joined = backend.point_in_time_join(labels, [accounts], label_time_column="label_time")

    assert balances(joined) == [100.0, None]


def test_label_times_in_any_form_are_utc_instants(backend, accounts):
    paris = ZoneInfo("Europe/Paris")  # 10:10 in Paris is 09:10 UTC
    times = pd.Series(
        [at(10), NINE.replace(tzinfo=None) + timedelta(minutes=10), (NINE + timedelta(minutes=10)).astimezone(paris)],
        dtype=object,
    )
    labels = pd.DataFrame({"customer_id": "c1", "label_time": times})

    joined = backend.point_in_time_join(labels, [accounts], label_time_column="label_time")

    assert balances(joined) == [160.0, 160.0, 160.0]


# ---------------------------------------------------------------- the options


def test_max_age_hides_features_older_than_it(backend, accounts):
    # At 10:30 the latest row (09:30) is exactly 60 minutes old: still fresh. One second later, stale.
    labels = pd.DataFrame({"customer_id": "c1", "label_time": [at(90), at(90) + 1]})

    joined = backend.point_in_time_join(labels, [accounts], label_time_column="label_time", max_age=60 * MINUTE)

    assert balances(joined) == [200.0, None]


def test_as_of_answers_with_what_the_store_had_written_by_then(backend, accounts):
    history = offline_rows(backend, accounts, "balance IN (150, 160)")
    first, correction = history["write_time"].tolist()
    if correction <= first:
        pytest.skip("this store wrote both rows in one batch: time travel cannot separate them")

    # Before the correction was written, the store believed 150 at 09:10; `as_of` is inclusive.
    joined = join(backend, accounts, [10, 15], as_of=first.to_pydatetime())

    assert balances(joined) == [150.0, 150.0]


def test_features_are_picked_per_group_and_named_apart_when_they_clash(backend, accounts, feature_groups):
    plans = feature_groups.create(PLANS).name
    backend.put_record(plans, {"plan_id": "basic", "price": 9.0, "event_time": at(0)})
    backend.put_record(plans, {"plan_id": "pro", "price": 29.0, "event_time": at(0)})
    labels = pd.DataFrame({"customer_id": "c1", "plan": ["basic", "pro"], "label_time": [at(15), at(45)]})

    joined = backend.point_in_time_join(
        labels,
        [accounts, plans],
        label_time_column="label_time",
        entity_columns={plans: "plan"},  # the plan's id is in the label's "plan" column
        features={accounts: ["balance", "plan"]},
    )

    # "plan" is both a label column and a feature of accounts: the feature is named after its group.
    assert list(joined.columns) == ["customer_id", "plan", "label_time", "balance", f"{accounts}.plan", "price"]
    assert joined[f"{accounts}.plan"].tolist() == ["basic", "pro"]
    assert joined["price"].tolist() == [9.0, 29.0]
