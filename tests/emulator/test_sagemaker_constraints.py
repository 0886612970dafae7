"""Every constraint of the SageMaker operations the emulator serves, broken once: the AWS error,
and nothing changes.

As for the runtime (test_runtime_constraints): the violations are generated from botocore's
model (model_violations), from a full valid request of each operation (valid_requests), so a
constraint the model gains is tested without a change here.
"""

from __future__ import annotations

import json

import pytest

from emulator_helpers import create_request, record, send, served_operations, unique_name, wait_created, whole_state
from model_violations import CONSTRAINTS, MAP_PARTS, filled, violations, wire_request
from valid_requests import SAGEMAKER

VIOLATIONS = violations("sagemaker", SAGEMAKER, served_operations("sagemaker"))


def test_every_served_operation_has_violations():
    assert {violation.operation for violation in VIOLATIONS} == set(served_operations("sagemaker"))
    assert len(VIOLATIONS) > 100


@pytest.mark.parametrize("violation", VIOLATIONS, ids=lambda v: f"{v.operation}:{v.field}:{v.map_part or ''}{v.kind}")
def test_a_broken_constraint_is_a_validation_exception_that_changes_nothing(emulator, places, violation):
    groups = [places["group"], places["memory"]]
    before = whole_state(emulator, groups)
    params = filled(violation.params, {**places, "new": unique_name("neg")})
    status, _, body = send(emulator, *wire_request("sagemaker", violation.operation, params))

    answer = json.loads(body)
    message = answer["message"]
    assert (status, answer["__type"]) == (400, "ValidationException"), message
    assert message.startswith("1 validation error detected: Value ")
    assert f" at '{violation.field}' failed to satisfy constraint: " in message
    assert MAP_PARTS.get(violation.map_part or "", "") in message and CONSTRAINTS[violation.kind] in message
    assert whole_state(emulator, groups) == before


ORDER = ["CreateFeatureGroup", "DescribeFeatureGroup", "ListFeatureGroups", "UpdateFeatureGroup",
         "DescribeFeatureMetadata", "UpdateFeatureMetadata", "AddTags", "ListTags", "Search", "DeleteTags",
         "DeleteFeatureGroup"]


def test_the_valid_requests_are_answered_200(emulator, sm, runtime):
    """The data the violations start from is valid: each request succeeds (on groups of its own)."""
    assert sorted(ORDER) == sorted(served_operations("sagemaker"))
    standard, memory = unique_name("kept"), unique_name("memory")
    sm.create_feature_group(**create_request(standard))
    in_memory = create_request(memory, OnlineStoreConfig={"EnableOnlineStore": True, "StorageType": "InMemory"})
    del in_memory["OfflineStoreConfig"]
    sm.create_feature_group(**in_memory)
    wait_created(sm, standard)
    wait_created(sm, memory)
    runtime.put_record(FeatureGroupName=standard, Record=record(id="r1", age=7, score=1.5, event_time=100.0))
    names = {"group": standard, "memory": memory, "arn": sm.describe_feature_group(FeatureGroupName=standard)[
        "FeatureGroupArn"]}
    created = []
    for operation in ORDER:
        for request in SAGEMAKER[operation] if isinstance(SAGEMAKER[operation], list) else [SAGEMAKER[operation]]:
            new = unique_name("new")
            status, _, body = send(emulator, *wire_request("sagemaker", operation, filled(request, {**names,
                                                                                                   "new": new})))
            assert status == 200, (operation, body)
            created += [new] if operation == "CreateFeatureGroup" else []
    for name in [memory, *created]:
        wait_created(sm, name)
        sm.delete_feature_group(FeatureGroupName=name)
