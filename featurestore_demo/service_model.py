"""What botocore's service models say, read once: the enums and patterns the kit checks values against.

The models are the source of truth for the API's value sets (a hand copy drifts: one refused
``Standard_V2`` once the model had it). boto3 is a dependency of the kit, so botocore is there.
"""

from __future__ import annotations

import re
import unicodedata
from functools import cache

import botocore.session
from botocore.model import ServiceModel

__all__ = ["fits_pattern", "model_enum", "service_model"]


@cache
def service_model(service: str) -> ServiceModel:
    """botocore's model of ``service`` (e.g. ``"sagemaker"``), loaded once."""
    return botocore.session.get_session().get_service_model(service)


def model_enum(service: str, shape: str) -> tuple[str, ...]:
    """The enum of the string shape ``shape`` of ``service``, in the model's order.

    The shape must exist and be an enum; a missing one is a bug of the kit (botocore's
    NoShapeFoundError, or ValueError).
    """
    values = tuple(getattr(service_model(service).shape_for(shape), "enum", None) or ())
    if not values:
        raise ValueError(f"{service} shape {shape} has no enum")
    return values


_UNICODE_CLASS = re.compile(r"\\p\{(\w)\}")


def _stand_in(category: str) -> str:
    """The private-use character that stands for the Unicode category ``category`` (L, Z, N...)."""
    return chr(0xE000 + ord(category))


@cache
def _compiled(pattern: str) -> re.Pattern[str] | None:
    """``pattern`` with each ``\\p{X}`` replaced by the stand-in of category X; None if Python's
    ``re`` cannot read it."""
    try:
        return re.compile(_UNICODE_CLASS.sub(lambda match: _stand_in(match.group(1)), pattern), re.DOTALL)
    except re.error:
        return None


def fits_pattern(text: str, pattern: str) -> bool:
    """Whether the whole of ``text`` matches a model (Java) pattern, its ``\\p{X}`` classes included.

    A character of a category the pattern names by ``\\p{X}`` is read as that category's stand-in
    (enough for the model's patterns that use them, which are character classes). ``.`` also
    matches a line break: AWS documents no refusal of multi-line values. A pattern Python cannot
    read is not checked (True).
    """
    compiled = _compiled(pattern)
    if compiled is None:
        return True
    categories = _categories(pattern)
    if categories:
        text = "".join(_stand_in(c[0]) if (c := unicodedata.category(ch))[0] in categories else ch
                       for ch in text)
    return compiled.fullmatch(text) is not None


@cache
def _categories(pattern: str) -> frozenset[str]:
    """The Unicode categories ``pattern`` names by ``\\p{X}``."""
    return frozenset(_UNICODE_CLASS.findall(pattern))
