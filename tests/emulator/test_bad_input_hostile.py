"""Hostile input found with boto3 and raw sockets: each gets the 4xx AWS would give, nothing is
written, and the server answers a good request afterwards.

Lone surrogates, deep nesting, numbers no model type holds, bad or lying Content-Length, a
malformed request line, and values that could not be represented later (an ExpiresAt past
9999-12-31T23:59:59.999Z). Every test here failed (5xx, no answer, or a 200) before the fix.
"""

from __future__ import annotations

import json

import pytest
from botocore.exceptions import ClientError
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from emulator_helpers import (
    SIGNED_RUNTIME,
    create_request,
    error_code,
    parse_response,
    record,
    send,
    send_bytes,
    state,
    unique_name,
)
from hypothesis_profiles import examples
from local_backend.emulator.shapes import body_mismatch
from local_backend.emulator.wire import MAX_JSON_DEPTH

JSON11 = "application/x-amz-json-1.1"
TARGETS = {"DescribeFeatureGroup": "SageMaker.DescribeFeatureGroup",
           "StartQueryExecution": "AmazonAthena.StartQueryExecution"}
CONTROL_CODES = {"SageMaker.DescribeFeatureGroup": "ValidationException",
                 "AmazonAthena.StartQueryExecution": "InvalidRequestException"}


def put_body(event_time: object = 200.0, record_id: str = "new", **extra: object) -> bytes:
    """A PutRecord body for the ``kept`` group's schema (``json.dumps`` escapes surrogates as ``\\udXXX``)."""
    values = {"id": record_id, "age": "1", "score": "1.0", "event_time": str(event_time)}
    return json.dumps({"Record": [{"FeatureName": k, "ValueAsString": v} for k, v in values.items()], **extra}).encode()


def runtime_put(emulator, group: str, body: bytes) -> tuple[int, str]:
    status, headers, answer = send(emulator, "PUT", f"/FeatureGroup/{group}", body,
                                   {"Content-Type": "application/json", **SIGNED_RUNTIME})
    return status, error_code(headers, answer) if status >= 400 else ""


def still_serving(runtime, group: str) -> None:
    """A good request is answered after the bad one."""
    assert runtime.get_record(FeatureGroupName=group, RecordIdentifierValueAsString="r1")["Record"]


@pytest.mark.parametrize("body", [put_body(record_id="\ud800"), put_body(record_id="a\udfffb"),
                                  json.dumps({"Record": [{"FeatureName": "id", "ValueAsString": "r1"},
                                                         {"FeatureName": "event_time", "ValueAsString": "300"},
                                                         {"FeatureName": "\ud800", "ValueAsString": "x"}]}).encode()])
def test_a_lone_surrogate_in_a_put_body_is_serialization_exception(emulator, runtime, kept, body):
    before = state(emulator, kept)
    assert runtime_put(emulator, kept, body) == (400, "SerializationException")
    assert state(emulator, kept) == before
    still_serving(runtime, kept)


@pytest.mark.parametrize("target", list(TARGETS.values()))
def test_a_lone_surrogate_in_a_control_plane_body_is_serialization_exception(emulator, runtime, kept, target):
    before = state(emulator, kept)
    body = json.dumps({"FeatureGroupName": "\ud800", "QueryString": "SELECT '\udc00'"}).encode()
    status, headers, answer = send(emulator, "POST", "/", body, {"X-Amz-Target": target, "Content-Type": JSON11})
    assert (status, error_code(headers, answer)) == (400, "SerializationException")
    assert state(emulator, kept) == before
    still_serving(runtime, kept)


@pytest.mark.parametrize("query", ["RecordIdentifierValueAsString=%ED%A0%80",
                                   "RecordIdentifierValueAsString=r1&FeatureName=%ED%B0%80",
                                   "RecordIdentifierValueAsString=%FF"])
def test_a_query_value_that_is_not_utf8_is_validation_error(emulator, runtime, kept, query):
    before = state(emulator, kept)
    status, headers, _ = send(emulator, "GET", f"/FeatureGroup/{kept}?{query}", b"", SIGNED_RUNTIME)
    assert (status, headers["x-amzn-errortype"]) == (400, "ValidationError")
    status, headers, _ = send(emulator, "DELETE", f"/FeatureGroup/{kept}?{query}&EventTime=999", b"", SIGNED_RUNTIME)
    assert (status, headers["x-amzn-errortype"]) == (400, "ValidationError")
    assert state(emulator, kept) == before
    still_serving(runtime, kept)


def test_a_path_segment_that_is_not_utf8_is_validation_error(emulator, runtime, kept):
    status, headers, _ = send(emulator, "GET", "/FeatureGroup/%ED%A0%80?RecordIdentifierValueAsString=r1",
                              b"", SIGNED_RUNTIME)
    assert (status, headers["x-amzn-errortype"]) == (400, "ValidationError")
    still_serving(runtime, kept)


def nested(depth: int) -> bytes:
    return b"[" * depth + b"]" * depth


@pytest.mark.parametrize("depth", [MAX_JSON_DEPTH + 1, 50_000, 100_000])
def test_json_nested_too_deep_is_serialization_exception_on_every_protocol(emulator, runtime, kept, depth):
    before = state(emulator, kept)
    deep = nested(depth)
    put = b'{"Record": [{"FeatureName": "id", "ValueAsString": "x", "Extra": ' + deep + b"}]}"
    assert runtime_put(emulator, kept, put) == (400, "SerializationException")
    status, headers, answer = send(emulator, "POST", "/BatchGetRecord", b'{"Identifiers": ' + deep + b"}",
                                   {"Content-Type": "application/json", **SIGNED_RUNTIME})
    assert (status, error_code(headers, answer)) == (400, "SerializationException")
    for target in TARGETS.values():
        body = b'{"FeatureGroupName": ' + deep + b', "QueryString": ' + deep + b"}"
        status, headers, answer = send(emulator, "POST", "/", body, {"X-Amz-Target": target, "Content-Type": JSON11})
        assert (status, error_code(headers, answer)) == (400, "SerializationException"), target
    assert state(emulator, kept) == before
    still_serving(runtime, kept)


@pytest.mark.parametrize("path, body", [
    ("/BatchGetRecord", b'{"Identifiers": [null]}'),  # found by the random-request test on CI
    ("/BatchGetRecord", b'{"Identifiers": [{"FeatureGroupName": "kept", "RecordIdentifiersValueAsString": [null]}]}'),
    ("/BatchWriteRecord", b'{"Entries": [null]}'),
])
def test_a_null_member_of_a_list_is_serialization_exception(emulator, runtime, kept, path, body):
    before = state(emulator, kept)
    status, headers, answer = send(emulator, "POST", path, body, {"Content-Type": "application/json", **SIGNED_RUNTIME})
    assert (status, error_code(headers, answer)) == (400, "SerializationException")
    assert state(emulator, kept) == before
    still_serving(runtime, kept)


def test_a_null_value_in_a_map_is_a_serialization_mismatch():
    body = {"Name": "c", "Type": "HIVE", "Parameters": {"metadata-function": None}}
    mismatch = body_mismatch("athena", "CreateDataCatalog", body)
    assert mismatch is not None and mismatch.serialization
    assert body_mismatch("athena", "CreateDataCatalog", {**body, "Parameters": {"metadata-function": "f"}}) is None


@pytest.mark.parametrize("value, code", [("1" + "0" * 400, "SerializationException"),  # 10**400
                                         (str(2**31), "SerializationException"),  # past the model's integer
                                         ("1e400", "SerializationException"), ("NaN", "SerializationException"),
                                         ("0", "ValidationError"), ("-3", "ValidationError")])
def test_a_ttl_value_outside_the_model_range_is_refused(emulator, runtime, kept, value, code):
    before = state(emulator, kept)
    body = put_body()[:-1] + b', "TtlDuration": {"Unit": "Seconds", "Value": ' + value.encode() + b"}}"
    assert runtime_put(emulator, kept, body) == (400, code)
    assert state(emulator, kept) == before
    still_serving(runtime, kept)


@pytest.mark.parametrize("seconds", [str(2**63), "1e300", "-1e20", "253402300800"])
def test_a_timestamp_no_instant_holds_is_serialization_exception(emulator, runtime, kept, seconds):
    """A timestamp member is epoch seconds of years 1 to 9999 (ListFeatureGroups answered 500, OverflowError)."""
    for member in ("CreationTimeAfter", "CreationTimeBefore"):
        body = f'{{"{member}": {seconds}}}'.encode()
        status, headers, answer = send(emulator, "POST", "/", body, {"X-Amz-Target": "SageMaker.ListFeatureGroups",
                                                                     "Content-Type": JSON11})
        assert (status, error_code(headers, answer)) == (400, "SerializationException"), answer
        assert f"ListFeatureGroups.{member}: " in json.loads(answer)["message"]
    status, _, _ = send(emulator, "POST", "/", b'{"CreationTimeAfter": 253402300799.5}',
                        {"X-Amz-Target": "SageMaker.ListFeatureGroups", "Content-Type": JSON11})
    assert status == 200
    still_serving(runtime, kept)


@pytest.mark.parametrize("event_time, ttl", [(253_402_300_799.0, {"Unit": "Seconds", "Value": 1}),
                                             (253_402_300_799.0, {"Unit": "Weeks", "Value": 2**31 - 1}),
                                             (1.0e300, None), (-1.0e300, None)])
def test_a_record_whose_expiry_or_event_time_cannot_be_represented_is_refused_at_put(
        emulator, runtime, kept, event_time, ttl):
    before = state(emulator, kept)
    with pytest.raises(ClientError) as raised:
        runtime.put_record(FeatureGroupName=kept, Record=record(id="r1", age=1, score=1.0, event_time=event_time),
                           **({"TtlDuration": ttl} if ttl else {}))
    assert raised.value.response["Error"]["Code"] == "ValidationError"
    assert "9999-12-31T23:59:59.999Z" in raised.value.response["Error"]["Message"]
    assert state(emulator, kept) == before
    found = runtime.get_record(FeatureGroupName=kept, RecordIdentifierValueAsString="r1",
                               ExpirationTimeResponse="Enabled")  # the read that a stored record used to poison
    assert found["Record"]
    batch = runtime.batch_get_record(Identifiers=[{"FeatureGroupName": kept, "RecordIdentifiersValueAsString": ["r1"]}],
                                     ExpirationTimeResponse="Enabled")
    assert (len(batch["Records"]), batch["Errors"]) == (1, [])


def test_a_string_event_time_at_the_end_of_the_range_with_a_ttl_is_refused(emulator, sm, runtime):
    name = unique_name("iso")
    request = create_request(name)
    request["FeatureDefinitions"][3]["FeatureType"] = "String"
    sm.create_feature_group(**request)
    with pytest.raises(ClientError) as raised:
        runtime.put_record(FeatureGroupName=name, Record=record(id="r1", age=1, score=1.0,
                                                                event_time="9999-12-31T23:59:59Z"),
                           TtlDuration={"Unit": "Days", "Value": 1})
    assert raised.value.response["Error"]["Code"] == "ValidationError"
    assert emulator.backend.get_record(name, "r1") is None
    runtime.put_record(FeatureGroupName=name, Record=record(id="r1", age=1, score=1.0,
                                                            event_time="9999-12-31T23:59:59Z"))  # no TTL: fine
    assert runtime.get_record(FeatureGroupName=name, RecordIdentifierValueAsString="r1",
                              ExpirationTimeResponse="Enabled")["Record"]


@pytest.mark.parametrize("ttl", [{"Unit": "Weeks", "Value": 2**31 - 1}, {"Unit": "Hours", "Value": 2**31 - 1}])
def test_a_group_ttl_no_record_could_carry_is_refused_at_create_and_update(sm, kept, ttl):
    name = unique_name("ttl")
    with pytest.raises(ClientError) as raised:
        sm.create_feature_group(**create_request(name, OnlineStoreConfig={"EnableOnlineStore": True,
                                                                           "TtlDuration": ttl}))
    assert raised.value.response["Error"]["Code"] == "ValidationException"
    with pytest.raises(ClientError) as raised:
        sm.update_feature_group(FeatureGroupName=kept, OnlineStoreConfig={"TtlDuration": ttl})
    assert raised.value.response["Error"]["Code"] == "ValidationException"
    assert "TtlDuration" not in sm.describe_feature_group(FeatureGroupName=kept)["OnlineStoreConfig"]


def request_bytes(content_length: str, body: bytes, target: str = "SageMaker.ListFeatureGroups") -> bytes:
    return (f"POST / HTTP/1.1\r\nHost: x\r\nX-Amz-Target: {target}\r\nContent-Type: {JSON11}\r\n"
            f"Content-Length: {content_length}\r\n\r\n").encode() + body


@pytest.mark.parametrize("content_length", ["-5", "abc", "1e3", "0x10"])
@pytest.mark.parametrize("target", ["SageMaker.ListFeatureGroups", "AmazonAthena.ListQueryExecutions"])
def test_a_content_length_that_is_not_a_byte_count_is_a_400(emulator, runtime, kept, content_length, target):
    before = state(emulator, kept)
    status, headers, answer = parse_response(send_bytes(emulator, request_bytes(content_length, b"{}", target)))
    assert (status, error_code(headers, answer)) == (400, "SerializationException")
    assert state(emulator, kept) == before
    still_serving(runtime, kept)


def test_a_negative_content_length_on_the_runtime_is_a_400(emulator, runtime, kept):
    raw = (f"PUT /FeatureGroup/{kept} HTTP/1.1\r\nHost: x\r\nContent-Length: -5\r\n\r\n").encode() + put_body()
    status, headers, _ = parse_response(send_bytes(emulator, raw))
    assert (status, headers["x-amzn-errortype"]) == (400, "SerializationException")
    still_serving(runtime, kept)


def test_a_malformed_request_line_gets_a_response(emulator, runtime, kept):
    for line in (b"GARBAGE\r\n\r\n", b"GET / HTTP/9.9 extra\r\n\r\n", b"\x00\xff\xfe\r\n\r\n"):
        status, _, _ = parse_response(send_bytes(emulator, line))
        assert 400 <= status < 500, line
    still_serving(runtime, kept)


hostile_strings = st.one_of(st.text(max_size=8), st.sampled_from(["\ud800", "a\udfff", "\udbff\udbff", "\x00"]))
hostile_numbers = st.one_of(st.integers(), st.sampled_from([10**400, 2**31, 2**63, -(2**63) - 1]),
                            st.floats(allow_nan=False, allow_infinity=False))
hostile_values = st.recursive(
    st.none() | st.booleans() | hostile_numbers | hostile_strings,
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(hostile_strings, inner, max_size=3),
    max_leaves=8,
)
hostile_bodies = st.one_of(
    st.fixed_dictionaries({}, optional={"Record": hostile_values, "TtlDuration": hostile_values,
                                        "Identifiers": hostile_values, "FeatureGroupName": hostile_values,
                                        "QueryString": hostile_values}).map(lambda d: json.dumps(d).encode()),
    st.integers(MAX_JSON_DEPTH - 2, 3 * MAX_JSON_DEPTH).map(lambda depth: b'{"Record": ' + nested(depth) + b"}"),
    st.sampled_from([b'{"Value": NaN}', b'{"Value": 1e999}', b'{"x": "\\ud800"}', b"\xed\xa0\x80"]),
    st.binary(max_size=64),
)
hostile_lengths = st.sampled_from(["", "-1", "-5", "abc", "+3", "0x2", "1e3"])
"""Never longer than the body: a lying length waits for the idle timeout (see test_connections)."""


@st.composite
def hostile_requests(draw, group: str) -> bytes:
    """One raw request for an emulated service, with hostile body, values and Content-Length."""
    body = draw(hostile_bodies)
    start = draw(st.sampled_from([f"PUT /FeatureGroup/{group}", "POST /BatchGetRecord", "POST /",
                                  f"GET /FeatureGroup/{group}?RecordIdentifierValueAsString=%ED%A0%80",
                                  f"DELETE /FeatureGroup/{group}?RecordIdentifierValueAsString=r1&EventTime=1e400"]))
    target = draw(st.sampled_from(["SageMaker.DescribeFeatureGroup", "SageMaker.CreateFeatureGroup",
                                   "SageMaker.UpdateFeatureGroup", "AmazonAthena.StartQueryExecution"]))
    length = draw(hostile_lengths | st.sampled_from([str(len(body)), str(max(len(body) - 1, 0))]))
    head = f"{start} HTTP/1.1\r\nHost: x\r\nX-Amz-Target: {target}\r\nContent-Type: {JSON11}\r\n"
    if length:
        head += f"Content-Length: {length}\r\n"
    return head.encode() + b"\r\n" + body


@settings(max_examples=examples(50), deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(data=st.data())
def test_hostile_requests_never_get_a_5xx_and_change_nothing(emulator, kept, data):
    before = state(emulator, kept)
    raw = data.draw(hostile_requests(kept))
    status, _, answer = parse_response(send_bytes(emulator, raw))
    assert 200 <= status < 500, (raw[:200], answer[:300])
    assert state(emulator, kept) == before
