"""Step 5: the point-in-time join, beside the naive join it replaces.

A training row pairs a label (here: a purchase, at time T) with the features of its entity.
Those features must be the ones the model would have seen *at T*. In the sample data every
purchase changes the user's features five minutes later (``total_purchases``,
``avg_order_value``...). So:

- the **naive join** (the latest features online, whatever their time) hands each purchase
  features computed *after* it, including the purchase itself: information from the future
  that will not exist at prediction time (leakage);
- the **point-in-time join** takes, per label, the entity's latest offline row with
  ``event_time <= T``: it never uses a row stamped after the label.

The full rule (deletes, ties, maximum age, time travel) is in
``scenario_point_in_time_correctness.py``; this lesson shows the step of the demo.
"""

from __future__ import annotations

import pandas as pd

from featurestore_demo import point_in_time_demo as step
from featurestore_demo.demo.console import make_console
from featurestore_demo.point_in_time_demo import FEATURE_TIME, USER_FEATURES


def test_the_labels_are_the_transactions_in_time_order(demo, sample):
    labels = step.load_labels(demo)

    expected = sample.transactions.sort_values(["event_time", "transaction_id"])
    assert labels["transaction_id"].tolist() == expected["transaction_id"].tolist()


def test_the_naive_join_leaks_the_future(demo):
    labels = step.load_labels(demo)

    naive = step.naive_join(demo, labels)

    # Each user's latest row comes five minutes after their last purchase, so almost every
    # purchase gets features from its own future.
    assert step.future_rows(naive).sum() > 0.9 * len(labels)


def test_the_point_in_time_join_never_uses_a_later_row(demo):
    labels = step.load_labels(demo)

    joined = step.point_in_time_join(demo, labels)

    assert step.future_rows(joined).sum() == 0
    # One output row per label, in the labels' order.
    assert joined["transaction_id"].tolist() == labels["transaction_id"].tolist()


def test_the_point_in_time_features_are_those_known_at_the_label_time(demo, sample):
    labels = step.load_labels(demo)
    joined = step.point_in_time_join(demo, labels)

    # The oracle: pandas' as-of merge on the sample data, taking the last row at or before T.
    versions = sample.users.rename(columns={"event_time": FEATURE_TIME}).sort_values(FEATURE_TIME)
    expected = pd.merge_asof(
        labels.sort_values("event_time"), versions[["user_id", *USER_FEATURES[:-1], FEATURE_TIME]],
        left_on="event_time", right_on=FEATURE_TIME, by="user_id", direction="backward",
    ).set_index("transaction_id").loc[labels["transaction_id"]]

    for feature in ("total_purchases", "membership_tier", FEATURE_TIME):
        assert joined[feature].tolist() == expected[feature].tolist(), feature


def test_a_purchase_never_counts_itself_point_in_time(demo):
    labels = step.load_labels(demo)
    joined = step.point_in_time_join(demo, labels)
    naive = step.naive_join(demo, labels)

    # The n-th purchase of a user sees at most n - 1 earlier purchases; naively it sees all.
    earlier = labels.groupby("user_id").cumcount()
    assert (joined["total_purchases"].fillna(0) <= earlier).all()
    assert (naive["total_purchases"] >= earlier + 1).all()


def test_the_step_runs_on_the_ingested_data(demo, monkeypatch):
    # The step prints the comparison, the leak count and a timeline.
    monkeypatch.setattr(demo, "console", make_console())
    with demo.console.capture() as captured:
        step.run(demo)
    text = captured.get()

    assert "Point-in-time join: 0 did." in text
    assert "naive join: from the future!" in text
