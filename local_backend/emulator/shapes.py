"""Request bodies checked against botocore's input shapes, as the AWS front end deserialises them.

A JSON value of the wrong type for its member (a list where a string belongs, a string where
a structure belongs...), or a number its type cannot hold (an ``integer`` is 32-bit, a
``long`` 64-bit, a ``double`` finite), is what AWS answers with SerializationException (400),
before any handler runs. A number outside its shape's ``min``/``max`` is a ValidationException.
:meth:`local_backend.emulator.wire.Request.json` raises both, so handlers only ever see the
types and numeric ranges the model promises. Unknown members and nulls are let through (the
handlers check what they require).
"""

from __future__ import annotations

import math
from functools import cache
from typing import Any, NamedTuple

import botocore.session
from botocore.model import ListShape, MapShape, ServiceModel, Shape, StructureShape

from featurestore_demo.rules.names import constraint_error

__all__ = ["Mismatch", "body_mismatch"]

_NUMBER = (int, float)
JSON_TYPES: dict[str, tuple[type, ...]] = {
    "structure": (dict,), "map": (dict,), "list": (list,), "string": (str,), "blob": (str,),
    "boolean": (bool,), "integer": (int,), "long": (int,), "float": _NUMBER, "double": _NUMBER,
    "timestamp": (*_NUMBER, str),
}
INTEGER_RANGES = {"integer": (-(2**31), 2**31 - 1), "long": (-(2**63), 2**63 - 1)}
"""What a Smithy ``integer`` and ``long`` hold; a JSON number beyond them cannot be deserialised."""


class Mismatch(NamedTuple):
    """Why a body does not fit its input shape: ``serialization`` for a type the member cannot
    hold (SerializationException), else a value outside the shape's range (ValidationException)."""

    serialization: bool
    message: str


@cache
def _service_model(service: str) -> ServiceModel:
    """botocore's model of ``service``, loaded once (tens of milliseconds each time otherwise)."""
    return botocore.session.get_session().get_service_model(service)


def _input_shape(service: str, operation: str) -> Shape | None:
    model = _service_model(service)
    return model.operation_model(operation).input_shape if operation in model.operation_names else None


def body_mismatch(service: str, operation: str, body: dict[str, Any]) -> Mismatch | None:
    """Why ``body`` does not fit the input shape of ``operation`` (a botocore service and
    operation name), or None if it fits or the operation is unknown to botocore."""
    shape = _input_shape(service, operation)
    return None if shape is None else _mismatch(shape, body, operation, "")


def _mismatch(shape: Shape, value: Any, path: str, field: str) -> Mismatch | None:
    """``path`` names the member for SerializationException (``PutRecord.TtlDuration.Value``),
    ``field`` as AWS's constraint messages do (``ttlDuration.value``, ``record.1.member``)."""
    if value is None:
        return None
    expected = JSON_TYPES.get(shape.type_name, (object,))
    if not isinstance(value, expected) or (isinstance(value, bool) and bool not in expected):
        return Mismatch(True, f"{path}: expected a JSON {shape.type_name}, got {type(value).__name__} "
                              f"{str(value)[:40]!r}.")
    if isinstance(value, _NUMBER) and shape.type_name != "timestamp":
        return _number_mismatch(shape, value, path, field)
    if isinstance(shape, StructureShape) and isinstance(value, dict):  # both hold when the type fits
        parts = ((member, value.get(name), f"{path}.{name}", _join(field, name[:1].lower() + name[1:]))
                 for name, member in shape.members.items())
    elif isinstance(shape, ListShape) and isinstance(value, list):
        parts = ((shape.member, item, f"{path}[{index}]", _join(field, f"{index + 1}.member"))
                 for index, item in enumerate(value))
    elif isinstance(shape, MapShape) and isinstance(value, dict):
        parts = ((shape.value, item, f"{path}.{key}", _join(field, str(key))) for key, item in value.items())
    else:
        return None
    return next((problem for part in parts if (problem := _mismatch(*part))), None)


def _number_mismatch(shape: Shape, value: int | float, path: str, field: str) -> Mismatch | None:
    """A number its type cannot hold (serialization), or outside the shape's ``min``/``max``."""
    low, high = INTEGER_RANGES.get(shape.type_name, (-math.inf, math.inf))
    try:
        finite = math.isfinite(float(value))
    except OverflowError:  # an int with more digits than a double holds
        finite = False
    if not (finite and low <= value <= high):
        shown = f"{str(value)[:20]}...({len(str(value))} digits)" if len(str(value)) > 24 else str(value)
        return Mismatch(True, f"{path}: {shown} does not fit a {shape.type_name}.")
    for key, word in (("min", "greater"), ("max", "less")):
        bound = shape.metadata.get(key)
        if bound is not None and (value < bound if key == "min" else value > bound):
            constraint = f"Member must have value {word} than or equal to {bound}"
            return Mismatch(False, str(constraint_error(value, field, constraint)))
    return None


def _join(field: str, name: str) -> str:
    return f"{field}.{name}" if field else name
