"""Pages of a SageMaker List or Search answer: ``MaxResults`` and an opaque ``NextToken``.

The token is the offset of the page's first item; a token the emulator did not hand out is a
ValidationException. The bounds of ``MaxResults`` and ``NextToken`` are the operation's in
botocore's model (checked again here, as the handlers of other callers may skip the front end).
"""

from __future__ import annotations

import base64
import binascii
from typing import Any

from featurestore_demo.service_model import member_metadata
from local_backend.emulator.wire import WireError, check_length

__all__ = ["page"]


def page(items: list[Any], body: dict[str, Any], key: str, operation: str, *,
         default_size: int = 10) -> dict[str, Any]:
    """``{key: <the page of items>}``, with ``NextToken`` when more items follow.

    The page starts at ``body["NextToken"]`` and holds ``body["MaxResults"]`` items (default
    ``default_size``; ValidationException outside the bounds SageMaker's ``operation`` gives
    MaxResults in the model, no upper bound if it gives none).
    """
    limits = member_metadata("sagemaker", operation, "MaxResults")
    least, most = limits.get("min", 1), limits.get("max")
    size = body.get("MaxResults", default_size)
    if isinstance(size, bool) or not isinstance(size, int) or size < least or (most is not None and size > most):
        bounds = f"between {least} and {most}" if most is not None else f"greater than or equal to {least}"
        raise WireError(
            "ValidationException",
            f"1 validation error detected: Value '{size}' at 'maxResults' failed to satisfy constraint: "
            f"Member must have value {bounds}",
        )
    start = _offset(body.get("NextToken"), member_metadata("sagemaker", operation, "NextToken")["max"])
    response: dict[str, Any] = {key: items[start:start + size]}
    if start + size < len(items):
        response["NextToken"] = base64.urlsafe_b64encode(f"offset:{start + size}".encode()).decode()
    return response


def _offset(token: Any, longest: int) -> int:
    if token is None:
        return 0
    check_length(token, 0, longest, "nextToken")
    try:
        kind, _, number = base64.urlsafe_b64decode(token.encode()).decode().partition(":")
    except (binascii.Error, UnicodeDecodeError, ValueError):
        kind, number = "", ""
    if kind == "offset" and number.isascii() and number.isdigit():
        return int(number)
    raise WireError("ValidationException", f"Invalid pagination token {token!r}.")
