"""Every constraint of the runtime's model, broken once: the AWS error, and nothing changes.

The violations are generated from botocore's model, not listed by hand: for each operation the
emulator serves, a full valid request (every member set) is walked against the input shape, and
each enum, length, pattern, numeric range and required member found yields one request that
breaks it and nothing else (botocore's own serialiser builds it, with its validation off). So a
constraint the model gains is tested without a change here, and a hand copy cannot drift.
"""

from __future__ import annotations

import json
from typing import Any, NamedTuple
from urllib.parse import urlencode

import pytest
from botocore.model import ListShape, Shape, StructureShape
from botocore.serialize import create_serializer

from emulator_helpers import SIGNED_RUNTIME, record, send, served_operations, state
from featurestore_demo.service_model import service_model

RUNTIME = "sagemaker-featurestore-runtime"
MODEL = service_model(RUNTIME)
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
LONGEST_IN_URL = 4096
"""Longer texts are not tried where the URL carries them (path, query string); nor are empty
ones there, which the wire cannot tell from a member left out."""


CONSTRAINTS = {"enum": "Member must satisfy enum value set: [", "min": "greater than or equal to ",
               "max": "less than or equal to ", "pattern": "Member must satisfy regular expression pattern: ",
               "required": "Member must not be null"}
"""What AWS's message says for each kind of constraint broken."""


class Violation(NamedTuple):
    operation: str
    field: str  # as AWS names it: entries.1.member.targetStores.1.member
    kind: str  # a key of CONSTRAINTS
    params: dict[str, Any]


def violations() -> list[Violation]:
    """One request per constraint of each served operation's input shape."""
    found = []
    for operation in served_operations(RUNTIME):
        shape = MODEL.operation_model(operation).input_shape
        for field, kind, path, value in _broken(shape, VALID[operation], "", (), in_url=False):
            found.append(Violation(operation, field, kind, _replaced(VALID[operation], path, value)))
    return found


def _broken(shape: Shape, value: Any, field: str, path: tuple, in_url: bool):
    """(field, kind, path, breaking value) for each constraint of ``shape`` and its members at ``value``."""
    meta, enum = shape.metadata, getattr(shape, "enum", None)
    if enum:
        yield field, "enum", path, "NotInTheEnum"
    elif shape.type_name in ("string", "list"):
        item = "x" if shape.type_name == "string" else (value[0] if value else "x")
        if meta.get("min", 0) > 0 and not in_url:  # an empty path segment or query list is no member at all
            yield field, "min", path, "" if shape.type_name == "string" else []
        if "max" in meta and not (in_url and meta["max"] >= LONGEST_IN_URL):
            too_long = ("x" * (meta["max"] + 1)) if shape.type_name == "string" else [item] * (meta["max"] + 1)
            yield field, "max", path, too_long
        if meta.get("pattern") and meta["pattern"] != ".*":
            yield field, "pattern", path, "bad name!"
    elif shape.type_name == "integer":
        if "min" in meta:
            yield field, "min", path, meta["min"] - 1
        if "max" in meta:
            yield field, "max", path, meta["max"] + 1
    if isinstance(shape, StructureShape):
        for name, member in shape.members.items():
            sub = f"{field}.{name[:1].lower()}{name[1:]}" if field else name[:1].lower() + name[1:]
            url = member.serialization.get("location") in ("uri", "querystring")
            if name in shape.required_members and member.serialization.get("location") != "uri":
                yield sub, "required", (*path, name), None
            if name in value:
                yield from _broken(member, value[name], sub, (*path, name), in_url or url)
    elif isinstance(shape, ListShape) and value:
        yield from _broken(shape.member, value[0], f"{field}.1.member", (*path, 0), in_url)


def _replaced(params: Any, path: tuple, value: Any) -> Any:
    """A copy of ``params`` with the member at ``path`` set to ``value`` (None: left out)."""
    if not path:
        return value
    copy = json.loads(json.dumps(params))
    target = copy
    for key in path[:-1]:
        target = target[key]
    if value is None:
        del target[path[-1]]
    else:
        target[path[-1]] = value
    return copy


VIOLATIONS = violations()


def test_every_served_operation_has_violations():
    assert {violation.operation for violation in VIOLATIONS} == set(served_operations(RUNTIME))
    assert len(VIOLATIONS) > 40


@pytest.mark.parametrize("violation", VIOLATIONS, ids=lambda v: f"{v.operation}:{v.field}:{v.kind}")
def test_a_broken_constraint_is_a_validation_error_that_changes_nothing(emulator, kept, violation):
    before = state(emulator, kept)
    params = json.loads(json.dumps(violation.params).replace(GROUP, kept))
    operation_model = MODEL.operation_model(violation.operation)
    request = create_serializer("rest-json", include_validation=False).serialize_to_request(params, operation_model)
    query = urlencode(request["query_string"], doseq=True)
    path = request["url_path"] + (f"?{query}" if query else "")
    status, headers, body = send(emulator, request["method"], path, request["body"],
                                 {**SIGNED_RUNTIME, "Content-Type": "application/json"})

    message = json.loads(body)["message"]
    assert (status, headers["x-amzn-errortype"]) == (400, "ValidationError"), message
    assert message.startswith("1 validation error detected: Value ")
    assert f" at '{violation.field}' failed to satisfy constraint: " in message
    assert CONSTRAINTS[violation.kind] in message
    assert state(emulator, kept) == before
