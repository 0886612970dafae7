"""The SageMaker control plane of the emulator, driven by plain boto3 (SAGEMAKER_SPEC §1)."""

from __future__ import annotations

import time

import pytest
from botocore.exceptions import ClientError

from emulator_helpers import ROLE, create_request, record, unique_name, wait_created
from featurestore_demo.service_model import model_enum, service_model
from local_backend.emulator.sagemaker import SORT_KEYS
from local_backend.emulator.server import Emulator
from scenarios.emulator_backend import fake_session


def _error(excinfo) -> tuple[str, str, int]:
    response = excinfo.value.response
    return response["Error"]["Code"], response["Error"]["Message"], response["ResponseMetadata"]["HTTPStatusCode"]


GROUP_NAME_PATTERN = service_model("sagemaker").shape_for("FeatureGroupName").metadata["pattern"]


def test_bad_name_is_validation_exception_worded_as_aws(sm):
    with pytest.raises(ClientError) as excinfo:
        sm.create_feature_group(**create_request("bad name!"))
    assert _error(excinfo) == (
        "ValidationException",
        "1 validation error detected: Value 'bad name!' at 'featureGroupName' failed to satisfy constraint: "
        f"Member must satisfy regular expression pattern: {GROUP_NAME_PATTERN}",
        400,
    )


def test_constraints_botocore_does_not_check_are_enforced(sm):
    too_long = create_request("a" * 65)
    bad_type = create_request(unique_name())
    bad_type["FeatureDefinitions"][1]["FeatureType"] = "Bogus"
    bad_storage = create_request(unique_name(), OnlineStoreConfig={"EnableOnlineStore": True, "StorageType": "Disk"})
    for request, fragment in (
        (too_long, "Member must have length less than or equal to 64"),
        (bad_type, "Member must satisfy enum value set: [Integral, Fractional, String]"),
        (bad_storage, "at 'onlineStoreConfig.storageType'"),
    ):
        with pytest.raises(ClientError) as excinfo:
            sm.create_feature_group(**request)
        code, message, status = _error(excinfo)
        assert (code, status) == ("ValidationException", 400) and fragment in message


def test_duplicate_name_is_resource_in_use(sm, group):
    with pytest.raises(sm.exceptions.ResourceInUse) as excinfo:
        sm.create_feature_group(**create_request(group))
    assert _error(excinfo)[1] == (
        f"Resource Already Exists: FeatureGroup with name {group} already exists. Choose a different name."
    )


def test_unknown_group_is_resource_not_found(sm):
    with pytest.raises(sm.exceptions.ResourceNotFound) as excinfo:
        sm.describe_feature_group(FeatureGroupName="no-such-group")
    assert _error(excinfo) == (
        "ResourceNotFound",
        "Resource Not Found: Amazon SageMaker can't find a FeatureGroup with name no-such-group",
        400,
    )


@pytest.fixture(scope="module")
def slow_sm(tmp_path_factory: pytest.TempPathFactory):
    """SageMaker of an emulator whose groups stay Creating and Deleting for 2 s: long enough for
    a loaded machine to see those states, which the shared emulator's 0.05 s is not."""
    home = tmp_path_factory.mktemp("slow-lifecycle")
    with Emulator(home, port=0, creating_seconds=2, deleting_seconds=2) as emulator:
        yield fake_session(emulator).client("sagemaker", endpoint_url=emulator.url)


def wait_gone(sm, name: str, timeout: float = 10.0) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            sm.describe_feature_group(FeatureGroupName=name)
        except sm.exceptions.ResourceNotFound:
            return
        time.sleep(0.05)
    raise AssertionError(f"{name} was never deleted")


def test_lifecycle_creating_created_deleting_gone(slow_sm):
    sm, name = slow_sm, unique_name()
    arn = sm.create_feature_group(**create_request(name))["FeatureGroupArn"]
    assert arn == f"arn:aws:sagemaker:us-east-1:123456789012:feature-group/{name}"
    assert sm.describe_feature_group(FeatureGroupName=name)["FeatureGroupStatus"] == "Creating"
    wait_created(sm, name, timeout=10.0)
    described = sm.describe_feature_group(FeatureGroupName=arn)
    assert described["OfflineStoreConfig"]["DataCatalogConfig"]["Database"] == "sagemaker_featurestore"
    assert described["RoleArn"] == ROLE
    sm.delete_feature_group(FeatureGroupName=name)
    assert sm.describe_feature_group(FeatureGroupName=name)["FeatureGroupStatus"] == "Deleting"
    wait_gone(sm, name)
    with pytest.raises(sm.exceptions.ResourceNotFound):
        sm.describe_feature_group(FeatureGroupName=name)


def test_list_feature_groups_pages_sorts_and_filters(sm, slow_sm):
    prefix = unique_name("page")
    names = [f"{prefix}-{index}" for index in range(3)]
    for name in names:
        sm.create_feature_group(**create_request(name))
    first = sm.list_feature_groups(NameContains=prefix, SortBy="Name", SortOrder="Ascending", MaxResults=2)
    assert [s["FeatureGroupName"] for s in first["FeatureGroupSummaries"]] == names[:2]
    second = sm.list_feature_groups(NameContains=prefix, SortBy="Name", SortOrder="Ascending", MaxResults=2,
                                    NextToken=first["NextToken"])
    assert [s["FeatureGroupName"] for s in second["FeatureGroupSummaries"]] == names[2:]
    assert "NextToken" not in second
    slow_sm.create_feature_group(**create_request(f"{prefix}-fresh"))  # Creating for 2 s
    creating = slow_sm.list_feature_groups(NameContains=prefix, FeatureGroupStatusEquals="Creating")
    assert [s["FeatureGroupName"] for s in creating["FeatureGroupSummaries"]] == [f"{prefix}-fresh"]
    for name in names:
        wait_created(sm, name)
    created = sm.list_feature_groups(NameContains=prefix, FeatureGroupStatusEquals="Created", SortBy="Name",
                                     SortOrder="Ascending")
    assert [s["FeatureGroupName"] for s in created["FeatureGroupSummaries"]] == names
    still_creating = sm.list_feature_groups(NameContains=prefix, FeatureGroupStatusEquals="Creating")
    assert still_creating["FeatureGroupSummaries"] == []
    later = sm.list_feature_groups(NameContains=prefix, CreationTimeAfter=time.time() + 60)
    assert later["FeatureGroupSummaries"] == []
    with pytest.raises(ClientError) as excinfo:
        sm.list_feature_groups(NextToken="not-a-token")
    assert _error(excinfo)[0] == "ValidationException"
    with pytest.raises(ClientError) as excinfo:
        sm.list_feature_groups(MaxResults=101)
    assert _error(excinfo)[0] == "ValidationException"


def test_update_adds_features_and_sets_ttl(sm, runtime, group):
    sm.update_feature_group(FeatureGroupName=group, FeatureAdditions=[{"FeatureName": "city", "FeatureType": "String"}])
    sm.update_feature_group(FeatureGroupName=group, OnlineStoreConfig={"TtlDuration": {"Unit": "Days", "Value": 7}})
    described = sm.describe_feature_group(FeatureGroupName=group)
    assert described["FeatureDefinitions"][-1] == {"FeatureName": "city", "FeatureType": "String"}
    assert described["OnlineStoreConfig"]["TtlDuration"] == {"Unit": "Days", "Value": 7}
    assert described["LastUpdateStatus"] == {"Status": "Successful"}
    runtime.put_record(FeatureGroupName=group, Record=record(id="u1", city="Oslo", event_time=time.time()))
    runtime.put_record(FeatureGroupName=group, Record=record(id="old", event_time=time.time() - 8 * 86400))
    got = runtime.get_record(FeatureGroupName=group, RecordIdentifierValueAsString="u1", FeatureNames=["city"])
    assert got["Record"] == [{"FeatureName": "city", "ValueAsString": "Oslo"}]
    assert "Record" not in runtime.get_record(FeatureGroupName=group, RecordIdentifierValueAsString="old")


def test_feature_metadata_keeps_parameter_order_and_removes_by_key(sm, group):
    sm.update_feature_metadata(
        FeatureGroupName=group, FeatureName="age", Description="years",
        ParameterAdditions=[{"Key": "b", "Value": "1"}, {"Key": "a", "Value": "2"}],
    )
    sm.update_feature_metadata(FeatureGroupName=group, FeatureName="age", ParameterRemovals=["b"])
    metadata = sm.describe_feature_metadata(FeatureGroupName=group, FeatureName="age")
    assert (metadata["FeatureType"], metadata["Description"], metadata["Parameters"]) == (
        "Integral", "years", [{"Key": "a", "Value": "2"}]
    )
    with pytest.raises(sm.exceptions.ResourceNotFound):
        sm.describe_feature_metadata(FeatureGroupName=group, FeatureName="nope")


def test_model_patterns_with_unicode_classes_are_checked(sm, group):
    """FeatureParameterKey is ``([\\p{L}\\p{Z}\\p{N}_.:/=+\\-]*)``: any letter, not a ``!``."""
    pattern = service_model("sagemaker").shape_for("FeatureParameterKey").metadata["pattern"]
    sm.update_feature_metadata(FeatureGroupName=group, FeatureName="age",
                               ParameterAdditions=[{"Key": "ключ", "Value": "ok"}])
    with pytest.raises(ClientError) as excinfo:
        sm.update_feature_metadata(FeatureGroupName=group, FeatureName="age",
                                   ParameterAdditions=[{"Key": "bad!key", "Value": "no"}])
    assert _error(excinfo) == (
        "ValidationException",
        "1 validation error detected: Value 'bad!key' at 'parameterAdditions.1.member.key' failed to satisfy "
        f"constraint: Member must satisfy regular expression pattern: {pattern}",
        400,
    )
    parameters = sm.describe_feature_metadata(FeatureGroupName=group, FeatureName="age")["Parameters"]
    assert parameters == [{"Key": "ключ", "Value": "ok"}]


def test_list_feature_groups_sorts_by_every_value_the_model_allows(sm, group):
    """The model checks SortBy; the handler must know how to sort by each value it lets through."""
    assert sorted(SORT_KEYS) == sorted(model_enum("sagemaker", "FeatureGroupSortBy"))
    for sort_by in model_enum("sagemaker", "FeatureGroupSortBy"):
        for order in model_enum("sagemaker", "FeatureGroupSortOrder"):
            assert sm.list_feature_groups(SortBy=sort_by, SortOrder=order, MaxResults=100)["FeatureGroupSummaries"]


@pytest.mark.parametrize("member", ["TableName", "Database", "Catalog"])
def test_a_data_catalog_name_outside_glues_characters_is_refused(sm, member):
    """DataCatalogConfig's names range over ``[\\u0020-\\uD7FF\\uE000-\\uFFFD\\uD800\\uDC00-\\uDBFF\\uDFFF\\t]*``:
    a line break is not among them (the pattern's surrogate pair once made it unreadable, so unchecked)."""
    name = unique_name()
    catalog = {"TableName": "t", "Database": "sagemaker_featurestore", "Catalog": "AwsDataCatalog", member: "a\nb"}
    request = create_request(name)
    request["OfflineStoreConfig"]["DataCatalogConfig"] = catalog
    with pytest.raises(ClientError) as excinfo:
        sm.create_feature_group(**request)
    pattern = service_model("sagemaker").shape_for(member).metadata["pattern"]
    code, message, status = _error(excinfo)
    assert (code, status) == ("ValidationException", 400)
    assert message.endswith(f"Member must satisfy regular expression pattern: {pattern}")
    with pytest.raises(sm.exceptions.ResourceNotFound):
        sm.describe_feature_group(FeatureGroupName=name)
