"""rest-json requests, routed and read as botocore's model says (SAGEMAKER_SPEC §2.1).

A rest-json operation is found by its HTTP method and path (``operation_model.http``), and its
input is gathered from where each member of the input shape is serialised: the path
(``location: uri``), the query string, headers, and the JSON body for the rest. So a service
that moves from JSON 1.1 to rest-json (Athena did, in botocore 1.44) is served by the same
handlers, which take the input as one dict either way.
"""

from __future__ import annotations

import re
from functools import cache
from typing import Any, NamedTuple

from botocore.model import Shape

from featurestore_demo.service_model import service_model
from local_backend.emulator.wire import (
    Request,
    TargetService,
    WireError,
    check_constraints,
    check_types,
    percent_decoded,
)

__all__ = ["RestOrTargetService", "Route", "find_route", "path_prefixes", "rest_input", "rest_routes"]


class Route(NamedTuple):
    """One rest-json operation: its HTTP method, the regex of its path, and its name."""

    method: str
    path: re.Pattern[str]
    operation: str


@cache
def rest_routes(service: str) -> tuple[Route, ...]:
    """The routes of every operation of ``service``, from botocore's model.

    ``{Name}`` in a request URI matches one path segment; ``{Name+}`` (greedy) the rest.
    """
    model = service_model(service)
    routes = []
    for name in model.operation_names:
        http = model.operation_model(name).http
        template = http["requestUri"].split("?", 1)[0]
        pattern = re.sub(r"\\\{(\w+)\\\+\\\}", r"(?P<\1>.+)", re.escape(template))
        pattern = re.sub(r"\\\{(\w+)\\\}", r"(?P<\1>[^/]+)", pattern)
        routes.append(Route(http["method"], re.compile(pattern.rstrip("/") + "/?$"), name))
    return tuple(routes)


@cache
def path_prefixes(service: str) -> tuple[str, ...]:
    """The literal start of every request URI of ``service`` (up to its first ``{``), shortest
    first: what a router can tell the service's requests by (``/FeatureGroup/``, ``/BatchGetRecord``...)."""
    model = service_model(service)
    starts = {model.operation_model(name).http["requestUri"].split("?", 1)[0].split("{", 1)[0]
              for name in model.operation_names}
    return tuple(sorted(starts, key=len))


def find_route(service: str, request: Request) -> tuple[str, dict[str, str]]:
    """(operation, path parameters, percent-decoded) of the request; UnknownOperationException if none."""
    for route in rest_routes(service):
        match = route.method == request.method and route.path.match(request.raw_path)
        if match:
            return route.operation, {key: percent_decoded(value, key) for key, value in match.groupdict().items()}
    raise WireError("UnknownOperationException", f"No operation at {request.method} {request.raw_path}.", 404)


def rest_input(service: str, operation: str, request: Request, path: dict[str, str]) -> dict[str, Any]:
    """The operation's input as one dict: the JSON body, and the members the path, query string
    and headers carry, checked against the input shape as a JSON 1.1 body is
    (:func:`check_types`, :func:`check_constraints`)."""
    request.operation = (service, operation)
    params = request.json()
    members = _located_members(service, operation)
    if members is None:
        return params
    for name, member, location, wire_name in members:
        if location == "uri":
            if wire_name in path:
                params[name] = path[wire_name]
        elif location == "querystring":
            if wire_name in request.query:
                params[name] = _typed(member, request.query[wire_name], wire_name)
        elif wire_name.lower() in request.headers:
            params[name] = _typed(member, [request.headers[wire_name.lower()]], wire_name)
    check_types((service, operation), params)
    check_constraints((service, operation), params)
    return params


@cache
def _located_members(service: str, operation: str) -> tuple[tuple[str, Shape, str, str], ...] | None:
    """(name, shape, location, wire name) of each input member the path, query string or headers
    carry, in the model's order; None if the operation has no input."""
    shape = service_model(service).operation_model(operation).input_shape
    if shape is None:
        return None
    return tuple((name, member, member.serialization["location"], member.serialization.get("name", name))
                 for name, member in shape.members.items()
                 if member.serialization.get("location") in ("uri", "querystring", "header"))


def _typed(shape: Shape, values: list[str], wire_name: str) -> Any:
    """A query-string or header value as its shape's type (a list keeps every value)."""
    if shape.type_name == "list":
        return values
    value = values[-1]
    try:
        if shape.type_name in ("integer", "long"):
            return int(value)
        if shape.type_name == "boolean":
            return {"true": True, "false": False}[value.lower()]
    except (ValueError, KeyError):
        raise WireError("SerializationException", f"{wire_name}={value[:64]!r} is not a {shape.type_name}.") from None
    return value


class RestOrTargetService(TargetService):
    """A service that botocore speaks rest-json to, and older releases JSON 1.1 (Athena).

    A request with ``X-Amz-Target`` is read as JSON 1.1; any other is routed by method and path.
    """

    def operation_input(self, request: Request) -> tuple[str, dict[str, Any]]:
        if "x-amz-target" in request.headers:
            return super().operation_input(request)
        name, path = find_route(self.model_name, request)
        if name not in self.operations:
            raise WireError("UnknownOperationException", f"The emulator does not serve {self.model_name} {name}.", 404)
        return name, rest_input(self.model_name, name, request, path)
