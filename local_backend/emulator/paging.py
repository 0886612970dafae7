"""Pages of a SageMaker List or Search answer: ``MaxResults`` and an opaque ``NextToken``.

The token is the offset of the page's first item; a token the emulator did not hand out is a
ValidationException.
"""

from __future__ import annotations

import base64
import binascii
from typing import Any

from local_backend.emulator.wire import WireError, check_length

__all__ = ["page"]


def page(items: list[Any], body: dict[str, Any], key: str, *, default_size: int = 10,
         most: int | None = 100, least: int = 1) -> dict[str, Any]:
    """``{key: <the page of items>}``, with ``NextToken`` when more items follow.

    The page starts at ``body["NextToken"]`` and holds ``body["MaxResults"]`` items (default
    ``default_size``; ValidationException outside [``least``, ``most``], no upper bound if None).
    """
    size = body.get("MaxResults", default_size)
    if isinstance(size, bool) or not isinstance(size, int) or size < least or (most is not None and size > most):
        bounds = f"between {least} and {most}" if most is not None else f"greater than or equal to {least}"
        raise WireError(
            "ValidationException",
            f"1 validation error detected: Value '{size}' at 'maxResults' failed to satisfy constraint: "
            f"Member must have value {bounds}",
        )
    start = _offset(body.get("NextToken"))
    response: dict[str, Any] = {key: items[start:start + size]}
    if start + size < len(items):
        response["NextToken"] = base64.urlsafe_b64encode(f"offset:{start + size}".encode()).decode()
    return response


def _offset(token: Any) -> int:
    if token is None:
        return 0
    check_length(token, 0, 8192, "nextToken")
    try:
        kind, _, number = base64.urlsafe_b64decode(token.encode()).decode().partition(":")
    except (binascii.Error, UnicodeDecodeError, ValueError):
        kind, number = "", ""
    if kind == "offset" and number.isascii() and number.isdigit():
        return int(number)
    raise WireError("ValidationException", f"Invalid pagination token {token!r}.")
