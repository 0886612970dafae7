"""Every constraint of the runtime's model, broken once: the AWS error, and nothing changes.

The violations are generated from botocore's model, not listed by hand: for each operation the
emulator serves, a full valid request (every member set) is walked against the input shape, and
each enum, length, pattern, numeric range and required member found yields one request that
breaks it and nothing else (botocore's own serialiser builds it, with its validation off). So a
constraint the model gains is tested without a change here, and a hand copy cannot drift.
"""

from __future__ import annotations

import json
from typing import Any

import pytest

from emulator_helpers import record, send, served_operations, state
from model_violations import CONSTRAINTS, filled, violations, wire_request

RUNTIME = "sagemaker-featurestore-runtime"
GROUP = "{group}"
ENTRY = {"FeatureGroupName": GROUP, "Record": record(id="r1", age=7, event_time=50.0),
         "TargetStores": ["OnlineStore"], "TtlDuration": {"Unit": "Days", "Value": 1}}
VALID: dict[str, dict[str, Any]] = {
    "PutRecord": {k: v for k, v in ENTRY.items()},
    "GetRecord": {"FeatureGroupName": GROUP, "RecordIdentifierValueAsString": "r1", "FeatureNames": ["age"],
                  "ExpirationTimeResponse": "Enabled"},
    "DeleteRecord": {"FeatureGroupName": GROUP, "RecordIdentifierValueAsString": "r1", "EventTime": "50",
                     "TargetStores": ["OnlineStore"], "DeletionMode": "SoftDelete"},
    "BatchGetRecord": {"Identifiers": [{"FeatureGroupName": GROUP, "RecordIdentifiersValueAsString": ["r1"],
                                        "FeatureNames": ["age"]}], "ExpirationTimeResponse": "Enabled"},
    "BatchWriteRecord": {"Entries": [ENTRY], "TtlDuration": {"Unit": "Days", "Value": 1}},
    "ListRecords": {"FeatureGroupName": GROUP, "MaxResults": 10, "NextToken": "eyJhZnRlciI6ICIifQ==",
                    "IncludeSoftDeletedRecords": True},
    "UpdateRecord": {"FeatureGroupName": GROUP, "RecordIdentifierValueAsString": "r1", "Features": record(age=8),
                     "TargetStores": ["OnlineStore"], "TtlDuration": {"Unit": "Days", "Value": 1}},
}
"""A valid request of each operation, every member set (``{group}`` is the kept group)."""
VIOLATIONS = [v for v in violations(RUNTIME, VALID, served_operations(RUNTIME)) if not v.needs_body]
"""The runtime has no JSON 1.1 protocol: what its URL cannot carry is not tried."""


def test_every_served_operation_has_violations():
    assert {violation.operation for violation in VIOLATIONS} == set(served_operations(RUNTIME))
    assert len(VIOLATIONS) > 40


@pytest.mark.parametrize("violation", VIOLATIONS, ids=lambda v: f"{v.operation}:{v.field}:{v.kind}")
def test_a_broken_constraint_is_a_validation_error_that_changes_nothing(emulator, kept, violation):
    before = state(emulator, kept)
    method, path, body, headers = wire_request(RUNTIME, violation.operation, filled(violation.params, {"group": kept}))
    status, headers, body = send(emulator, method, path, body, headers)

    message = json.loads(body)["message"]
    assert (status, headers["x-amzn-errortype"]) == (400, "ValidationError"), message
    assert message.startswith("1 validation error detected: Value ")
    assert f" at '{violation.field}' failed to satisfy constraint: " in message
    assert CONSTRAINTS[violation.kind] in message
    assert state(emulator, kept) == before
