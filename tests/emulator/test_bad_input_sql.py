"""Hostile values reach SQL only quoted: record ids such as ``x' OR '1'='1`` change nothing and
return the right rows, on the local backend and through the emulator; hostile group names are refused."""

from __future__ import annotations

from dataclasses import replace

import pandas as pd
import pytest

from emulator_helpers import unique_name
from featurestore_demo.errors import ValidationException
from featurestore_demo.schemas import USERS
from featurestore_demo.sql import quote_literal

HOSTILE_IDS = ["x' OR '1'='1", '"; DROP TABLE users; --', "a\\'b", "%", "_", "') UNION SELECT 1 --", "plain"]
HOSTILE_NAMES = ["x' OR '1'='1", '"; DROP TABLE', "a/../b", "users;--", "users\"", "-users"]


@pytest.fixture
def users(store) -> str:
    """A users group holding one record per hostile id (total_purchases = its index)."""
    name = unique_name("sql")
    store.create_feature_group(replace(USERS, name=name))
    store.wait_for_status(name, timeout=30)
    for index, record_id in enumerate(HOSTILE_IDS):
        store.put_record(name, {"user_id": record_id, "total_purchases": index, "event_time": 10.0})
    return name


def test_hostile_record_ids_read_and_delete_only_their_own_record(store, users):
    for index, record_id in enumerate(HOSTILE_IDS):
        assert store.get_record(users, record_id)["total_purchases"] == index
    found = store.batch_get_record(users, HOSTILE_IDS)
    assert {key: value["total_purchases"] for key, value in found.items()} == {
        record_id: index for index, record_id in enumerate(HOSTILE_IDS)}
    store.delete_record(users, HOSTILE_IDS[0], 20.0)
    assert store.get_record(users, HOSTILE_IDS[0]) is None
    assert len(store.batch_get_record(users, HOSTILE_IDS)) == len(HOSTILE_IDS) - 1


def test_hostile_record_ids_in_quoted_queries_match_exactly_one_row(store, users):
    table = store.offline_table(users)
    for index, record_id in enumerate(HOSTILE_IDS):
        rows = store.query(f"SELECT total_purchases FROM {table} WHERE user_id = {quote_literal(record_id)}")
        assert rows["total_purchases"].tolist() == [index], record_id
    assert int(store.query(f"SELECT COUNT(*) AS n FROM {table}").iloc[0, 0]) == len(HOSTILE_IDS)


def test_hostile_record_ids_in_a_point_in_time_join_get_their_own_features(store, users):
    labels = pd.DataFrame({"user_id": [*HOSTILE_IDS, "missing' OR 1=1 --"], "event_time": [15.0] * 8})
    joined = store.point_in_time_join(labels, [users], features={users: ["total_purchases"]})
    assert joined["user_id"].tolist() == labels["user_id"].tolist()
    purchases = joined["total_purchases"].astype(object).where(joined["total_purchases"].notna(), None)
    assert purchases.tolist() == [*list(range(len(HOSTILE_IDS))), None]


@pytest.mark.parametrize("name", HOSTILE_NAMES)
def test_hostile_feature_group_names_are_refused(store, name):
    with pytest.raises(ValidationException, match=r"featureGroupName|FeatureGroupName"):
        store.create_feature_group(replace(USERS, name=name))
    with pytest.raises(ValidationException):
        store.describe_feature_group(name)
