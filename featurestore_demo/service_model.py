"""What botocore's service models say, read once: the enums and patterns the kit checks values against.

The models are the source of truth for the API's value sets (a hand copy drifts: one refused
``Standard_V2`` once the model had it). boto3 is a dependency of the kit, so botocore is there.
The models are read with botocore's loader, as a botocore session reads them (the installed
models, and those under ``AWS_DATA_PATH``), without the session and client machinery, which
the local backend never uses (about 50 ms of imports at every start).
"""

from __future__ import annotations

import os
import re
import unicodedata
from collections.abc import Mapping
from functools import cache
from types import MappingProxyType
from typing import Any

from botocore.loaders import create_loader
from botocore.model import ListShape, ServiceModel, Shape, StructureShape

__all__ = ["fits_pattern", "member_metadata", "model_enum", "service_model", "shape_metadata"]


@cache
def service_model(service: str) -> ServiceModel:
    """botocore's model of ``service`` (e.g. ``"sagemaker"``), loaded once."""
    return ServiceModel(_LOADER.load_service_model(service, "service-2"), service_name=service)


_LOADER = create_loader(os.environ.get("AWS_DATA_PATH"))


def model_enum(service: str, shape: str) -> tuple[str, ...]:
    """The enum of the string shape ``shape`` of ``service``, in the model's order.

    The shape must exist and be an enum; a missing one is a bug of the kit (botocore's
    NoShapeFoundError, or ValueError).
    """
    values = tuple(getattr(service_model(service).shape_for(shape), "enum", None) or ())
    if not values:
        raise ValueError(f"{service} shape {shape} has no enum")
    return values


@cache
def shape_metadata(service: str, shape: str) -> Mapping[str, Any]:
    """The constraints of the shape ``shape`` of ``service``: ``min``, ``max``, ``pattern``... (those
    it has), read once (the checks of every put read them)."""
    return MappingProxyType(dict(service_model(service).shape_for(shape).metadata))


@cache
def member_metadata(service: str, operation: str, *path: str) -> Mapping[str, Any]:
    """The constraints of a member of ``operation``'s input, named member by member by ``path``
    (``"CreateFeatureGroup", "OfflineStoreConfig", "DataCatalogConfig", "TableName"``); a list on
    the way stands for its member. Read once. A path the model lacks is a bug of the kit (KeyError)."""
    shape: Shape | None = service_model(service).operation_model(operation).input_shape
    for name in path:
        while isinstance(shape, ListShape):
            shape = shape.member
        if not isinstance(shape, StructureShape):
            raise KeyError(f"{service} {operation}: no member {name!r} on the way {path}")
        shape = shape.members[name]
    assert shape is not None, f"{operation} takes input"
    return MappingProxyType(dict(shape.metadata))


_UNICODE_CLASS = re.compile(r"\\p\{(\w)\}")
_SURROGATE_PAIR = re.compile(r"\\u(D[89AB][0-9A-F]{2})\\u(D[C-F][0-9A-F]{2})", re.IGNORECASE)


def _code_point(match: re.Match[str]) -> str:
    """A Java pattern's ``\\uD800\\uDC00`` (a UTF-16 surrogate pair) as the one code point it
    stands for, ``\\U00010000``, which Python's ``re`` reads."""
    high, low = int(match.group(1), 16), int(match.group(2), 16)
    return f"\\U{0x10000 + ((high - 0xD800) << 10) + (low - 0xDC00):08X}"


def _stand_in(category: str) -> str:
    """The private-use character that stands for the Unicode category ``category`` (L, Z, N...)."""
    return chr(0xE000 + ord(category))


@cache
def _compiled(pattern: str) -> re.Pattern[str] | None:
    """``pattern`` with each ``\\p{X}`` replaced by the stand-in of category X and each surrogate pair
    by its code point (Java's patterns count in UTF-16; Glue's names range over
    ``\\uD800\\uDC00-\\uDBFF\\uDFFF``); None if Python's ``re`` cannot read it."""
    readable = _SURROGATE_PAIR.sub(_code_point, pattern)
    try:
        return re.compile(_UNICODE_CLASS.sub(lambda match: _stand_in(match.group(1)), readable), re.DOTALL)
    except re.error:
        return None


@cache
def _categories(pattern: str) -> frozenset[str]:
    """The Unicode categories (L, Z, N...) ``pattern`` names by ``\\p{X}``."""
    return frozenset(_UNICODE_CLASS.findall(pattern))


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

