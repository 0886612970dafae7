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
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any
from urllib.parse import parse_qs

from featurestore_demo.errors import FeatureStoreError, ResourceNotFound, ValidationException
from featurestore_demo.rules.names import constraint_error
from featurestore_demo.rules.values import MAX_RECORD_BYTES
from local_backend.emulator.shapes import type_error

__all__ = [
    "MAX_BODY_BYTES",
    "Request",
    "Response",
    "TargetService",
    "WireError",
    "check_enum",
    "check_length",
    "json_response",
    "require",
    "resolve_group",
]

MAX_BODY_BYTES = MAX_RECORD_BYTES
"""Largest request body the emulated services accept: the 350 KB record limit (§1.7)."""
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
    oversize: int = 0
    """The length of a body refused for being over :data:`MAX_BODY_BYTES` (then ``body`` is empty)."""
    operation: tuple[str, str] | None = None
    """(botocore service, operation) whose input shape :meth:`json` checks the body against."""

    @classmethod
    def from_environ(cls, environ: dict[str, Any], body: bytes, oversize: int = 0) -> Request:
        """The request of a WSGI ``environ``; ``raw_path`` keeps the percent-encoding."""
        raw = environ.get("RAW_URI") or environ.get("REQUEST_URI") or environ.get("PATH_INFO", "/")
        headers = {
            key[5:].replace("_", "-").lower(): value
            for key, value in environ.items()
            if key.startswith("HTTP_")
        }
        if environ.get("CONTENT_TYPE"):
            headers["content-type"] = environ["CONTENT_TYPE"]
        return cls(
            method=environ.get("REQUEST_METHOD", "GET").upper(),
            path=environ.get("PATH_INFO", "/"),
            raw_path=raw.split("?", 1)[0],
            query=parse_qs(environ.get("QUERY_STRING", ""), keep_blank_values=True),
            headers=headers,
            body=body,
            oversize=oversize,
        )

    def json(self) -> dict[str, Any]:
        """The body as a JSON object (empty body: ``{}``); SerializationException otherwise, or
        when a member has the wrong JSON type for :attr:`operation`'s input shape.

        ValidationException if the body was over the 350 KB limit.
        """
        if self.oversize:
            raise ValidationException(
                f"The request body is {self.oversize} bytes; the limit is {MAX_BODY_BYTES} bytes (350 KB)."
            )
        if not self.body.strip():
            return {}
        try:
            payload = json.loads(self.body)
        except (ValueError, UnicodeDecodeError) as exc:
            raise WireError("SerializationException", f"Malformed JSON request body: {exc}") from None
        if not isinstance(payload, dict):
            raise WireError("SerializationException", "The request body must be a JSON object.")
        problem = type_error(*self.operation, payload) if self.operation else None
        if problem:
            raise WireError("SerializationException", problem)
        return payload


@dataclass
class Response:
    """One HTTP response."""

    status: int = 200
    body: bytes = b""
    headers: dict[str, str] = field(default_factory=dict)

    def header_list(self) -> list[tuple[str, str]]:
        headers = {"x-amzn-RequestId": str(uuid.uuid4()), "Content-Length": str(len(self.body)), **self.headers}
        return list(headers.items())


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
            target = request.headers.get("x-amz-target", "")
            name = target.removeprefix(self.target_prefix)
            operation = self.operations.get(name)
            if not target.startswith(self.target_prefix) or operation is None:
                raise WireError("UnknownOperationException", f"Unknown operation {target or '(none)'}.")
            request.operation = (self.model_name, name)
            return json_response(operation(request.json()))
        except FeatureStoreError as error:
            return self.error(error)

    @abc.abstractmethod
    def error(self, error: FeatureStoreError) -> Response:
        """The wire error of this service for ``error``."""


def _encode(value: Any) -> Any:
    if isinstance(value, datetime):
        return value.timestamp()
    if isinstance(value, date):
        return value.isoformat()
    raise TypeError(f"{type(value).__name__} is not JSON serialisable")


def json_response(
    payload: dict[str, Any], status: int = 200, *, content_type: str = "application/x-amz-json-1.1",
    headers: dict[str, str] | None = None,
) -> Response:
    """A JSON response; datetimes go out as epoch seconds, as the JSON protocols send timestamps."""
    body = json.dumps(payload, default=_encode).encode()
    return Response(status, body, {"Content-Type": content_type, **(headers or {})})


def require(body: dict[str, Any], key: str, field_name: str | None = None) -> Any:
    """``body[key]``, or the AWS "Member must not be null" ValidationException."""
    value = body.get(key)
    if value is None:
        raise constraint_error("null", field_name or _camel(key), "Member must not be null")
    return value


def check_enum(value: Any, allowed: tuple[str, ...], field_name: str) -> Any:
    """``value`` if it is None or one of ``allowed``; else the AWS enum ValidationException."""
    if value is not None and value not in allowed:
        raise constraint_error(value, field_name, f"Member must satisfy enum value set: [{', '.join(allowed)}]")
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
