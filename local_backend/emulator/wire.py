"""What every emulated service shares: the request and response, JSON, and request checks.

Requests are checked here for what botocore does not check on the client (maximum lengths,
enums, patterns: SAGEMAKER_SPEC §1.1); the rules of the service itself stay in
:mod:`featurestore_demo.rules`. A failed check raises :class:`WireError` (or the kit's
:class:`~featurestore_demo.errors.ValidationException`), which each service turns into its own
wire error.
"""

from __future__ import annotations

import abc
import json
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, datetime
from random import getrandbits
from typing import Any
from urllib.parse import parse_qs, unquote

from featurestore_demo.errors import FeatureStoreError, ResourceNotFound, ValidationException
from featurestore_demo.rules.names import constraint_error
from local_backend.emulator.shapes import body_mismatch, constraint_violation

__all__ = [
    "MAX_BODY_BYTES",
    "Request",
    "Response",
    "TargetService",
    "WireError",
    "check_constraints",
    "check_types",
    "check_length",
    "json_response",
    "percent_decoded",
    "require",
    "resolve_group",
]

MAX_BODY_BYTES = 24 * 1024 * 1024
"""Largest request body the emulated services read: a framing guard, not the record rule.

The 350 KB record limit is :func:`featurestore_demo.rules.values.record_size`'s alone. This cap
holds any request whose record fits: a PutRecord of a 350 KB record whose every byte JSON
escapes as ``\\u00XX`` (6 bytes) is about 2.2 MB, and a BatchGetRecord of 100 × 100 record
identifiers at the 2 KB limit about 21 MB.
"""
MAX_JSON_DEPTH = 64
"""Deepest JSON nesting a body may have; the deepest input shape of the models is far shallower."""
ARN_PREFIX = "arn:aws"


class WireError(FeatureStoreError):
    """A protocol-level error with its own AWS code (SerializationException, UnknownOperation...)."""

    def __init__(self, code: str, message: str, status: int = 400) -> None:
        super().__init__(message)
        self.code = code  # type: ignore[misc]
        self.status = status


@dataclass
class Request:
    """One HTTP request, decoded as far as every protocol needs."""

    method: str
    path: str
    raw_path: str
    query: dict[str, list[str]]
    headers: dict[str, str]
    body: bytes = b""
    operation: tuple[str, str] | None = None
    """(botocore service, operation) whose input shape :meth:`json` checks the body against."""

    @classmethod
    def from_environ(cls, environ: dict[str, Any], body: bytes) -> Request:
        """The request of a WSGI ``environ``; ``raw_path`` keeps the percent-encoding.

        ValidationException if the query string is not UTF-8 (percent-encoded or not).
        """
        raw = environ.get("RAW_URI") or environ.get("REQUEST_URI") or environ.get("PATH_INFO", "/")
        headers = {_header_name(key): value for key, value in environ.items() if key[:5] == "HTTP_"}
        if environ.get("CONTENT_TYPE"):
            headers["content-type"] = environ["CONTENT_TYPE"]
        return cls(
            method=environ.get("REQUEST_METHOD", "GET").upper(),
            path=environ.get("PATH_INFO", "/"),
            raw_path=raw.split("?", 1)[0],
            query=_query(environ.get("QUERY_STRING", "")),
            headers=headers,
            body=body,
        )

    def json(self) -> dict[str, Any]:
        """The body as a JSON object (empty body: ``{}``).

        SerializationException unless it is UTF-8 JSON text holding an object, nested at most
        :data:`MAX_JSON_DEPTH` deep, with no NaN/Infinity and no lone UTF-16 surrogate (``"\\ud800"``),
        whose members have the JSON types (and numbers the sizes) of :attr:`operation`'s input
        shape; ValidationException for a number outside its shape's ``min``/``max``.
        """
        if not self.body.strip():
            return {}
        payload = _parse_json(self.body)
        if not isinstance(payload, dict):
            raise WireError("SerializationException", "The request body must be a JSON object.")
        problem = _tree_problem(payload)
        if problem:
            raise WireError("SerializationException", problem)
        if self.operation:
            check_types(self.operation, payload)
        return payload


def check_types(operation: tuple[str, str], params: dict[str, Any]) -> None:
    """SerializationException if a member of ``params`` has not the JSON type (or a number not the
    size) of its shape in the input of ``operation`` ((botocore service, operation)); ValidationException
    for a number outside its shape's ``min``/``max``."""
    mismatch = body_mismatch(*operation, params)
    if mismatch and mismatch.serialization:
        raise WireError("SerializationException", mismatch.message)
    if mismatch:
        raise ValidationException(mismatch.message)


def check_constraints(operation: tuple[str, str], params: dict[str, Any]) -> None:
    """The AWS ValidationException, in AWS's wording, for the first constraint of the input shape
    of ``operation`` that the whole input ``params`` breaks: a required member missing, an enum, a
    length or a pattern. AWS's front end checks these before any handler runs, and so does the
    emulator, for every operation it serves."""
    violation = constraint_violation(*operation, params)
    if violation is not None:
        raise violation


def _parse_json(body: bytes) -> Any:
    """``body`` parsed as UTF-8 JSON; SerializationException if it is not (RecursionError included)."""
    try:
        return json.loads(body.decode("utf-8"), parse_constant=_no_constant)
    except UnicodeDecodeError as exc:
        raise WireError("SerializationException", f"The request body is not UTF-8: {exc}") from None
    except RecursionError:
        raise WireError("SerializationException",
                        f"The request body nests JSON deeper than {MAX_JSON_DEPTH} levels.") from None
    except ValueError as exc:
        raise WireError("SerializationException", f"Malformed JSON request body: {exc}") from None


def _no_constant(name: str) -> Any:
    raise ValueError(f"{name} is not a JSON number")


def _tree_problem(payload: Any) -> str | None:
    """Why a parsed body is not acceptable text: nested past :data:`MAX_JSON_DEPTH`, or a string
    (key or value) holding a lone surrogate, which no UTF-8 can carry. Iterative: no recursion."""
    stack: list[tuple[Any, int]] = [(payload, 1)]
    while stack:
        value, depth = stack.pop()
        if isinstance(value, (dict, list)) and depth > MAX_JSON_DEPTH:
            return f"The request body nests JSON deeper than {MAX_JSON_DEPTH} levels."
        if isinstance(value, dict):
            stack.extend((key, depth) for key in value)
            stack.extend((item, depth + 1) for item in value.values())
        elif isinstance(value, list):
            stack.extend((item, depth + 1) for item in value)
        elif isinstance(value, str) and not _is_unicode(value):
            return (f"The string {value[:40]!a} in the request body holds a lone UTF-16 surrogate, "
                    "which is not Unicode text; escape a character outside the BMP as a surrogate pair.")
    return None


def _is_unicode(text: str) -> bool:
    if text.isascii():
        return True
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return False
    return True


_HEADER_NAMES: dict[str, str] = {}
"""``HTTP_X_AMZ_TARGET`` -> ``x-amz-target``, for the names met (a bounded number of them)."""


def _header_name(key: str) -> str:
    name = _HEADER_NAMES.get(key)
    if name is None:
        name = key[5:].replace("_", "-").lower()
        if len(_HEADER_NAMES) < 1024:
            _HEADER_NAMES[key] = name
    return name


def _query(query_string: str) -> dict[str, list[str]]:
    """The query string's parameters, decoded as UTF-8 strictly (WSGI hands it over as latin-1)."""
    if not query_string:
        return {}
    if query_string.isascii() and "%" not in query_string and "+" not in query_string:
        return _plain_query(query_string)
    try:
        return parse_qs(query_string.encode("latin-1").decode("utf-8"), keep_blank_values=True, errors="strict")
    except UnicodeError:
        raise ValidationException(
            "The query string is not UTF-8 (a percent-encoded surrogate such as %ED%A0%80 is not "
            "Unicode text); percent-encode each value's UTF-8 bytes."
        ) from None


def _plain_query(query_string: str) -> dict[str, list[str]]:
    """What ``parse_qs(..., keep_blank_values=True)`` makes of a query with nothing to decode."""
    parameters: dict[str, list[str]] = {}
    for pair in query_string.split("&"):
        if pair:
            name, _, value = pair.partition("=")
            parameters.setdefault(name, []).append(value)
    return parameters


def percent_decoded(text: str, field_name: str) -> str:
    """``text`` with its percent-escapes decoded as UTF-8; ValidationException if they are not UTF-8."""
    try:
        return unquote(text, errors="strict")
    except UnicodeDecodeError:
        raise ValidationException(
            f"The {field_name} in the path is not percent-encoded UTF-8; encode each character's UTF-8 bytes."
        ) from None


@dataclass
class Response:
    """One HTTP response."""

    status: int = 200
    body: bytes = b""
    headers: dict[str, str] = field(default_factory=dict)

    def header_list(self) -> list[tuple[str, str]]:
        headers = {"x-amzn-RequestId": _request_id(), "Content-Length": str(len(self.body)), **self.headers}
        return list(headers.items())


def _request_id() -> str:
    """A random version-4 UUID, as AWS's request ids are (from ``random``: an id, not a secret)."""
    bits = getrandbits(128)
    text = f"{bits:032x}"
    return f"{text[:8]}-{text[8:12]}-4{text[13:16]}-{'89ab'[bits & 3]}{text[17:20]}-{text[20:]}"


class TargetService(abc.ABC):
    """A JSON 1.1 service: ``X-Amz-Target: <target_prefix><Operation>`` → ``operations[Operation](body)``.

    Subclasses fill ``operations`` and say how an error goes on the wire (:meth:`error`).
    """

    target_prefix = ""
    model_name = ""
    """The botocore service name, whose input shapes request bodies are checked against."""
    internal_code = "InternalFailure"
    operations: dict[str, Callable[[dict[str, Any]], dict[str, Any]]]

    def handle(self, request: Request) -> Response:
        """Parse → operation → serialise; every kit error becomes this service's wire error."""
        try:
            name, params = self.operation_input(request)
            return json_response(self.operations[name](params))
        except FeatureStoreError as error:
            return self.error(error)

    def operation_input(self, request: Request) -> tuple[str, dict[str, Any]]:
        """(operation, input) of a request: the operation its target names, its body the input."""
        target = request.headers.get("x-amz-target", "")
        name = target.removeprefix(self.target_prefix)
        if not target.startswith(self.target_prefix) or name not in self.operations:
            raise WireError("UnknownOperationException", f"Unknown operation {target or '(none)'}.")
        request.operation = (self.model_name, name)
        params = request.json()
        check_constraints(request.operation, params)
        return name, params

    @abc.abstractmethod
    def error(self, error: FeatureStoreError) -> Response:
        """The wire error of this service for ``error``."""


def _encode(value: Any) -> Any:
    if isinstance(value, datetime):
        return value.timestamp()
    if isinstance(value, date):
        return value.isoformat()
    raise TypeError(f"{type(value).__name__} is not JSON serialisable")


_ENCODER = json.JSONEncoder(default=_encode)
"""``json.dumps(payload, default=_encode)``, without making an encoder per call."""


def json_response(
    payload: dict[str, Any], status: int = 200, *, content_type: str = "application/x-amz-json-1.1",
    headers: dict[str, str] | None = None,
) -> Response:
    """A JSON response; datetimes go out as epoch seconds, as the JSON protocols send timestamps."""
    body = _ENCODER.encode(payload).encode()
    return Response(status, body, {"Content-Type": content_type, **(headers or {})})


def require(body: dict[str, Any], key: str, field_name: str | None = None) -> Any:
    """``body[key]``, or the AWS "Member must not be null" ValidationException."""
    value = body.get(key)
    if value is None:
        raise constraint_error("null", field_name or _camel(key), "Member must not be null")
    return value


def check_length(value: Any, low: int, high: int, field_name: str) -> Any:
    """``value`` if it is None or its length is in [low, high]; else the AWS ValidationException."""
    if value is None:
        return value
    if not isinstance(value, (str, list)):
        raise constraint_error(value, field_name, "Member must be of the right type")
    if len(value) < low:
        raise constraint_error(value, field_name, f"Member must have length greater than or equal to {low}")
    if len(value) > high:
        raise constraint_error(value, field_name, f"Member must have length less than or equal to {high}")
    return value


def resolve_group(backend: Any, name_or_arn: Any, max_length: int, field_name: str = "featureGroupName") -> str:
    """The feature-group name of a name or an ARN (SAGEMAKER_SPEC §1.3); ResourceNotFound for an unknown ARN."""
    check_length(name_or_arn, 1, max_length, field_name)
    if not isinstance(name_or_arn, str) or not name_or_arn.startswith(ARN_PREFIX):
        return name_or_arn
    name = backend.group_name_of_arn(name_or_arn)
    if name is not None:
        return name
    raise ResourceNotFound(
        f"Resource Not Found: Amazon SageMaker can't find a FeatureGroup with name {name_or_arn}"
    )


def _camel(key: str) -> str:
    return key[:1].lower() + key[1:]
