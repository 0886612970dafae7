"""What only the local backend can show: an injected clock, the Creating lifecycle, options, kept offline data."""

from __future__ import annotations

import pandas as pd
import pytest
from fakes import Clock

from featurestore_demo.errors import ResourceInUse, ResourceNotFound, ValidationException
from featurestore_demo.schemas import USERS, FeatureDefinition, FeatureGroupSpec, TtlDuration
from local_backend import LocalBackend

T0 = 1_700_000_000.0


def test_a_record_expires_when_the_clock_reaches_event_time_plus_ttl(tmp_path):
    clock = Clock(T0)
    with LocalBackend(tmp_path, clock=clock) as store:
        store.create_feature_group(USERS)
        store.put_record("users", {"user_id": "u1", "event_time": T0 - 10}, ttl=TtlDuration("Seconds", 60))
        clock.now = T0 + 49.999
        assert store.get_record("users", "u1") is not None
        clock.now = T0 + 50  # (T0 - 10) + 60: expiry is inclusive
        assert store.get_record("users", "u1") is None


def test_a_new_group_is_creating_for_lifecycle_seconds(tmp_path):
    clock = Clock(T0)
    with LocalBackend(tmp_path, clock=clock, lifecycle_seconds=5) as store:
        store.create_feature_group(USERS)
        assert store.describe_feature_group("users")["FeatureGroupStatus"] == "Creating"
        with pytest.raises(TimeoutError, match="still Creating"):
            store.wait_for_status("users", "Created", timeout=0.01)
        clock.now = T0 + 5
        assert store.wait_for_status("users", "Created")["FeatureGroupStatus"] == "Created"


def test_equal_event_times_can_keep_the_first_writer(tmp_path):
    with LocalBackend(tmp_path, equal_overwrites=False) as store:
        store.create_feature_group(USERS)
        store.put_record("users", {"user_id": "u1", "age": 1, "event_time": T0})
        store.put_record("users", {"user_id": "u1", "age": 2, "event_time": T0})
        assert store.get_record("users", "u1")["age"] == 1


def test_names_differing_only_in_case_clash(tmp_path):
    with LocalBackend(tmp_path) as store:
        store.create_feature_group(USERS)
        with pytest.raises(ResourceInUse, match=r"FeatureGroup with name users already exists\..*ignoring case"):
            store.create_feature_group(USERS.with_name("Users"))
        assert [s["FeatureGroupName"] for s in store.list_feature_groups()] == ["users"]


@pytest.mark.parametrize(("id_type", "ids", "keys"), [("Integral", [5, 12], ["5", "12"]),
                                                      ("Fractional", [10.0, 2.5], ["10.0", "2.5"])])
def test_numeric_identifiers_key_alike_by_put_ingest_and_reopen(tmp_path, id_type, ids, keys):
    spec = FeatureGroupSpec("nums", "id", "t", (FeatureDefinition("id", id_type), FeatureDefinition("t", "Fractional")))
    with LocalBackend(tmp_path) as store:
        store.create_feature_group(spec)
        store.put_record("nums", {"id": ids[0], "t": 1.0})
        store.ingest("nums", pd.DataFrame({"id": [ids[1]], "t": [1.0]}))
        before = store.batch_get_record("nums", [str(i) for i in ids])
    assert sorted(before) == sorted(keys)
    with LocalBackend(tmp_path) as reopened:
        assert reopened.batch_get_record("nums", ids) == before
        assert reopened.get_record("nums", keys[0]) == {"id": ids[0], "t": 1.0}


def test_a_group_deleted_with_its_offline_data_kept_still_answers_queries(tmp_path):
    with LocalBackend(tmp_path) as store:
        store.create_feature_group(USERS)
        store.put_record("users", {"user_id": "u1", "total_purchases": 2, "event_time": T0})
        table = store.offline_table("users")
        store.delete_feature_group("users", keep_offline_data=True)
        with pytest.raises(ResourceNotFound):
            store.get_record("users", "u1")
    with LocalBackend(tmp_path) as reopened:
        rows = reopened.query(f"SELECT user_id, total_purchases, is_deleted FROM {table}")
        assert rows.to_dict("records") == [{"user_id": "u1", "total_purchases": 2, "is_deleted": False}]
        reopened.drop_external_table("sagemaker_featurestore", table.split(".")[1].strip('"'))
        with pytest.raises(ValidationException, match="TABLE_NOT_FOUND"):
            reopened.query(f"SELECT * FROM {table}")


def test_a_kept_table_holds_its_name_until_dropped_or_a_second_later(tmp_path):
    clock = Clock(T0)
    with LocalBackend(tmp_path, clock=clock) as store:
        store.create_feature_group(USERS)
        kept = store.offline_table("users")
        store.delete_feature_group("users", keep_offline_data=True)
        with pytest.raises(ResourceInUse, match="keep_offline_data"):
            store.create_feature_group(USERS)  # same name, same second: the same table name
        assert store.list_feature_groups() == []
        clock.now = T0 + 1
        store.create_feature_group(USERS)
        assert store.offline_table("users") != kept
