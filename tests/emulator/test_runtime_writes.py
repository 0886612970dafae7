"""BatchWriteRecord, ListRecords and UpdateRecord on the wire, driven by plain boto3 (SAGEMAKER_SPEC §2.7).

Responses are compared whole, and checked against the operation's output shape in botocore's
model (:func:`output_misfits`), raw as the emulator sends them.
"""

from __future__ import annotations

import json

import pytest

from emulator_helpers import (
    SIGNED_RUNTIME,
    create_request,
    output_misfits,
    raw_post,
    record,
    send,
    unique_name,
    wait_created,
)
from scenarios.emulator_backend import emulator_backend

RUNTIME = "sagemaker-featurestore-runtime"


@pytest.fixture(params=["Standard_V2", "InMemory"])
def v2_group(sm, request) -> str:
    """A new, Created group whose online store is a tier UpdateRecord serves."""
    name = unique_name("v2")
    request = create_request(name, OnlineStoreConfig={"EnableOnlineStore": True, "StorageType": request.param})
    sm.create_feature_group(**request)
    wait_created(sm, name)
    return name


def values(runtime, group: str, record_id: str) -> dict[str, str] | None:
    """The record's features as the exact strings GetRecord returns, or None."""
    got = runtime.get_record(FeatureGroupName=group, RecordIdentifierValueAsString=record_id)
    return {item["FeatureName"]: item["ValueAsString"] for item in got["Record"]} if "Record" in got else None


def raw(emulator, method: str, path: str, body: dict) -> tuple[int, dict, dict]:
    """A raw runtime request: (status, lower-cased headers, JSON body)."""
    status, headers, payload = send(emulator, method, path, json.dumps(body).encode(),
                                    {**SIGNED_RUNTIME, "Content-Type": "application/json"})
    return status, headers, json.loads(payload or b"{}")


# ---------------------------------------------------------------- StorageType


@pytest.mark.parametrize("tier", ["Standard", "Standard_V2", "InMemory"])
def test_every_storage_type_of_the_model_is_kept_and_described(sm, tier):
    name = unique_name("tier")
    sm.create_feature_group(**create_request(name, OnlineStoreConfig={"EnableOnlineStore": True,
                                                                      "StorageType": tier}))
    assert sm.describe_feature_group(FeatureGroupName=name)["OnlineStoreConfig"]["StorageType"] == tier


def test_an_unknown_storage_type_is_refused_with_the_model_s_enum(sm):
    name = unique_name("tier")
    with pytest.raises(sm.exceptions.ClientError) as excinfo:
        sm.create_feature_group(**create_request(name, OnlineStoreConfig={"EnableOnlineStore": True,
                                                                          "StorageType": "Premium"}))
    error = excinfo.value.response["Error"]
    assert error["Code"] == "ValidationException"
    assert error["Message"] == ("1 validation error detected: Value 'Premium' at 'onlineStoreConfig.storageType' "
                                "failed to satisfy constraint: Member must satisfy enum value set: "
                                "[Standard, Standard_V2, InMemory]")
    assert name not in [g["FeatureGroupName"] for g in sm.list_feature_groups()["FeatureGroupSummaries"]]


# ---------------------------------------------------------------- BatchWriteRecord


def test_batch_write_record_writes_entries_of_several_groups(runtime, group, v2_group):
    response = runtime.batch_write_record(Entries=[
        {"FeatureGroupName": group, "Record": record(id="a", score="12.50", event_time=1.0)},
        {"FeatureGroupName": v2_group, "Record": record(id="b", age=3, event_time=2.0)},
    ])
    assert {key: response[key] for key in ("Errors", "UnprocessedEntries")} == {"Errors": [],
                                                                                "UnprocessedEntries": []}
    assert values(runtime, group, "a") == {"id": "a", "score": "12.50", "event_time": "1.0"}
    assert values(runtime, v2_group, "b") == {"id": "b", "age": "3", "event_time": "2.0"}


def test_batch_write_record_reports_each_failed_entry_and_writes_the_others(emulator, runtime, group):
    bad_value = {"FeatureGroupName": group, "Record": record(id="x", age="1.5", event_time=1.0)}
    no_group = {"FeatureGroupName": "no-such-group", "Record": record(id="y", event_time=1.0)}
    good = {"FeatureGroupName": group, "Record": record(id="z", event_time=1.0)}
    status, _, body = raw(emulator, "POST", "/BatchWriteRecord", {"Entries": [bad_value, no_group, good]})
    assert status == 200 and output_misfits(RUNTIME, "BatchWriteRecord", body) == []
    assert body == {"Errors": [
        {"Entry": bad_value, "ErrorCode": "ValidationError",
         "ErrorMessage": "Invalid value '1.5' for feature 'age' of type Integral: expected a whole number such as "
                         "'42' ('1.0' is rejected: pandas turns integer columns with missing values into floats; "
                         "use DataFrame.convert_dtypes())."},
        {"Entry": no_group, "ErrorCode": "ResourceNotFound",
         "ErrorMessage": "Resource Not Found: Amazon SageMaker can't find a FeatureGroup with name no-such-group"},
    ], "UnprocessedEntries": []}
    assert values(runtime, group, "x") is None and values(runtime, group, "z") is not None


def test_a_batch_whose_every_entry_fails_answers_each_in_errors(runtime):
    entry = {"FeatureGroupName": "no-such-group", "Record": record(id="y", event_time=1.0)}
    response = runtime.batch_write_record(Entries=[entry])
    assert [(e["Entry"], e["ErrorCode"]) for e in response["Errors"]] == [(entry, "ResourceNotFound")]
    assert response["UnprocessedEntries"] == []


def test_batch_write_record_ttl_of_the_request_applies_to_entries_without_their_own(runtime, group):
    runtime.batch_write_record(
        Entries=[{"FeatureGroupName": group, "Record": record(id="own", event_time=4_000_000_000.0),
                  "TtlDuration": {"Unit": "Minutes", "Value": 1}},
                 {"FeatureGroupName": group, "Record": record(id="batch", event_time=4_000_000_000.0)}],
        TtlDuration={"Unit": "Hours", "Value": 1})
    expires = {record_id: runtime.get_record(FeatureGroupName=group, RecordIdentifierValueAsString=record_id,
                                             ExpirationTimeResponse="Enabled")["ExpiresAt"]
               for record_id in ("own", "batch")}
    assert expires == {"own": "2096-10-02T07:07:40.000Z", "batch": "2096-10-02T08:06:40.000Z"}


@pytest.mark.parametrize(("count", "constraint"), [
    (0, "Member must have length greater than or equal to 1"),
    (26, "Member must have length less than or equal to 25"),
])
def test_batch_write_record_takes_1_to_25_entries_and_writes_nothing_otherwise(emulator, runtime, group, count,
                                                                               constraint):
    entries = [{"FeatureGroupName": group, "Record": record(id=f"n{i}", event_time=1.0)} for i in range(count)]
    status, headers, body = raw(emulator, "POST", "/BatchWriteRecord", {"Entries": entries})
    assert (status, headers["x-amzn-errortype"]) == (400, "ValidationError")
    assert body["message"].startswith("1 validation error detected: Value '") and body["message"].endswith(
        f"at 'entries' failed to satisfy constraint: {constraint}")
    assert values(runtime, group, "n0") is None


def test_batch_write_record_checks_each_entry_against_the_model(runtime, group):
    with pytest.raises(runtime.exceptions.ValidationError) as excinfo:
        runtime.batch_write_record(Entries=[{"FeatureGroupName": group, "Record": record(id="t", event_time=1.0),
                                             "TargetStores": ["Elsewhere"]}])
    assert excinfo.value.response["Error"]["Message"] == (
        "1 validation error detected: Value 'Elsewhere' at 'entries.1.member.targetStores.1.member' failed to "
        "satisfy constraint: Member must satisfy enum value set: [OnlineStore, OfflineStore]")
    assert values(runtime, group, "t") is None


# ---------------------------------------------------------------- ListRecords


def test_list_records_pages_through_the_online_store(emulator, runtime, group):
    runtime.batch_write_record(Entries=[{"FeatureGroupName": group, "Record": record(id=f"r{i}", event_time=1.0)}
                                        for i in range(5)])
    status, _, first = raw(emulator, "POST", f"/FeatureGroup/{group}/ListRecords", {"MaxResults": 2})
    assert status == 200 and output_misfits(RUNTIME, "ListRecords", first) == []
    assert first["RecordIdentifiers"] == ["r0", "r1"] and first["NextToken"]
    seen, token = list(first["RecordIdentifiers"]), first["NextToken"]
    while token:
        page = runtime.list_records(FeatureGroupName=group, MaxResults=2, NextToken=token)
        seen += page["RecordIdentifiers"]
        token = page.get("NextToken")
    assert seen == ["r0", "r1", "r2", "r3", "r4"]


def test_list_records_shows_soft_deleted_records_only_when_asked(runtime, group):
    for record_id in ("live", "soft", "hard"):
        runtime.put_record(FeatureGroupName=group, Record=record(id=record_id, event_time=1.0))
    runtime.delete_record(FeatureGroupName=group, RecordIdentifierValueAsString="soft", EventTime="2")
    runtime.delete_record(FeatureGroupName=group, RecordIdentifierValueAsString="hard", EventTime="2",
                          DeletionMode="HardDelete")
    listed = runtime.list_records(FeatureGroupName=group)
    assert listed["RecordIdentifiers"] == ["live"] and "NextToken" not in listed
    with_soft = runtime.list_records(FeatureGroupName=group, IncludeSoftDeletedRecords=True)
    assert with_soft["RecordIdentifiers"] == ["live", "soft"]


@pytest.mark.parametrize(("body", "message"), [
    ({"MaxResults": 101}, "1 validation error detected: Value '101' at 'maxResults' failed to satisfy constraint: "
                          "Member must have value less than or equal to 100"),
    ({"NextToken": "bm90IG1pbmU="}, "Invalid NextToken 'bm90IG1pbmU=': pass the NextToken of the previous "
                                    "ListRecords page as it was."),
])
def test_list_records_refuses_bad_pagination(emulator, group, body, message):
    status, headers, answer = raw(emulator, "POST", f"/FeatureGroup/{group}/ListRecords", body)
    assert (status, headers["x-amzn-errortype"], answer["message"]) == (400, "ValidationError", message)


def test_list_records_of_an_unknown_group_is_resource_not_found(runtime):
    with pytest.raises(runtime.exceptions.ResourceNotFound):
        runtime.list_records(FeatureGroupName="no-such-group")


# ---------------------------------------------------------------- UpdateRecord


def test_update_record_changes_only_the_named_features(emulator, runtime, v2_group):
    runtime.put_record(FeatureGroupName=v2_group, Record=record(id="u", age=30, score=1.5, event_time=100.0))
    status, _, body = raw(emulator, "POST", f"/FeatureGroup/{v2_group}/Record",
                          {"RecordIdentifierValueAsString": "u", "Features": record(age=31)})
    assert (status, body) == (200, {})
    assert values(runtime, v2_group, "u") == {"id": "u", "age": "31", "score": "1.5", "event_time": "100.0"}
    runtime.update_record(FeatureGroupName=v2_group, RecordIdentifierValueAsString="u",
                          Features=record(score=2.5, event_time=100.0))  # an equal EventTime applies
    assert values(runtime, v2_group, "u") == {"id": "u", "age": "31", "score": "2.5", "event_time": "100.0"}


def test_update_record_with_an_older_event_time_is_a_conflict_409(runtime, v2_group):
    runtime.put_record(FeatureGroupName=v2_group, Record=record(id="u", age=30, event_time=100.0))
    with pytest.raises(runtime.exceptions.ConflictException) as excinfo:
        runtime.update_record(FeatureGroupName=v2_group, RecordIdentifierValueAsString="u",
                              Features=record(age=31, event_time=99.0))
    assert excinfo.value.response["ResponseMetadata"]["HTTPStatusCode"] == 409
    assert excinfo.value.response["Error"]["Message"] == (
        "The EventTime of the update of record 'u' is older than the record's; nothing was changed. Send an "
        "EventTime equal to or newer than the record's, or none.")
    assert values(runtime, v2_group, "u") == {"id": "u", "age": "30", "event_time": "100.0"}


@pytest.mark.parametrize("history", ["missing", "soft-deleted"])
def test_update_record_of_no_live_record_is_resource_not_found_404(runtime, v2_group, history):
    if history == "soft-deleted":
        runtime.put_record(FeatureGroupName=v2_group, Record=record(id="u", age=30, event_time=100.0))
        runtime.delete_record(FeatureGroupName=v2_group, RecordIdentifierValueAsString="u", EventTime="101")
    with pytest.raises(runtime.exceptions.ResourceNotFound) as excinfo:
        runtime.update_record(FeatureGroupName=v2_group, RecordIdentifierValueAsString="u", Features=record(age=1))
    assert excinfo.value.response["ResponseMetadata"]["HTTPStatusCode"] == 404
    assert "has no record 'u' in its OnlineStore" in excinfo.value.response["Error"]["Message"]


def test_update_record_with_a_ttl_needs_an_event_time(runtime, v2_group):
    runtime.put_record(FeatureGroupName=v2_group, Record=record(id="u", age=30, event_time=100.0))
    with pytest.raises(runtime.exceptions.ValidationError) as excinfo:
        runtime.update_record(FeatureGroupName=v2_group, RecordIdentifierValueAsString="u", Features=record(age=1),
                              TtlDuration={"Unit": "Days", "Value": 1})
    assert excinfo.value.response["Error"]["Message"] == (
        "A TtlDuration needs an EventTime: set 'event_time' in the features too "
        "(ExpiresAt = EventTime + TtlDuration).")
    assert values(runtime, v2_group, "u") == {"id": "u", "age": "30", "event_time": "100.0"}


def test_update_record_on_a_standard_group_is_refused(runtime, group):
    runtime.put_record(FeatureGroupName=group, Record=record(id="u", age=30, event_time=100.0))
    with pytest.raises(runtime.exceptions.ValidationError) as excinfo:
        runtime.update_record(FeatureGroupName=group, RecordIdentifierValueAsString="u", Features=record(age=1))
    assert excinfo.value.response["Error"]["Message"] == (
        f"UpdateRecord is available only for feature groups whose online store is Standard_V2 or InMemory; "
        f"feature group '{group}' has a Standard online store. Use PutRecord with the whole record instead.")
    assert values(runtime, group, "u") == {"id": "u", "age": "30", "event_time": "100.0"}


def test_update_record_needs_features(emulator, v2_group):
    status, headers, body = raw(emulator, "POST", f"/FeatureGroup/{v2_group}/Record",
                                {"RecordIdentifierValueAsString": "u"})
    assert (status, headers["x-amzn-errortype"], body["message"]) == (
        400, "ValidationError",
        "1 validation error detected: Value 'null' at 'features' failed to satisfy constraint: Member must not be null")


def test_new_routes_go_to_the_runtime_unsigned_too(emulator):
    status, headers, _ = raw_post(emulator, "/BatchWriteRecord", b"{}", {"Content-Type": "application/json"})
    assert (status, headers["x-amzn-ErrorType"]) == (400, "ValidationError")


# ---------------------------------------------------------------- exact values


EXACT = {"id": "e1", "age": "+7", "score": "12.50", "event_time": "2000"}


@pytest.mark.parametrize("write", ["PutRecord", "BatchWriteRecord"])
def test_reads_return_the_exact_strings_put(runtime, group, write):
    if write == "PutRecord":
        runtime.put_record(FeatureGroupName=group, Record=record(**EXACT))
    else:
        runtime.batch_write_record(Entries=[{"FeatureGroupName": group, "Record": record(**EXACT)}])

    assert values(runtime, group, "e1") == EXACT
    batch = runtime.batch_get_record(Identifiers=[{"FeatureGroupName": group, "RecordIdentifiersValueAsString": ["e1"],
                                                   "FeatureNames": ["score", "event_time"]}])
    assert batch["Records"][0]["Record"] == record(score="12.50", event_time="2000")


def test_an_update_keeps_the_exact_strings_of_the_features_it_does_not_name(runtime, v2_group):
    runtime.put_record(FeatureGroupName=v2_group, Record=record(id="e1", score="1e3", event_time="100"))
    runtime.update_record(FeatureGroupName=v2_group, RecordIdentifierValueAsString="e1", Features=record(age="0042"))

    assert values(runtime, v2_group, "e1") == {"id": "e1", "age": "0042", "score": "1e3", "event_time": "100"}


def test_the_offline_store_keeps_typed_values(emulator, runtime, group):
    runtime.put_record(FeatureGroupName=group, Record=record(**EXACT))

    assert emulator.backend.get_record(group, "e1") == {"id": "e1", "age": 7, "score": 12.5, "event_time": 2000.0}
    table = emulator.backend.offline_table(group)
    rows = emulator.backend.query(f"SELECT age, score, event_time FROM {table}")
    assert rows.values.tolist() == [[7, 12.5, 2000.0]]


def test_the_aws_backend_sends_the_texts_given_as_they_are(emulator, runtime, group):
    backend = emulator_backend(emulator)
    backend.put_record(group, {"id": "b1", "score": "12.50", "event_time": "2000"})

    assert values(runtime, group, "b1") == {"id": "b1", "score": "12.50", "event_time": "2000"}
    assert backend.get_record(group, "b1") == {"id": "b1", "score": 12.5, "event_time": 2000.0}  # typed
