"""A record's round trip on every backend: create, put, read online, query offline, join, delete.

The same calls run on the local backend and on the AWS backend talking to the emulator; the
answers must be the same.
"""

from __future__ import annotations

import pandas as pd
import pytest

from featurestore_demo import FeatureDefinition, FeatureGroupSpec, ResourceNotFound, ValidationException


def _spec(name: str) -> FeatureGroupSpec:
    return FeatureGroupSpec(
        name=name,
        record_identifier_name="user_id",
        event_time_feature_name="event_time",
        features=(
            FeatureDefinition("user_id", "String"),
            FeatureDefinition("age", "Integral"),
            FeatureDefinition("score", "Fractional"),
            FeatureDefinition("event_time", "Fractional"),
        ),
    )


@pytest.fixture
def group(backend, group_name):
    backend.create_feature_group(_spec(group_name))
    backend.wait_for_status(group_name, "Created", timeout=10)
    yield group_name
    backend.delete_feature_group(group_name)
    backend.wait_for_status(group_name, "Deleted", timeout=10)


def test_put_then_get_returns_typed_record(backend, group):
    backend.put_record(group, {"user_id": "u1", "age": 30, "score": 0.5, "event_time": 100.0})
    assert backend.get_record(group, "u1") == {"user_id": "u1", "age": 30, "score": 0.5, "event_time": 100.0}
    assert backend.get_record(group, "nobody") is None


def test_older_put_is_ignored_online_but_kept_offline(backend, group):
    backend.put_record(group, {"user_id": "u1", "age": 31, "event_time": 200.0})
    backend.put_record(group, {"user_id": "u1", "age": 29, "event_time": 100.0})
    assert backend.get_record(group, "u1", ["age"]) == {"age": 31}
    table = backend.describe_feature_group(group)["OfflineStoreConfig"]["DataCatalogConfig"]["TableName"]
    history = backend.query(f'SELECT age FROM sagemaker_featurestore."{table}" ORDER BY event_time')
    assert [int(age) for age in history["age"]] == [29, 31]


def test_batch_get_and_delete(backend, group):
    backend.ingest(group, pd.DataFrame({"user_id": ["a", "b"], "age": [1, 2], "score": [0.1, None], "event_time": [10.0, 10.0]}))
    assert set(backend.batch_get_record(group, ["a", "b", "c"])) == {"a", "b"}
    backend.delete_record(group, "a", 20.0, deletion_mode="HardDelete")
    assert backend.get_record(group, "a") is None
    with pytest.raises(ValidationException):
        backend.delete_record(group, "b", 5.0, deletion_mode="HardDelete")


def test_point_in_time_join_uses_state_at_label_time(backend, group):
    backend.put_record(group, {"user_id": "u1", "age": 30, "event_time": 100.0})
    backend.put_record(group, {"user_id": "u1", "age": 40, "event_time": 200.0})
    labels = pd.DataFrame({"user_id": ["u1", "u1", "u1", "zz"], "event_time": [50.0, 150.0, 200.0, 150.0]})
    joined = backend.point_in_time_join(labels, [group], features={group: ["age"]})
    assert joined["age"].tolist()[1:3] == [30, 40]
    assert joined["age"].isna().tolist() == [True, False, False, True]


def test_unknown_group_is_resource_not_found(backend):
    with pytest.raises(ResourceNotFound):
        backend.get_record("no-such-group", "u1")
