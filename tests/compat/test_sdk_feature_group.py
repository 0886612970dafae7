"""SDK v2 ``FeatureGroup`` and ``FeatureStore`` against the emulator, nothing changed but the
endpoint variables: create, describe, ingest with several workers, get and delete records,
list, update, feature metadata, Athena queries, delete (SAGEMAKER_SPEC §5)."""

from __future__ import annotations

import pandas as pd
import pytest

from compat_clients import require_sdk

require_sdk()

from sagemaker.feature_store.feature_definition import FeatureDefinition, FeatureTypeEnum  # noqa: E402
from sagemaker.feature_store.feature_store import FeatureStore  # noqa: E402
from sagemaker.feature_store.inputs import FeatureParameter  # noqa: E402

from sdk_helpers import create_group, offline_rows, users_frame, wait_until  # noqa: E402

USERS = users_frame([(f"u{i}", 20 + i, ("bronze", "silver", "gold")[i % 3], 1_700_000_000.0 + i)
                     for i in range(24)])


@pytest.fixture(scope="module")
def users(session, s3_uri, role_arn):
    group = create_group(session, USERS, s3_uri=s3_uri, role_arn=role_arn)
    group.ingest(USERS, max_workers=4, wait=True)
    return group


def test_load_feature_definitions_maps_dtypes_and_create_describes_them(users) -> None:
    description = users.describe()
    assert description["FeatureGroupStatus"] == "Created"
    assert description["OfflineStoreStatus"]["Status"] == "Active"
    assert [(d["FeatureName"], d["FeatureType"]) for d in description["FeatureDefinitions"]] == [
        ("user_id", "String"), ("age", "Integral"), ("tier", "String"), ("event_time", "Fractional")]
    assert description["OnlineStoreConfig"]["EnableOnlineStore"] is True
    catalog = description["OfflineStoreConfig"]["DataCatalogConfig"]
    assert catalog["Database"] == "sagemaker_featurestore" and catalog["TableName"]


def test_ingest_with_workers_then_get_record_returns_the_strings_put(users) -> None:
    record = users.get_record("u7")
    assert record == [{"FeatureName": "user_id", "ValueAsString": "u7"},
                      {"FeatureName": "age", "ValueAsString": "27"},
                      {"FeatureName": "tier", "ValueAsString": "silver"},
                      {"FeatureName": "event_time", "ValueAsString": "1700000007.0"}]
    assert users.get_record("u7", feature_names=["age"]) == [{"FeatureName": "age", "ValueAsString": "27"}]
    assert users.get_record("nobody") is None


def test_delete_record_hides_it_online_and_writes_a_marker(users, s3_uri) -> None:
    users.delete_record("u3", "1700000100.0")
    assert users.get_record("u3") is None
    rows = offline_rows(users, f"{s3_uri}/compat-athena")
    u3 = rows[rows["user_id"] == "u3"].sort_values("event_time")
    assert list(u3["is_deleted"]) == [False, True]
    assert list(u3["event_time"]) == [1_700_000_003.0, 1_700_000_100.0]


def test_athena_query_run_wait_as_dataframe_reads_every_ingested_row(users, s3_uri) -> None:
    query = users.athena_query()
    query.run(f'SELECT user_id, age, tier FROM "{query.table_name}" WHERE NOT is_deleted ORDER BY age',
              output_location=f"{s3_uri}/compat-athena")
    query.wait()
    frame = query.as_dataframe()
    expected = USERS[["user_id", "age", "tier"]].sort_values("age").reset_index(drop=True)
    pd.testing.assert_frame_equal(frame, expected, check_dtype=False)
    execution = query.get_query_execution()["QueryExecution"]
    assert execution["Status"]["State"] == "SUCCEEDED"
    assert execution["ResultConfiguration"]["OutputLocation"].endswith(f"/{query._current_query_execution_id}.csv")


def test_list_feature_groups_finds_it(session, users) -> None:
    listed = FeatureStore(sagemaker_session=session).list_feature_groups(name_contains=users.name)
    assert [s["FeatureGroupName"] for s in listed["FeatureGroupSummaries"]] == [users.name]
    assert listed["FeatureGroupSummaries"][0]["FeatureGroupStatus"] == "Created"


def test_update_adds_a_feature_that_ingest_then_fills(session, s3_uri, role_arn) -> None:
    group = create_group(session, USERS.head(2), s3_uri=s3_uri, role_arn=role_arn, prefix="update")
    group.update(feature_additions=[FeatureDefinition("score", FeatureTypeEnum.FRACTIONAL)])
    description = wait_until(group.describe, lambda d: d.get("LastUpdateStatus", {}).get("Status") != "InProgress",
                             "the update")
    assert description["LastUpdateStatus"]["Status"] == "Successful"
    assert description["FeatureDefinitions"][-1] == {"FeatureName": "score", "FeatureType": "Fractional"}
    group.ingest(USERS.head(1).assign(score=[0.25]), max_workers=1, wait=True)
    assert {"FeatureName": "score", "ValueAsString": "0.25"} in group.get_record("u0")


def test_feature_metadata_update_and_describe(users) -> None:
    users.update_feature_metadata("age", description="age in years",
                                  parameter_additions=[FeatureParameter("unit", "year"),
                                                       FeatureParameter("source", "signup")])
    users.update_feature_metadata("age", parameter_removals=["source"])
    metadata = users.describe_feature_metadata("age")
    assert metadata["Description"] == "age in years"
    assert metadata["FeatureType"] == "Integral"
    assert users.list_parameters_for_feature_metadata("age") == [{"Key": "unit", "Value": "year"}]


def test_delete_feature_group(session, s3_uri, role_arn) -> None:
    group = create_group(session, USERS.head(1), s3_uri=s3_uri, role_arn=role_arn, prefix="doomed")
    group.delete()
    store = FeatureStore(sagemaker_session=session)
    wait_until(lambda: store.list_feature_groups(name_contains=group.name)["FeatureGroupSummaries"],
               lambda summaries: not summaries, f"{group.name} gone")
