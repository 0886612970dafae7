"""Athena's pages, from botocore's model, and its InvalidRequestException.

Requests are checked against the model before any handler runs
(:func:`local_backend.emulator.wire.check_constraints`); Athena sends the refusals as
InvalidRequestException. A page is MaxResults long, by default the largest the model allows,
and a NextToken is the position of the next page.
"""

from __future__ import annotations

from functools import cache
from typing import Any

import botocore.session
from botocore.model import StructureShape

from local_backend.emulator.wire import WireError

__all__ = ["invalid", "offset", "page_size", "paged"]


def invalid(message: str) -> WireError:
    """Athena's InvalidRequestException."""
    return WireError("InvalidRequestException", message)


@cache
def _input(operation: str) -> StructureShape:
    """The input shape of an Athena operation in botocore's model (loaded once)."""
    shape = botocore.session.get_session().get_service_model("athena").operation_model(operation).input_shape
    assert shape is not None, f"{operation} takes input"
    return shape


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
