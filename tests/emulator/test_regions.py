"""The region is the one a request is signed for, as on AWS: ARNs and ResolvedOutputS3Uri name it,
and each region's groups are apart (regions.py)."""

from __future__ import annotations

import pytest
from botocore.exceptions import ClientError

from emulator_helpers import create_request, record, run_query, unique_name, wait_created
from scenarios.emulator_backend import fake_session

OHIO = "us-east-2"


@pytest.fixture(scope="module")
def ohio(emulator):
    """sagemaker, runtime, athena and s3 clients signed for us-east-2 (the emulator's own is us-east-1)."""
    session = fake_session(emulator)
    return {name: session.client(name, endpoint_url=emulator.url, region_name=OHIO)
            for name in ("sagemaker", "sagemaker-featurestore-runtime", "athena", "s3")}


def test_a_group_is_named_after_the_region_its_create_was_signed_for(ohio) -> None:
    sm = ohio["sagemaker"]
    name = unique_name("ohio")
    arn = sm.create_feature_group(**create_request(name))["FeatureGroupArn"]
    wait_created(sm, name)
    assert arn == f"arn:aws:sagemaker:{OHIO}:123456789012:feature-group/{name}"
    resolved = sm.describe_feature_group(FeatureGroupName=name)["OfflineStoreConfig"]["S3StorageConfig"][
        "ResolvedOutputS3Uri"]
    assert f"/123456789012/sagemaker/{OHIO}/offline-store/{name}-" in resolved


def test_each_region_sees_only_its_groups_and_a_name_may_live_in_both(sm, ohio) -> None:
    name = unique_name("apart")
    ohio["sagemaker"].create_feature_group(**create_request(name))
    wait_created(ohio["sagemaker"], name)
    with pytest.raises(sm.exceptions.ResourceNotFound):
        sm.describe_feature_group(FeatureGroupName=name)
    assert sm.list_feature_groups(NameContains=name)["FeatureGroupSummaries"] == []
    assert sm.search(Resource="FeatureGroup", SearchExpression={
        "Filters": [{"Name": "FeatureGroupName", "Value": name}]})["Results"] == []
    sm.create_feature_group(**create_request(name))  # the same name in us-east-1
    wait_created(sm, name)
    arns = {client.describe_feature_group(FeatureGroupName=name)["FeatureGroupArn"]
            for client in (sm, ohio["sagemaker"])}
    assert arns == {f"arn:aws:sagemaker:us-east-1:123456789012:feature-group/{name}",
                    f"arn:aws:sagemaker:{OHIO}:123456789012:feature-group/{name}"}


def ohio_group_with_a_record(ohio, prefix: str) -> str:
    """A new group created in us-east-2 holding record r1; its name."""
    name = unique_name(prefix)
    ohio["sagemaker"].create_feature_group(**create_request(name))
    wait_created(ohio["sagemaker"], name)
    ohio["sagemaker-featurestore-runtime"].put_record(
        FeatureGroupName=name, Record=record(id="r1", age=7, score=1.5, event_time=100.0))
    return name


def test_records_and_queries_stay_in_their_region(runtime, ohio) -> None:
    sm, ohio_runtime = ohio["sagemaker"], ohio["sagemaker-featurestore-runtime"]
    name = ohio_group_with_a_record(ohio, "ohio-rec")
    assert ohio_runtime.get_record(FeatureGroupName=name, RecordIdentifierValueAsString="r1")["Record"]
    with pytest.raises(ClientError) as excinfo:
        runtime.get_record(FeatureGroupName=name, RecordIdentifierValueAsString="r1")
    assert excinfo.value.response["Error"]["Code"] == "ResourceNotFound"
    table = sm.describe_feature_group(FeatureGroupName=name)["OfflineStoreConfig"]["DataCatalogConfig"]["TableName"]
    execution = run_query(ohio["athena"], f'SELECT COUNT(*) FROM "{table}"')
    assert execution["Status"]["State"] == "SUCCEEDED"
    rows = ohio["athena"].get_query_results(QueryExecutionId=execution["QueryExecutionId"])["ResultSet"]["Rows"]
    assert rows[1]["Data"][0]["VarCharValue"] == "1"


def test_offline_files_of_every_region_are_objects_of_one_s3(s3, ohio) -> None:
    sm = ohio["sagemaker"]
    name = ohio_group_with_a_record(ohio, "ohio-s3")
    resolved = sm.describe_feature_group(FeatureGroupName=name)["OfflineStoreConfig"]["S3StorageConfig"][
        "ResolvedOutputS3Uri"]
    bucket, _, prefix = resolved.removeprefix("s3://").partition("/")
    keys = [item["Key"] for item in s3.list_objects_v2(Bucket=bucket, Prefix=prefix).get("Contents", [])]
    assert keys and all(key.endswith(".parquet") for key in keys)


def test_a_region_sagemaker_is_not_in_is_refused(emulator) -> None:
    sm = fake_session(emulator).client("sagemaker", endpoint_url=emulator.url, region_name="mars-north-1")
    with pytest.raises(ClientError) as excinfo:
        sm.list_feature_groups()
    error = excinfo.value.response
    assert (error["Error"]["Code"], error["Error"]["Message"], error["ResponseMetadata"]["HTTPStatusCode"]) == (
        "InvalidSignatureException", "Credential should be scoped to a valid region, not 'mars-north-1'.", 400)
