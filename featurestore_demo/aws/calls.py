"""The one place where botocore's ClientError becomes the kit's error (SAGEMAKER_SPEC §1.6, §2.2)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar

from botocore.exceptions import ClientError

from featurestore_demo.errors import from_aws_code

__all__ = ["call"]

T = TypeVar("T")


def call(operation: Callable[..., T], **params: Any) -> T:
    """``operation(**params)``; a ClientError is raised as the kit's error of its AWS code, from it."""
    try:
        return operation(**params)
    except ClientError as exc:
        error = exc.response.get("Error", {})
        code = error.get("Code") or "InternalFailure"
        raise from_aws_code(code, error.get("Message") or str(exc)) from exc
