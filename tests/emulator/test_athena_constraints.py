"""Every constraint of the Athena operations the emulator serves, broken once: the AWS error,
and nothing changes.

As for the runtime (test_runtime_constraints): the violations are generated from botocore's
model (model_violations), from a full valid request of each operation (valid_requests). They go
as botocore 1.44 sends them, rest-json; a value the URL cannot carry (an empty or a very long
path segment, a path member left out) goes as JSON 1.1, which older clients speak.

Athena models one client error, InvalidRequestException ("something is wrong with the input to
the request. For example, a required parameter may be missing or out of range"), and the
emulator answers a broken constraint with it, in the front end's wording ("1 validation error
detected: ..."), without an AthenaErrorCode (which the model documents for queries that fail).
"""

from __future__ import annotations

import json
import uuid

import pytest

from emulator_helpers import ATHENA_OUTPUT, error_code, send, served_operations, unique_name, whole_state
from featurestore_demo.service_model import service_model
from model_violations import CONSTRAINTS, MAP_PARTS, filled, violations, wire_request
from valid_requests import ATHENA

VIOLATIONS = violations("athena", ATHENA, served_operations("athena"))
JSON11 = "AmazonAthena."


def test_every_served_operation_with_constraints_has_violations():
    without = {"ListWorkGroups"} - {v.operation for v in VIOLATIONS}  # NextToken and MaxResults have bounds
    assert {violation.operation for violation in VIOLATIONS} | without == set(served_operations("athena"))
    assert len(VIOLATIONS) > 60


def _sent(emulator, operation: str, params: dict, json11: bool) -> tuple[int, str, dict]:
    status, headers, body = send(emulator, *wire_request("athena", operation, params,
                                                         json11_prefix=JSON11 if json11 else None))
    return status, error_code(headers, body), json.loads(body or b"{}")


@pytest.mark.parametrize("violation", VIOLATIONS, ids=lambda v: f"{v.operation}:{v.field}:{v.map_part or ''}{v.kind}")
def test_a_broken_constraint_is_invalid_request_exception_that_changes_nothing(emulator, places, violation):
    groups = [places["group"]]
    before = whole_state(emulator, groups)
    params = filled(violation.params, {**places, "token": uuid.uuid4().hex})
    status, code, answer = _sent(emulator, violation.operation, params, violation.needs_body)

    message = answer["Message"]
    assert (status, code) == (400, "InvalidRequestException"), message
    assert "AthenaErrorCode" not in answer
    assert message.startswith("1 validation error detected: Value ")
    assert f" at '{violation.field}' failed to satisfy constraint: " in message
    assert MAP_PARTS.get(violation.map_part or "", "") in message and CONSTRAINTS[violation.kind] in message
    assert whole_state(emulator, groups) == before


@pytest.mark.parametrize("json11", [False, True], ids=["rest-json", "json-1.1"])
def test_the_valid_requests_are_answered_200(emulator, places, json11):
    """The data the violations start from is valid: each request succeeds, on either protocol."""
    for operation in served_operations("athena"):
        for request in ATHENA[operation] if isinstance(ATHENA[operation], list) else [ATHENA[operation]]:
            params = filled(request, {**places, "token": uuid.uuid4().hex, "new": unique_name("new")})
            status, _, answer = _sent(emulator, operation, params, json11)
            assert status == 200, (operation, answer)


def test_a_map_key_or_value_breaking_its_shape_is_refused_in_aws_wording(emulator, places):
    """AWS lists every constraint of a map's key (value) shape, at the map's field (these were let through)."""
    key = service_model("athena").shape_for("KeyString").metadata
    request = {"QueryString": "SELECT 1", "ResultConfiguration": {"OutputLocation": ATHENA_OUTPUT}}
    before = whole_state(emulator, [places["group"]])
    for configs, constraint in [
        ({"": "v"}, f"Map keys must satisfy constraint: [Member must have length less than or equal to {key['max']}, "
                    f"Member must have length greater than or equal to {key['min']}, "
                    f"Member must satisfy regular expression pattern: {key['pattern']}]"),
        ({"k": "v" * 51201},
         "Map value must satisfy constraint: [Member must have length less than or equal to 51200]"),
    ]:
        shown = "{" + ", ".join(f"{k}={v if len(v) <= 64 else v[:64] + '...'}" for k, v in configs.items()) + "}"
        params = {**request, "EngineConfiguration": {"MaxConcurrentDpus": 2, "AdditionalConfigs": configs}}
        status, code, answer = _sent(emulator, "StartQueryExecution", params, json11=False)
        assert (status, code) == (400, "InvalidRequestException")
        assert answer["Message"] == (f"1 validation error detected: Value '{shown}' at 'engineConfiguration."
                                     f"additionalConfigs' failed to satisfy constraint: {constraint}")
    assert whole_state(emulator, [places["group"]]) == before
