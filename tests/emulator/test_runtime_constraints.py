"""Every constraint of the runtime's model, broken once: the AWS error, and nothing changes.

The violations are generated from botocore's model, not listed by hand: for each operation the
emulator serves, a full valid request (every member set: valid_requests) is walked against the input shape, and
each enum, length, pattern, numeric range and required member found yields one request that
breaks it and nothing else (botocore's own serialiser builds it, with its validation off:
model_violations). So a constraint the model gains is tested without a change here, and a hand
copy cannot drift.
"""

from __future__ import annotations

import json

import pytest

from emulator_helpers import create_request, record, send, served_operations, unique_name, wait_created, whole_state
from model_violations import CONSTRAINTS, filled, violations, wire_request
from valid_requests import RUNTIME as VALID

RUNTIME = "sagemaker-featurestore-runtime"
VIOLATIONS = [v for v in violations(RUNTIME, VALID, served_operations(RUNTIME)) if not v.needs_body]
"""The runtime has no JSON 1.1 protocol: what its URL cannot carry is not tried."""


def test_every_served_operation_has_violations():
    assert {violation.operation for violation in VIOLATIONS} == set(served_operations(RUNTIME))
    assert len(VIOLATIONS) > 40


@pytest.mark.parametrize("violation", VIOLATIONS, ids=lambda v: f"{v.operation}:{v.field}:{v.kind}")
def test_a_broken_constraint_is_a_validation_error_that_changes_nothing(emulator, places, violation):
    groups = [places["group"], places["memory"]]
    before = whole_state(emulator, groups)
    params = filled(violation.params, places)
    status, headers, body = send(emulator, *wire_request(RUNTIME, violation.operation, params))

    message = json.loads(body)["message"]
    assert (status, headers["x-amzn-errortype"]) == (400, "ValidationError"), message
    assert message.startswith("1 validation error detected: Value ")
    assert f" at '{violation.field}' failed to satisfy constraint: " in message
    assert CONSTRAINTS[violation.kind] in message
    assert whole_state(emulator, groups) == before


def test_the_valid_requests_are_answered_200(emulator, sm, runtime):
    """The data the violations start from is valid: each request succeeds (on groups of its own)."""
    names = {"group": unique_name("kept"), "memory": unique_name("memory")}
    sm.create_feature_group(**create_request(names["group"]))
    sm.create_feature_group(**create_request(names["memory"], OnlineStoreConfig={"EnableOnlineStore": True,
                                                                                  "StorageType": "InMemory"}))
    for name in names.values():
        wait_created(sm, name)
        runtime.put_record(FeatureGroupName=name, Record=record(id="r1", age=7, score=1.5, event_time=100.0))
    for operation in sorted(served_operations(RUNTIME), key=lambda name: name == "DeleteRecord"):
        status, _, body = send(emulator, *wire_request(RUNTIME, operation, filled(VALID[operation], names)))
        assert status == 200, (operation, body)
    for name in names.values():
        sm.delete_feature_group(FeatureGroupName=name)
