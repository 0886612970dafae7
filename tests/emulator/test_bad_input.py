"""Bad requests get the error AWS would give, the server stays up, and the state is unchanged.

Malformed bodies, wrong content types, unknown operations, oversized records, names with path
characters, and randomly generated requests (hypothesis, bounded) against every emulated service.
"""

from __future__ import annotations

import json
from urllib.parse import quote

import botocore.session
import pytest
from botocore.exceptions import ClientError
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from emulator_helpers import (
    SIGNED_RUNTIME,
    create_request,
    error_code,
    raw_post,
    record,
    send,
    served_operations,
    state,
)
from featurestore_demo.rules.values import MAX_RECORD_BYTES
from hypothesis_profiles import examples

JSON11 = "application/x-amz-json-1.1"
SAGEMAKER_OPS = [*served_operations("sagemaker"), "Bogus"]
ATHENA_OPS = [*served_operations("athena"), "Bogus"]
RUNTIME = "sagemaker-featurestore-runtime"
RUNTIME_MODEL = botocore.session.get_session().get_service_model(RUNTIME)
RUNTIME_ROUTES = [(http["method"], http["requestUri"])
                  for http in (RUNTIME_MODEL.operation_model(name).http for name in served_operations(RUNTIME))]
"""(method, request URI template) of each runtime operation the emulator serves, from the model."""
KEYS = ["FeatureGroupName", "Record", "FeatureName", "ValueAsString", "Identifiers", "RecordIdentifiersValueAsString",
        "FeatureNames", "TargetStores", "TtlDuration", "Unit", "Value", "QueryString", "QueryExecutionId",
        "FeatureDefinitions", "FeatureType", "OnlineStoreConfig", "MaxResults", "NextToken", "SortBy",
        "ExpirationTimeResponse", "FeatureAdditions", "ParameterAdditions", "ResultConfiguration", "WorkGroup",
        "CatalogName", "DatabaseName", "TableName", "Expression", "AttributesToGet", "QueryExecutionIds",
        "ExecutionParameters", "ClientRequestToken", "QueryExecutionContext", "Entries", "Features",
        "RecordIdentifierValueAsString", "IncludeSoftDeletedRecords", "DeletionMode", "EventTime"]


@pytest.mark.parametrize("content_type, body", [
    ("application/x-www-form-urlencoded", b"Action=ListFeatureGroups&Version=2017-07-24"),
    ("application/xml", b"<ListFeatureGroups/>"),
    ("application/x-amz-json-1.1", b"[1, 2, 3]"),
    ("application/x-amz-json-1.1", b"\xff\xfe not utf-8"),
])
def test_a_body_that_is_not_a_json_object_is_serialization_exception(emulator, kept, content_type, body):
    before = state(emulator, kept)
    for target in ("SageMaker.ListFeatureGroups", "SageMaker.DeleteFeatureGroup", "AmazonAthena.StartQueryExecution"):
        headers_sent = {"X-Amz-Target": target, "Content-Type": content_type}
        status, headers, answer = send(emulator, "POST", "/", body, headers_sent)
        assert (status, error_code(headers, answer)) == (400, "SerializationException"), target
    status, headers, answer = send(emulator, "PUT", f"/FeatureGroup/{kept}", body,
                                   {"Content-Type": content_type, **SIGNED_RUNTIME})
    assert (status, error_code(headers, answer)) == (400, "SerializationException")
    assert state(emulator, kept) == before


@pytest.mark.parametrize("target", ["SageMaker.", "SageMaker.DeleteFeatureGroupX", "AmazonAthena.DropDatabase",
                                    "Foo.Bar", "DynamoDB_20120810.ListTables"])
def test_unknown_operations_are_unknown_operation_exception(emulator, target):
    status, _, body = raw_post(emulator, "/", b"{}", {"X-Amz-Target": target, "Content-Type": JSON11})
    assert (status, body["__type"]) == (400, "UnknownOperationException")


@pytest.mark.parametrize("method, path", [("POST", "/FeatureGroup/x"), ("PATCH", "/FeatureGroup/x"),
                                          ("GET", "/BatchGetRecord"), ("GET", "/FeatureGroups")])
def test_unknown_runtime_routes_are_unknown_operation_404(emulator, method, path):
    status, headers, _ = send(emulator, method, path, b"", SIGNED_RUNTIME)
    assert (status, headers["x-amzn-errortype"]) == (404, "UnknownOperationException")


def test_a_record_over_350_kb_is_refused_and_writes_nothing(emulator, runtime, kept):
    before = state(emulator, kept)
    with pytest.raises(ClientError) as raised:
        huge = {"FeatureName": "score", "ValueAsString": "1" * MAX_RECORD_BYTES}
        runtime.put_record(FeatureGroupName=kept,
                           Record=[*record(id="big", age=1, score=1.0, event_time=200.0), huge])
    assert raised.value.response["Error"]["Code"] == "ValidationError"
    assert raised.value.response["ResponseMetadata"]["HTTPStatusCode"] == 400
    assert state(emulator, kept) == before


@pytest.mark.parametrize("name", ["../../etc/passwd", "a/b", "..", "kept/../kept", "%2e%2e", "a\\b", "a?b", "a#b"])
def test_names_with_path_characters_are_validation_errors_everywhere(emulator, sm, runtime, kept, name):
    before = state(emulator, kept)
    with pytest.raises(ClientError) as raised:
        runtime.get_record(FeatureGroupName=name, RecordIdentifierValueAsString="r1")
    assert raised.value.response["Error"]["Code"] == "ValidationError"
    with pytest.raises(ClientError) as raised:
        sm.describe_feature_group(FeatureGroupName=name)
    assert raised.value.response["Error"]["Code"] == "ValidationException"
    with pytest.raises(ClientError) as raised:
        sm.create_feature_group(**create_request(name))
    assert raised.value.response["Error"]["Code"] == "ValidationException"
    status, headers, _ = send(emulator, "GET", f"/FeatureGroup/{name}?RecordIdentifierValueAsString=r1",
                              b"", SIGNED_RUNTIME)  # unencoded: slashes and dots as they are
    assert status in (400, 404) and "x-amzn-errortype" in headers
    assert state(emulator, kept) == before


json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(max_size=20),
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.sampled_from(KEYS) | st.text(max_size=5), inner,
                                                                max_size=4),
    max_leaves=12,
)
json_bodies = st.one_of(
    st.dictionaries(st.sampled_from(KEYS), json_values, max_size=5).map(lambda d: json.dumps(d).encode()),
    json_values.map(lambda v: json.dumps(v).encode()),
    st.binary(max_size=64),
)
targets = st.sampled_from(SAGEMAKER_OPS).map("SageMaker.".__add__) | st.sampled_from(ATHENA_OPS).map(
    "AmazonAthena.".__add__)


@st.composite
def requests(draw, group: str) -> tuple[str, str, bytes, dict[str, str]]:
    """A random request for an emulated service (never for moto): control plane, Athena or runtime."""
    body = draw(json_bodies)
    if draw(st.booleans()):
        return "POST", "/", body, {"X-Amz-Target": draw(targets), "Content-Type": JSON11}
    name = draw(st.sampled_from([group, "no-such-group"]) | st.text(min_size=1, max_size=12))
    query = draw(st.dictionaries(st.sampled_from(["RecordIdentifierValueAsString", "EventTime", "FeatureName",
                                                  "DeletionMode", "TargetStores", "ExpirationTimeResponse"]),
                                 st.text(max_size=8), max_size=3))
    method, template = draw(st.sampled_from(RUNTIME_ROUTES))
    path = template.replace("{FeatureGroupName}", quote(name, safe=""))
    path += "?" + "&".join(f"{key}={quote(value)}" for key, value in query.items()) if query else ""
    method = draw(st.sampled_from([method, method, "GET", "PUT", "POST", "DELETE"]))  # mostly the route's own
    return method, path, body, dict(SIGNED_RUNTIME)


@settings(max_examples=examples(150), deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(data=st.data())
def test_random_requests_get_a_4xx_error_and_change_nothing(emulator, kept, data):
    before = state(emulator, kept)
    method, path, body, headers = data.draw(requests(kept))
    status, answer_headers, answer = send(emulator, method, path, body, headers)
    assert status < 500, (method, path, body, answer)
    if status >= 400:
        assert error_code(answer_headers, answer), answer
    assert state(emulator, kept) == before
