"""Helpers of the emulator conformance tests: request shapes, names, raw HTTP, responses against the model."""

from __future__ import annotations

import http.client
import itertools
import json
import socket
import time
import urllib.error
import urllib.request
from typing import Any, BinaryIO

import botocore.session

from local_backend.emulator import Emulator
from local_backend.emulator.coverage import Coverage

_names = itertools.count()
ROLE = "arn:aws:iam::123456789012:role/featurestore-demo"
SIGNED_RUNTIME = {"Authorization": "AWS4-HMAC-SHA256 Credential=k/20240101/us-east-1/sagemaker/aws4_request, "
                                   "SignedHeaders=host, Signature=0"}


def served_operations(service: str) -> list[str]:
    """The operations of ``service`` the emulator serves, from its own dispatch (as the coverage table)."""
    coverage = Coverage()
    try:
        return [name for served, name, handler in coverage.operations() if served == service and handler]
    finally:
        coverage.close()


def unique_name(prefix: str = "conf") -> str:
    return f"{prefix}-{next(_names)}"


def create_request(name: str, *, s3_uri: str = "s3://featurestore-demo-emulator/offline", **extra: Any) -> dict:
    """A CreateFeatureGroup request: id (String), age (Integral), score (Fractional), event_time (Fractional)."""
    return {
        "FeatureGroupName": name,
        "RecordIdentifierFeatureName": "id",
        "EventTimeFeatureName": "event_time",
        "FeatureDefinitions": [
            {"FeatureName": "id", "FeatureType": "String"},
            {"FeatureName": "age", "FeatureType": "Integral"},
            {"FeatureName": "score", "FeatureType": "Fractional"},
            {"FeatureName": "event_time", "FeatureType": "Fractional"},
        ],
        "OnlineStoreConfig": {"EnableOnlineStore": True},
        "OfflineStoreConfig": {"S3StorageConfig": {"S3Uri": s3_uri}},
        "RoleArn": ROLE,
        **extra,
    }


def wait_created(sm, name: str, timeout: float = 5.0) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if sm.describe_feature_group(FeatureGroupName=name)["FeatureGroupStatus"] == "Created":
            return
        time.sleep(0.02)
    raise AssertionError(f"{name} never became Created")


def record(**values: Any) -> list[dict[str, str]]:
    return [{"FeatureName": key, "ValueAsString": str(value)} for key, value in values.items()]


def raw_post(emulator: Emulator, path: str, body: bytes, headers: dict[str, str]) -> tuple[int, dict, Any]:
    """POST raw bytes; returns (status, headers, parsed JSON body)."""
    request = urllib.request.Request(emulator.url + path, data=body, headers=headers, method="POST")
    try:
        with urllib.request.urlopen(request, timeout=10) as response:
            return response.status, dict(response.headers), json.loads(response.read() or b"{}")
    except urllib.error.HTTPError as error:
        return error.code, dict(error.headers), json.loads(error.read() or b"{}")


def state(emulator: Emulator, name: str) -> tuple:
    """What a bad request must not change: the group, its online record and its offline history."""
    backend = emulator.backend
    offline = backend.query(f'SELECT COUNT(*) AS n FROM "sagemaker_featurestore"."{_table(backend, name)}"')
    return (backend.describe_feature_group(name)["FeatureGroupStatus"], backend.get_record(name, "r1"),
            int(offline.iloc[0, 0]), sorted(g["FeatureGroupName"] for g in backend.list_feature_groups()))


def whole_state(emulator: Emulator, groups: list[str], *, offline: bool = True) -> tuple:
    """What no refused request may change, in every service: the names of all groups and, for each
    of ``groups``, its description, record ``r1``, its offline rows (unless not ``offline``: a
    query, the one slow part), each feature's metadata and its tags; and Athena's query executions."""
    backend = emulator.backend
    described = []
    for name in groups:
        description = backend.describe_feature_group(name)
        rows = (backend.query(f'SELECT COUNT(*) AS n FROM "sagemaker_featurestore"."{_table(backend, name)}"')
                .iloc[0, 0] if offline and "OfflineStoreConfig" in description else None)
        metadata = [backend.describe_feature_metadata(name, feature["FeatureName"])
                    for feature in description["FeatureDefinitions"]]
        described.append((description, backend.get_record(name, "r1"), rows, metadata, backend.list_tags(name)))
    return (sorted(g["FeatureGroupName"] for g in backend.list_feature_groups()), described,
            _executions(emulator))


def _executions(emulator: Emulator) -> list[str]:
    """The ids of every Athena query execution, newest first."""
    ids, token = [], None
    while True:
        page = emulator.athena.list_query_executions({"NextToken": token} if token else {})
        ids += page["QueryExecutionIds"]
        token = page.get("NextToken")
        if token is None:
            return ids


def _table(backend, name: str) -> str:
    return backend.describe_feature_group(name)["OfflineStoreConfig"]["DataCatalogConfig"]["TableName"]


def send(emulator: Emulator, method: str, path: str, body: bytes, headers: dict[str, str]) -> tuple[int, dict, bytes]:
    """One raw HTTP request; (status, lower-cased headers, body)."""
    connection = http.client.HTTPConnection(emulator.host, emulator.port, timeout=10)
    try:
        connection.request(method, path, body=body, headers=headers)
        response = connection.getresponse()
        return response.status, {k.lower(): v for k, v in response.getheaders()}, response.read()
    finally:
        connection.close()


def send_bytes(emulator: Emulator, data: bytes, timeout: float = 10.0) -> bytes:
    """Write ``data`` on a fresh socket; the bytes of the first response (the server may keep the
    connection open after it)."""
    with socket.create_connection((emulator.host, emulator.port), timeout=timeout) as sock:
        sock.sendall(data)
        return read_response(sock)


def read_response(source: socket.socket | BinaryIO) -> bytes:
    """The bytes of one HTTP/1.1 response read from a socket (or a file made of one, to read several
    in turn): its head and the body its Content-Length announces (all until the close without
    one); what came before the close if the server closes without a whole response."""
    stream = source.makefile("rb") if isinstance(source, socket.socket) else source
    lines = []
    while (line := stream.readline()) not in (b"\r\n", b""):
        lines.append(line)
    if not lines:
        return b""
    head = b"".join(lines).decode("latin-1").lower()
    length = next((int(line.partition(":")[2]) for line in head.split("\r\n") if line.startswith("content-length:")),
                  -1)
    return b"".join(lines) + b"\r\n" + (stream.read(length) if length >= 0 else stream.read())


def parse_response(raw: bytes) -> tuple[int, dict, bytes]:
    """(status, lower-cased headers, body) of one raw HTTP/1.1 response."""
    head, _, body = raw.partition(b"\r\n\r\n")
    lines = head.decode("latin-1").split("\r\n")
    headers = {key.strip().lower(): value.strip() for key, _, value in (line.partition(":") for line in lines[1:])}
    return int(lines[0].split()[1]), headers, body


def error_code(headers: dict, body: bytes) -> str:
    """The AWS error code as botocore reads it: x-amzn-ErrorType, else ``__type``/``code`` in the body."""
    if "x-amzn-errortype" in headers:
        return headers["x-amzn-errortype"].split(":")[0]
    payload = json.loads(body)
    return (payload.get("__type") or payload.get("code") or "").split("#")[-1]


def output_misfits(service: str, operation: str, payload: Any) -> list[str]:
    """Where a raw JSON response does not fit ``operation``'s output shape in botocore's model,
    strictly: a member the shape lacks, a required member missing, a JSON type or an enum value
    it does not allow. (botocore's parser drops unknown members and checks nothing.)"""
    model = botocore.session.get_session().get_service_model(service)
    return _misfits(model.operation_model(operation).output_shape, payload, operation)


_JSON = {"structure": dict, "map": dict, "list": list, "string": str, "boolean": bool, "integer": int, "long": int,
         "double": (int, float), "float": (int, float), "timestamp": (int, float), "blob": str}


def _misfits(shape, value, path: str) -> list[str]:
    expected = _JSON[shape.type_name]
    if not isinstance(value, expected) or (isinstance(value, bool) and shape.type_name != "boolean"):
        return [f"{path}: {type(value).__name__} where the model has a {shape.type_name}"]
    if shape.type_name == "structure":
        problems = [f"{path}.{key}: not in the model" for key in value if key not in shape.members]
        problems += [f"{path}.{key}: required, missing" for key in shape.required_members if key not in value]
        return problems + [p for key, item in value.items() if key in shape.members
                           for p in _misfits(shape.members[key], item, f"{path}.{key}")]
    if shape.type_name == "list":
        return [p for index, item in enumerate(value) for p in _misfits(shape.member, item, f"{path}[{index}]")]
    if shape.type_name == "map":
        return [p for key, item in value.items() for p in _misfits(shape.value, item, f"{path}.{key}")]
    if getattr(shape, "enum", None) and value not in shape.enum:
        return [f"{path}: {value!r} is not one of {shape.enum}"]
    return []


def athena_call(emulator: Emulator, operation: str, body: dict[str, Any]) -> tuple[int, Any]:
    """One raw Athena request; (status, parsed JSON body)."""
    status, _, answer = raw_post(emulator, "/", json.dumps(body).encode(),
                                 {"X-Amz-Target": f"AmazonAthena.{operation}",
                                  "Content-Type": "application/x-amz-json-1.1"})
    return status, answer


ATHENA_OUTPUT = "s3://featurestore-demo-emulator/athena"
TERMINAL = ("SUCCEEDED", "FAILED", "CANCELLED")


def finished(athena, query_id: str) -> dict[str, Any]:
    """The QueryExecution of ``query_id`` once it is SUCCEEDED, FAILED or CANCELLED."""
    for _ in range(500):
        execution = athena.get_query_execution(QueryExecutionId=query_id)["QueryExecution"]
        if execution["Status"]["State"] in TERMINAL:
            return execution
        time.sleep(0.01)
    raise AssertionError(f"query {query_id} never finished")


def run_query(athena, sql: str, **request: Any) -> dict[str, Any]:
    """Start ``sql`` in sagemaker_featurestore with results under :data:`ATHENA_OUTPUT`; its
    finished QueryExecution. ``request`` adds to or replaces members of StartQueryExecution."""
    request = {"QueryExecutionContext": {"Database": "sagemaker_featurestore"},
               "ResultConfiguration": {"OutputLocation": ATHENA_OUTPUT}, **request}
    return finished(athena, athena.start_query_execution(QueryString=sql, **request)["QueryExecutionId"])
