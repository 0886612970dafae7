"""Which AWS operations the emulator implements, and where it departs from AWS: IMPLEMENTATION_COVERAGE.md.

``python -m local_backend.emulator.coverage [PATH]`` writes the file (default
``IMPLEMENTATION_COVERAGE.md``); ``--check`` exits 1 if the file differs from what it would
write. The operations are every operation of botocore's service models for
``sagemaker-featurestore-runtime`` and ``athena``, and those of ``sagemaker`` whose name holds
``FeatureGroup`` or ``FeatureMetadata``, with Search and the tag operations. An operation counts
as implemented when the emulator's own router sends its request (its ``X-Amz-Target``, or its
HTTP method and path) to an emulated service whose dispatch table has a handler for it; nothing
here is a hand-kept list. The departures are the ``Departure`` paragraphs of the emulator's
docstrings (module, class and handler), where each deviation is written beside its code.
"""

from __future__ import annotations

import argparse
import inspect
import re
import sys
from collections.abc import Callable, Iterator
from pathlib import Path
from types import ModuleType
from typing import Any

import botocore.session

import featurestore_demo.rules.collections
import local_backend.backend
import local_backend.catalog
import local_backend.updates
from local_backend.emulator import (
    athena,
    athena_catalog,
    athena_ctas,
    athena_results,
    athena_statements,
    glue_tables,
    router,
    runtime,
    sagemaker,
)
from local_backend.emulator.rest import find_route
from local_backend.emulator.s3_objects import S3Objects
from local_backend.emulator.wire import Request, WireError

__all__ = ["Coverage", "render", "main"]

DEFAULT_PATH = Path("IMPLEMENTATION_COVERAGE.md")
SERVICES = ("sagemaker", "sagemaker-featurestore-runtime", "athena")
DEPARTURE = re.compile(r"(Departures? from AWS[^:\n]*:|Departure:)\s*(.*?)(?:\n\s*\n|\Z)", re.S)
MODULES: tuple[ModuleType, ...] = (sagemaker, featurestore_demo.rules.collections, glue_tables, runtime, athena,
                                   athena_catalog, athena_statements, athena_ctas, athena_results,
                                   local_backend.backend, local_backend.catalog, local_backend.updates)


SAGEMAKER_SHARED = ("Search", "AddTags", "ListTags", "DeleteTags")
"""SageMaker operations of every resource that clients call on feature groups."""


def _is_feature_store_operation(service: str, operation: str) -> bool:
    return (service != "sagemaker" or "FeatureGroup" in operation or "FeatureMetadata" in operation
            or operation in SAGEMAKER_SHARED)


class Coverage:
    """The emulator's services behind its router, probed with each operation's request shape."""

    def __init__(self) -> None:
        self.sagemaker = sagemaker.SageMakerService(None, sagemaker.Deletions(0))
        self.runtime = runtime.RuntimeService(None)
        self.athena = athena.AthenaService(None, S3Objects())  # never called: the probe reads dispatch tables
        self.router = router.Router(self.sagemaker, self.runtime, self.athena, fallback=_moto)

    def close(self) -> None:
        self.athena.close()

    def handler(self, service: str, model: Any) -> Callable[..., Any] | None:
        """The emulator's handler of one botocore operation model, or None."""
        path = model.http["requestUri"].split("?", 1)[0].replace("{FeatureGroupName}", "probe")
        if model.service_model.protocol == "json":
            environ = {"HTTP_X_AMZ_TARGET": f"{model.service_model.metadata['targetPrefix']}.{model.name}"}
        else:  # rest-json: routed by the signing name and the path
            environ = {"PATH_INFO": path, "HTTP_AUTHORIZATION": _signature(model.service_model.signing_name)}
        routed = self.router.service_for(environ)
        if routed is not self.runtime:  # a service with a dispatch table by operation name
            return getattr(routed, "operations", {}).get(model.name)
        request = Request(model.http["method"], path, path, {}, {})
        try:
            operation, _ = find_route(runtime.MODEL_NAME, request)
        except WireError:
            return None
        return self.runtime.handler(operation)

    def operations(self) -> Iterator[tuple[str, str, Callable[..., Any] | None]]:
        """(service, operation, handler or None) for every covered operation, sorted."""
        models = botocore.session.get_session()
        for service in SERVICES:
            model = models.get_service_model(service)
            for name in sorted(model.operation_names):
                if _is_feature_store_operation(service, name):
                    yield service, name, self.handler(service, model.operation_model(name))


def _moto(environ: dict[str, Any], start_response: Callable[..., Any]) -> list[bytes]:  # pragma: no cover
    raise AssertionError("the coverage probe never calls moto")


def _signature(service: str) -> str:
    return f"AWS4-HMAC-SHA256 Credential=KEY/20240101/us-east-1/{service}/aws4_request"


def _departures(obj: Any) -> list[str]:
    text = inspect.getdoc(obj) or ""
    return [" ".join(match.group(2).split()) for match in DEPARTURE.finditer(text)]


def _documented(module: ModuleType) -> Iterator[tuple[str, Any]]:
    """(label, object) for a module, its classes, their methods and its functions."""
    yield module.__name__.rsplit(".", 1)[-1], module
    for name, member in inspect.getmembers(module, lambda m: inspect.isclass(m) or inspect.isfunction(m)):
        if member.__module__ != module.__name__:
            continue
        yield name, member
        if inspect.isclass(member):
            for method_name, method in vars(member).items():
                if inspect.isfunction(method) or isinstance(method, staticmethod):
                    yield f"{name}.{method_name}", getattr(member, method_name)


def _departure_lines(handlers: dict[str, Callable[..., Any]]) -> list[str]:
    """One line per departure; a handler's departures are labelled with its operation."""
    operation_of = {getattr(h, "__func__", h): operation for operation, h in handlers.items()}
    return [f"- `{operation_of.get(obj, label)}`: {note}"
            for module in MODULES for label, obj in _documented(module) for note in _departures(obj)]


def render() -> str:
    """The whole of IMPLEMENTATION_COVERAGE.md."""
    coverage = Coverage()
    try:
        rows = list(coverage.operations())
    finally:
        coverage.close()
    handlers = {operation: handler for _, operation, handler in rows if handler is not None}
    out = ["# Implementation coverage", "",
           "Generated by `python -m local_backend.emulator.coverage` from botocore's service models and the",
           "emulator's own dispatch (do not edit by hand; a test fails when this file is stale).", ""]
    for service in SERVICES:
        chosen = [(name, handler) for s, name, handler in rows if s == service]
        done = sum(handler is not None for _, handler in chosen)
        scope = " (feature-group and feature-metadata operations, Search, tags)" if service == "sagemaker" else ""
        out += [f"## {service}{scope}: {done} of {len(chosen)}", "", "| operation | implemented |", "|---|---|"]
        out += [f"| {name} | {'yes' if handler else 'no'} |" for name, handler in chosen]
        out.append("")
    out += ["## Where the emulator departs from AWS", "",
            "Collected from the emulator's docstrings, where each departure is written beside its code.", ""]
    out += _departure_lines(handlers)
    return "\n".join(out) + "\n"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("path", nargs="?", type=Path, default=DEFAULT_PATH)
    parser.add_argument("--check", action="store_true", help="exit 1 if the file is stale, write nothing")
    args = parser.parse_args(argv)
    text = render()
    if args.check:
        current = args.path.read_text() if args.path.exists() else ""
        if current != text:
            print(f"{args.path} is stale: run python -m local_backend.emulator.coverage", file=sys.stderr)
            return 1
        return 0
    args.path.write_text(text)
    print(f"wrote {args.path}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
