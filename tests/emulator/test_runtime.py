"""The feature-store runtime of the emulator, driven by plain boto3 (SAGEMAKER_SPEC §2)."""

from __future__ import annotations

from datetime import datetime, timezone

import pytest

from emulator_helpers import create_request, record, unique_name, wait_created


def test_missing_record_has_no_record_key(runtime, group):
    response = runtime.get_record(FeatureGroupName=group, RecordIdentifierValueAsString="nobody")
    assert set(response) == {"ResponseMetadata"}


def test_unknown_group_on_get_record_is_resource_not_found_404(runtime):
    with pytest.raises(runtime.exceptions.ResourceNotFound) as excinfo:
        runtime.get_record(FeatureGroupName="no-such-group", RecordIdentifierValueAsString="u1")
    response = excinfo.value.response
    assert response["ResponseMetadata"]["HTTPStatusCode"] == 404
    assert response["ResponseMetadata"]["HTTPHeaders"]["x-amzn-errortype"] == "ResourceNotFound"


def test_older_put_is_ignored_online(runtime, group):
    runtime.put_record(FeatureGroupName=group, Record=record(id="u1", age=31, event_time=200.0))
    runtime.put_record(FeatureGroupName=group, Record=record(id="u1", age=29, event_time=100.0))
    got = runtime.get_record(FeatureGroupName=group, RecordIdentifierValueAsString="u1")
    assert got["Record"] == [
        {"FeatureName": "id", "ValueAsString": "u1"},
        {"FeatureName": "age", "ValueAsString": "31"},
        {"FeatureName": "event_time", "ValueAsString": "200.0"},
    ]


def test_stale_hard_delete_is_validation_error(runtime, group):
    runtime.put_record(FeatureGroupName=group, Record=record(id="u1", event_time=200.0))
    with pytest.raises(runtime.exceptions.ValidationError) as excinfo:
        runtime.delete_record(FeatureGroupName=group, RecordIdentifierValueAsString="u1", EventTime="100",
                              DeletionMode="HardDelete")
    assert excinfo.value.response["ResponseMetadata"]["HTTPStatusCode"] == 400
    assert "HardDelete of record 'u1' rejected" in excinfo.value.response["Error"]["Message"]
    runtime.delete_record(FeatureGroupName=group, RecordIdentifierValueAsString="u1", EventTime="300")
    assert "Record" not in runtime.get_record(FeatureGroupName=group, RecordIdentifierValueAsString="u1")


def test_bad_value_is_validation_error(runtime, group):
    with pytest.raises(runtime.exceptions.ValidationError) as excinfo:
        runtime.put_record(FeatureGroupName=group, Record=record(id="u1", age="1.0", event_time=1.0))
    assert "Invalid value '1.0' for feature 'age' of type Integral" in excinfo.value.response["Error"]["Message"]


def test_arn_in_the_path_and_ttl_expires_at(sm, runtime, group):
    arn = sm.describe_feature_group(FeatureGroupName=group)["FeatureGroupArn"]
    runtime.put_record(FeatureGroupName=arn, Record=record(id="u1", event_time=4_000_000_000.0),
                       TtlDuration={"Unit": "Minutes", "Value": 2})
    got = runtime.get_record(FeatureGroupName=arn, RecordIdentifierValueAsString="u1",
                             ExpirationTimeResponse="Enabled")
    expected = datetime.fromtimestamp(4_000_000_120, tz=timezone.utc).strftime("%Y-%m-%dT%H:%M:%S.000Z")
    assert got["ExpiresAt"] == expected
    plain = runtime.get_record(FeatureGroupName=arn, RecordIdentifierValueAsString="u1")
    assert "ExpiresAt" not in plain


def test_batch_get_record_shapes(runtime, group):
    runtime.put_record(FeatureGroupName=group, Record=record(id="a", age=1, event_time=1.0))
    response = runtime.batch_get_record(Identifiers=[
        {"FeatureGroupName": group, "RecordIdentifiersValueAsString": ["a", "missing"], "FeatureNames": ["age"]},
        {"FeatureGroupName": "no-such-group", "RecordIdentifiersValueAsString": ["x"]},
    ])
    assert response["Records"] == [{"FeatureGroupName": group, "RecordIdentifierValueAsString": "a",
                                    "Record": [{"FeatureName": "age", "ValueAsString": "1"}]}]
    errors = [(e["FeatureGroupName"], e["ErrorCode"]) for e in response["Errors"]]
    assert errors == [("no-such-group", "ResourceNotFound")]
    assert response["UnprocessedIdentifiers"] == []


def test_offline_only_group_refuses_online_reads(sm, runtime):
    name = unique_name()
    request = create_request(name)
    del request["OnlineStoreConfig"]
    sm.create_feature_group(**request)
    wait_created(sm, name)
    runtime.put_record(FeatureGroupName=name, Record=record(id="u1", event_time=1.0))
    with pytest.raises(runtime.exceptions.ValidationError):
        runtime.get_record(FeatureGroupName=name, RecordIdentifierValueAsString="u1")
