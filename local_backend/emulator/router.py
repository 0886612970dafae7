"""The WSGI application: one port, every service, dispatched as AWS endpoints would be.

A request goes to the feature-store control plane or Athena by its ``X-Amz-Target``, to the
feature-store runtime by its path (the literal starts of the runtime model's request URIs:
``/FeatureGroup/...``, ``/BatchGetRecord``, ``/BatchWriteRecord``), and otherwise by
the service name in its SigV4 credential scope; anything else (S3, STS, IAM, Glue...) goes to
moto. A Glue DeleteTable, BatchDeleteTable or DeleteDatabase that moto answers with success is
then passed on, with the region of its signature (:class:`GlueHook`), so the tables it removed
leave Athena too.
No request crashes the server: an unexpected error is logged and answered with the service's
internal-failure error (status 500), a last line of defence that no request of the
hostile-input tests reaches. A request whose body cannot be framed (a negative, non-numeric or
lying Content-Length, a body over :data:`MAX_BODY_BYTES`) is answered with a 4xx; the server
(:mod:`.http_server`) keeps a connection only when its body was read to the announced end.
"""

from __future__ import annotations

import io
import logging
import re
from collections.abc import Callable, Iterable
from http import HTTPStatus
from typing import Any, Protocol

from featurestore_demo.errors import FeatureStoreError, ValidationException
from local_backend.emulator.glue_tables import DELETES
from local_backend.emulator.rest import path_prefixes
from local_backend.emulator.wire import MAX_BODY_BYTES, Request, Response, WireError, json_response

__all__ = ["Router", "Service", "GlueHook", "signing_region"]

log = logging.getLogger(__name__)
RUNTIME_MODEL = "sagemaker-featurestore-runtime"
GLUE_TARGET = "AWSGlue."
DISCARD_LIMIT = 64 * 1024 * 1024
_REASONS = {status.value: status.phrase for status in HTTPStatus}
WsgiApp = Callable[[dict[str, Any], Callable[..., Any]], Iterable[bytes]]


class Service(Protocol):
    internal_code: str

    def handle(self, request: Request) -> Response: ...

    def error(self, error: FeatureStoreError) -> Response: ...


class GlueHook(Protocol):
    """What follows a Glue delete moto did, in the request's region (:class:`GlueTables.after_delete`)."""

    def after_delete(self, operation: str, body: bytes, response: bytes, region: str) -> None: ...


class Router:
    """Dispatch to the emulated services, or to ``fallback`` (moto's WSGI application); Glue's
    deletes are passed on to ``glue`` once moto has done them."""

    def __init__(self, sagemaker: Service, runtime: Service, athena: Service, fallback: WsgiApp,
                 glue: GlueHook | None = None) -> None:
        self.sagemaker, self.runtime, self.athena, self.fallback = sagemaker, runtime, athena, fallback
        self.glue = glue

    def __call__(self, environ: dict[str, Any], start_response: Callable[..., Any]) -> Iterable[bytes]:
        service = self.service_for(environ)
        operation = environ.get("HTTP_X_AMZ_TARGET", "").removeprefix(GLUE_TARGET)
        if service is None and self.glue is not None and operation in DELETES:
            return self._glue_delete(operation, environ, start_response)
        if service is None:
            return self.fallback(environ, start_response)
        try:
            request = _read_request(environ)
        except FeatureStoreError as error:  # the body (or query) could not be read
            response = service.error(error)
        else:
            response = self._handled(service, request)
        start_response(f"{response.status} {_REASONS[response.status]}", response.header_list())
        return [response.body]

    def _glue_delete(self, operation: str, environ: dict[str, Any], start_response: Callable[..., Any]) -> list[bytes]:
        """moto's answer to a Glue delete; on success, the tables it deleted leave Athena too.

        The body is read here, as for the emulated services (a body that cannot be framed is
        answered with their JSON error), and handed to moto from memory.
        """
        try:
            body = _read_request(environ).body
        except FeatureStoreError as error:
            response = json_response({"__type": error.code, "message": str(error)}, getattr(error, "status", 400))
            start_response(f"{response.status} {HTTPStatus(response.status).phrase}", response.header_list())
            return [response.body]
        environ["wsgi.input"] = io.BytesIO(body)
        environ["CONTENT_LENGTH"] = str(len(body))
        statuses: list[str] = []

        def remember(status: str, headers: list[tuple[str, str]], exc_info: Any = None) -> Any:
            statuses.append(status)
            return start_response(status, headers, exc_info)

        answer = self.fallback(environ, remember)
        try:
            payload = b"".join(answer)
        finally:
            getattr(answer, "close", lambda: None)()
        if statuses and statuses[-1].startswith("2") and self.glue is not None:
            try:
                region = signing_region(environ.get("HTTP_AUTHORIZATION", ""))
                self.glue.after_delete(operation, body, payload, region)
            except Exception:  # moto has deleted: answer its success whatever Athena's side did
                log.exception("Dropping the Athena tables of Glue %s failed", operation)
        return [payload]

    @staticmethod
    def _handled(service: Service, request: Request) -> Response:
        """The service's response, or its internal-failure error (500) if it raised unexpectedly."""
        try:
            return service.handle(request)
        except Exception as exc:  # the last line of defence: log it, answer 500, keep serving
            log.exception("Unexpected error in %s", type(service).__name__)
            failure = WireError(service.internal_code, f"Internal error in the emulator: {type(exc).__name__}", 500)
            return service.error(failure)

    def service_for(self, environ: dict[str, Any]) -> Service | None:
        """The emulated service a request is for, or None for moto."""
        target = environ.get("HTTP_X_AMZ_TARGET", "")
        if target.startswith("SageMaker."):
            return self.sagemaker
        if target.startswith("AmazonAthena."):
            return self.athena
        signing = _signing_service(environ.get("HTTP_AUTHORIZATION", ""))
        path = environ.get("PATH_INFO", "")
        if signing in ("", "sagemaker") and path.startswith(path_prefixes(RUNTIME_MODEL)):
            return self.runtime
        if signing == "sagemaker":
            return self.sagemaker if path in ("", "/") else self.runtime
        if signing == "athena":
            return self.athena
        if target and not signing:  # moto would take an unsigned request for S3, which has no targets
            return self.sagemaker  # whose JSON 1.1 handler answers UnknownOperationException
        return None


_CREDENTIAL = re.compile(r"(?:^|[\s,])(Credential=[^\s,]*)")
"""The first word (words end at white space or a comma) that starts with ``Credential=``."""


_last_scope: tuple[str, list[str]] = ("", [])
"""The last header read and its scope: the router and then the request's region read the same one."""


def _credential_scope(authorization: str) -> list[str]:
    """The parts of a SigV4 ``Credential=KEY/DATE/REGION/SERVICE/aws4_request`` scope ([] if none)."""
    global _last_scope
    header, scope = _last_scope
    if header == authorization:
        return scope
    found = _CREDENTIAL.search(authorization)
    scope = found.group(1).split("/") if found is not None else []
    scope = scope if len(scope) == 5 else []
    _last_scope = (authorization, scope)
    return scope


def _signing_service(authorization: str) -> str:
    """The service of a request's SigV4 credential scope ('' if none)."""
    scope = _credential_scope(authorization)
    return scope[3].lower() if scope else ""


def signing_region(authorization: str) -> str:
    """The region of a request's SigV4 credential scope ('' if unsigned), as AWS reads it."""
    scope = _credential_scope(authorization)
    return scope[2] if scope else ""


def _read_request(environ: dict[str, Any]) -> Request:
    """The request with its body; SerializationException if the body cannot be read as its
    ``Content-Length`` announces (not a byte count, or fewer bytes before the socket timeout),
    ValidationException (after discarding up to :data:`DISCARD_LIMIT`) if it is over the cap."""
    length = _content_length(environ.get("CONTENT_LENGTH") or "0")
    stream = environ["wsgi.input"]
    if length > MAX_BODY_BYTES:
        _discard(stream, min(length, DISCARD_LIMIT))
        raise ValidationException(
            f"The request body is {length} bytes; the emulator reads at most {MAX_BODY_BYTES} bytes "
            "(a record itself is limited to 350 KB)."
        )
    try:
        body = stream.read(length) if length else b""
    except OSError as exc:  # the socket timeout (idle_timeout) or a reset
        raise WireError("SerializationException",
                        f"The request body ended before its Content-Length of {length} bytes: {exc}") from None
    if len(body) < length:
        raise WireError("SerializationException",
                        f"The request body has {len(body)} bytes; its Content-Length announced {length}.")
    return Request.from_environ(environ, body)


def _content_length(header: str) -> int:
    """The Content-Length as a byte count; SerializationException if it is not one (``-5``, ``abc``)."""
    if not header.strip().isdigit():
        raise WireError("SerializationException", f"Content-Length {header[:40]!r} is not a byte count.")
    return int(header)


def _discard(stream: Any, remaining: int) -> None:
    """Read and drop ``remaining`` bytes, so that the client can read the answer before the close."""
    try:
        while remaining > 0:
            chunk = stream.read(min(remaining, 1 << 16))
            if not chunk:
                return
            remaining -= len(chunk)
    except OSError:
        return
