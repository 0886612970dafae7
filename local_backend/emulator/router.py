"""The WSGI application: one port, every service, dispatched as AWS endpoints would be.

A request goes to the feature-store control plane or Athena by its ``X-Amz-Target``, to the
feature-store runtime by its path (``/FeatureGroup/...``, ``/BatchGetRecord``), and otherwise by
the service name in its SigV4 credential scope; anything else (S3, STS, IAM, Glue...) goes to
moto. No request crashes the server: an unexpected error is logged and answered with the
service's internal-failure error (status 500).
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterable
from http import HTTPStatus
from typing import Any, Protocol

from featurestore_demo.errors import FeatureStoreError
from local_backend.emulator.wire import MAX_BODY_BYTES, Request, Response, WireError

__all__ = ["Router", "Service"]

log = logging.getLogger(__name__)
RUNTIME_PATHS = ("/FeatureGroup/", "/BatchGetRecord")
DISCARD_LIMIT = 64 * 1024 * 1024
WsgiApp = Callable[[dict[str, Any], Callable[..., Any]], Iterable[bytes]]


class Service(Protocol):
    internal_code: str

    def handle(self, request: Request) -> Response: ...

    def error(self, error: FeatureStoreError) -> Response: ...


class Router:
    """Dispatch to the emulated services, or to ``fallback`` (moto's WSGI application)."""

    def __init__(self, sagemaker: Service, runtime: Service, athena: Service, fallback: WsgiApp) -> None:
        self.sagemaker, self.runtime, self.athena, self.fallback = sagemaker, runtime, athena, fallback

    def __call__(self, environ: dict[str, Any], start_response: Callable[..., Any]) -> Iterable[bytes]:
        service = self.service_for(environ)
        if service is None:
            return self.fallback(environ, start_response)
        try:
            response = service.handle(_read_request(environ))
        except Exception as exc:  # the last line of defence: log it, answer 500, keep serving
            log.exception("Unexpected error in %s", type(service).__name__)
            failure = WireError(service.internal_code, f"Internal error in the emulator: {type(exc).__name__}", 500)
            response = service.error(failure)
        reason = HTTPStatus(response.status).phrase
        start_response(f"{response.status} {reason}", response.header_list())
        return [response.body]

    def service_for(self, environ: dict[str, Any]) -> Service | None:
        """The emulated service a request is for, or None for moto."""
        target = environ.get("HTTP_X_AMZ_TARGET", "")
        if target.startswith("SageMaker."):
            return self.sagemaker
        if target.startswith("AmazonAthena."):
            return self.athena
        signing = _signing_service(environ.get("HTTP_AUTHORIZATION", ""))
        path = environ.get("PATH_INFO", "")
        if signing in ("", "sagemaker") and path.startswith(RUNTIME_PATHS):
            return self.runtime
        if signing == "sagemaker":
            return self.sagemaker if path in ("", "/") else self.runtime
        if signing == "athena":
            return self.athena
        if target and not signing:  # moto would take an unsigned request for S3, which has no targets
            return self.sagemaker  # whose JSON 1.1 handler answers UnknownOperationException
        return None


def _signing_service(authorization: str) -> str:
    """The service of a SigV4 ``Credential=KEY/DATE/REGION/SERVICE/aws4_request`` scope ('' if none)."""
    for part in authorization.replace(",", " ").split():
        if part.startswith("Credential="):
            scope = part.split("/")
            return scope[3].lower() if len(scope) == 5 else ""
    return ""


def _read_request(environ: dict[str, Any]) -> Request:
    """The request, with a body over the limit read, thrown away and flagged."""
    try:
        length = int(environ.get("CONTENT_LENGTH") or 0)
    except ValueError:
        length = 0
    stream = environ["wsgi.input"]
    if length <= MAX_BODY_BYTES:
        return Request.from_environ(environ, stream.read(length) if length else b"")
    remaining = min(length, DISCARD_LIMIT)
    while remaining > 0:
        chunk = stream.read(min(remaining, 1 << 16))
        if not chunk:
            break
        remaining -= len(chunk)
    return Request.from_environ(environ, b"", oversize=length)
