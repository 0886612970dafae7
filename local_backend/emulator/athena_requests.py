"""Athena requests against botocore's model: the checks the front end makes, and pages.

:func:`check_request` refuses a member its shape in the operation's input does not allow: a
required member missing, a length, an enum or a pattern, in nested structures and lists too
(the JSON types and numeric ranges are checked before any handler runs, by
:mod:`local_backend.emulator.shapes`). Refusals are ValidationExceptions worded as AWS words
them; Athena sends them as InvalidRequestException. A page is MaxResults long, by default the
largest the model allows, and a NextToken is the position of the next page.
"""

from __future__ import annotations

import re
import sys
from functools import cache
from typing import Any

import botocore.session
from botocore.model import ListShape, Shape, StringShape, StructureShape

from featurestore_demo.rules.names import constraint_error
from local_backend.emulator.wire import WireError, check_enum, check_length, require

__all__ = ["check_request", "invalid", "offset", "page_size", "paged"]


def invalid(message: str) -> WireError:
    """Athena's InvalidRequestException."""
    return WireError("InvalidRequestException", message)


@cache
def _input(operation: str) -> StructureShape:
    """The input shape of an Athena operation in botocore's model (loaded once)."""
    shape = botocore.session.get_session().get_service_model("athena").operation_model(operation).input_shape
    assert shape is not None, f"{operation} takes input"
    return shape


@cache
def _pattern(pattern: str) -> re.Pattern[str] | None:
    """The model's pattern as a Python regex; None for the few Java-only ones (surrogate ranges)."""
    try:
        return re.compile(pattern)
    except re.error:
        return None


def check_request(body: dict[str, Any], operation: str) -> None:
    """Raise the AWS ValidationException for the first member of ``body`` that its shape in
    ``operation``'s input refuses (see the module's docstring)."""
    _check(body, _input(operation), "")


def _check(value: Any, shape: Shape, field: str) -> None:
    if value is None:
        return
    if isinstance(shape, StructureShape):
        for name, inner in shape.members.items():
            path = f"{field}.{name[:1].lower()}{name[1:]}" if field else f"{name[:1].lower()}{name[1:]}"
            if name in shape.required_members:
                require(value, name, path)
            _check(value.get(name), inner, path)
        return
    if shape.type_name in ("string", "list"):
        check_length(value, shape.metadata.get("min", 0), shape.metadata.get("max", sys.maxsize), field)
    if isinstance(shape, ListShape):
        for index, item in enumerate(value, start=1):
            _check(item, shape.member, f"{field}.{index}.member")
        return
    if isinstance(shape, StringShape) and shape.enum:
        check_enum(value, tuple(shape.enum), field)
    pattern = _pattern(shape.metadata["pattern"]) if "pattern" in shape.metadata else None
    if pattern is not None and not pattern.fullmatch(value):
        raise constraint_error(value, field, f"Member must satisfy regular expression pattern: {pattern.pattern}")


def offset(token: Any) -> int:
    """The position a NextToken of the emulator stands for; InvalidRequestException for another."""
    if token is None:
        return 0
    if not isinstance(token, str) or not token.isdigit():
        raise invalid(f"Invalid NextToken {token!r}.")
    return int(token)


def page_size(body: dict[str, Any], operation: str) -> int:
    """The request's MaxResults; when it has none (or 0), the largest page the model allows."""
    return body.get("MaxResults") or _input(operation).members["MaxResults"].metadata["max"]


def paged(items: list[Any], body: dict[str, Any], operation: str) -> tuple[list[Any], str | None]:
    """One page of ``items`` (:func:`page_size` of them, from NextToken) and the token of the
    next page, or None."""
    size = page_size(body, operation)
    start = offset(body.get("NextToken"))
    following = start + size
    return items[start:following], (str(following) if following < len(items) else None)
