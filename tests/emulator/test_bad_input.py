"""Bad requests get the error AWS would give, the server stays up, and the state is unchanged.

Malformed bodies, wrong content types, unknown operations, oversized records, names with path
characters, and randomly generated requests (hypothesis, bounded) against every emulated service.
"""

from __future__ import annotations

import http.client
import json
from urllib.parse import quote

import pytest
from botocore.exceptions import ClientError
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from emulator_helpers import create_request, raw_post, record, unique_name, wait_created
from local_backend.emulator.wire import MAX_BODY_BYTES

JSON11 = "application/x-amz-json-1.1"
SIGNED_RUNTIME = {"Authorization": "AWS4-HMAC-SHA256 Credential=k/20240101/us-east-1/sagemaker/aws4_request, "
                                   "SignedHeaders=host, Signature=0"}
SAGEMAKER_OPS = ["CreateFeatureGroup", "DescribeFeatureGroup", "ListFeatureGroups", "DeleteFeatureGroup",
                 "UpdateFeatureGroup", "DescribeFeatureMetadata", "UpdateFeatureMetadata", "Bogus"]
ATHENA_OPS = ["StartQueryExecution", "GetQueryExecution", "GetQueryResults", "StopQueryExecution",
              "ListQueryExecutions", "Bogus"]
KEYS = ["FeatureGroupName", "Record", "FeatureName", "ValueAsString", "Identifiers", "RecordIdentifiersValueAsString",
        "FeatureNames", "TargetStores", "TtlDuration", "Unit", "Value", "QueryString", "QueryExecutionId",
        "FeatureDefinitions", "FeatureType", "OnlineStoreConfig", "MaxResults", "NextToken", "SortBy",
        "ExpirationTimeResponse", "FeatureAdditions", "ParameterAdditions", "ResultConfiguration"]


@pytest.fixture(scope="module")
def kept(sm, runtime) -> str:
    """A group holding one record, which no bad request may change."""
    name = unique_name("kept")
    sm.create_feature_group(**create_request(name))
    wait_created(sm, name)
    runtime.put_record(FeatureGroupName=name, Record=record(id="r1", age=7, score=1.5, event_time=100.0))
    return name


def state(emulator, name: str) -> tuple:
    """What a bad request must not change: the group, its online record and its offline history."""
    backend = emulator.backend
    offline = backend.query(f'SELECT COUNT(*) AS n FROM "sagemaker_featurestore"."{_table(backend, name)}"')
    return (backend.describe_feature_group(name)["FeatureGroupStatus"], backend.get_record(name, "r1"),
            int(offline.iloc[0, 0]), sorted(g["FeatureGroupName"] for g in backend.list_feature_groups()))


def _table(backend, name: str) -> str:
    return backend.describe_feature_group(name)["OfflineStoreConfig"]["DataCatalogConfig"]["TableName"]


def send(emulator, method: str, path: str, body: bytes, headers: dict[str, str]) -> tuple[int, dict, bytes]:
    """One raw HTTP request; (status, lower-cased headers, body)."""
    connection = http.client.HTTPConnection(emulator.host, emulator.port, timeout=10)
    try:
        connection.request(method, path, body=body, headers=headers)
        response = connection.getresponse()
        return response.status, {k.lower(): v for k, v in response.getheaders()}, response.read()
    finally:
        connection.close()


def error_code(headers: dict, body: bytes) -> str:
    """The AWS error code as botocore reads it: x-amzn-ErrorType, else ``__type``/``code`` in the body."""
    if "x-amzn-errortype" in headers:
        return headers["x-amzn-errortype"].split(":")[0]
    payload = json.loads(body)
    return (payload.get("__type") or payload.get("code") or "").split("#")[-1]


@pytest.mark.parametrize("content_type, body", [
    ("application/x-www-form-urlencoded", b"Action=ListFeatureGroups&Version=2017-07-24"),
    ("application/xml", b"<ListFeatureGroups/>"),
    ("application/x-amz-json-1.1", b"[1, 2, 3]"),
    ("application/x-amz-json-1.1", b"\xff\xfe not utf-8"),
])
def test_a_body_that_is_not_a_json_object_is_serialization_exception(emulator, kept, content_type, body):
    before = state(emulator, kept)
    for target in ("SageMaker.ListFeatureGroups", "SageMaker.DeleteFeatureGroup", "AmazonAthena.StartQueryExecution"):
        status, headers, answer = send(emulator, "POST", "/", body, {"X-Amz-Target": target, "Content-Type": content_type})
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
        runtime.put_record(FeatureGroupName=kept, Record=record(id="big", age=1, score=1.0, event_time=200.0)
                           + [{"FeatureName": "score", "ValueAsString": "1" * MAX_BODY_BYTES}])
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
    path = draw(st.sampled_from([f"/FeatureGroup/{quote(name, safe='')}", "/BatchGetRecord"]))
    path += "?" + "&".join(f"{key}={quote(value)}" for key, value in query.items()) if query else ""
    return draw(st.sampled_from(["GET", "PUT", "POST", "DELETE"])), path, body, dict(SIGNED_RUNTIME)


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(data=st.data())
def test_random_requests_get_a_4xx_error_and_change_nothing(emulator, kept, data):
    before = state(emulator, kept)
    method, path, body, headers = data.draw(requests(kept))
    status, answer_headers, answer = send(emulator, method, path, body, headers)
    assert status < 500, (method, path, body, answer)
    if status >= 400:
        assert error_code(answer_headers, answer), answer
    assert state(emulator, kept) == before
