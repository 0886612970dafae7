"""Request bodies checked against botocore's input shapes, as the AWS front end deserialises them.

A JSON value of the wrong type for its member (a list where a string belongs, a string where
a structure belongs...), or a number its type cannot hold (an ``integer`` is 32-bit, a
``long`` 64-bit, a ``double`` finite, a ``timestamp`` an instant: :mod:`.shape_edges`), is what
AWS answers with SerializationException (400), before any handler runs. A number outside its
shape's ``min``/``max`` is a ValidationException.
:meth:`local_backend.emulator.wire.Request.json` raises both, so handlers only ever see the
types and numeric ranges the model promises. A null member of a list or value of a map is a
SerializationException; unknown members and null structure members are let through (the
handlers check what they require). :func:`constraint_violation` checks the rest of the model's
constraints (required members, enums, lengths, patterns, a map's keys and values:
:mod:`.shape_edges`) in AWS's wording, for every service the emulator serves.
"""

from __future__ import annotations

import math
from typing import Any, NamedTuple

from botocore.model import ListShape, MapShape, Shape, StructureShape

from featurestore_demo.errors import ValidationException
from featurestore_demo.rules.names import constraint_error
from featurestore_demo.service_model import fits_pattern, service_model
from local_backend.emulator.shape_edges import map_violation, timestamp_mismatch

__all__ = ["Mismatch", "body_mismatch", "constraint_violation"]

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


def _input_shape(service: str, operation: str) -> Shape | None:
    model = service_model(service)
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
    if isinstance(value, _NUMBER) and shape.type_name == "timestamp" and (reason := timestamp_mismatch(value, path)):
        return Mismatch(True, reason)
    if isinstance(shape, StructureShape) and isinstance(value, dict):  # both hold when the type fits
        parts = ((member, value.get(name), f"{path}.{name}", _join(field, name[:1].lower() + name[1:]))
                 for name, member in shape.members.items())
    elif isinstance(shape, ListShape) and isinstance(value, list):
        if None in value:
            return Mismatch(True, f"{path}[{value.index(None)}]: a list member cannot be null.")
        parts = ((shape.member, item, f"{path}[{index}]", _join(field, f"{index + 1}.member"))
                 for index, item in enumerate(value))
    elif isinstance(shape, MapShape) and isinstance(value, dict):
        if None in value.values():
            return Mismatch(True, f"{path}: a map value cannot be null.")
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


def constraint_violation(service: str, operation: str, params: dict[str, Any]) -> ValidationException | None:
    """The AWS ValidationException ("1 validation error detected: ...") for the first constraint of
    the input shape of ``operation`` that ``params`` breaks: a required member missing, an enum,
    a length (string, list, map), a pattern, or a map's key or value; None if it breaks none (or
    the operation is unknown).

    ``params`` must already fit the shape's JSON types (:func:`body_mismatch`).
    """
    shape = _input_shape(service, operation)
    return None if shape is None else _violation(shape, params, "")


def _violation(shape: Shape, value: Any, field: str) -> ValidationException | None:
    if value is None:
        return None
    problem = _own_violation(shape, value, field)
    if problem is not None:
        return problem
    if isinstance(shape, StructureShape) and isinstance(value, dict):
        for name in shape.required_members:
            if value.get(name) is None:
                return constraint_error("null", _join(field, _camel(name)), "Member must not be null")
        parts = ((member, value.get(name), _join(field, _camel(name))) for name, member in shape.members.items())
    elif isinstance(shape, ListShape) and isinstance(value, list):
        parts = ((shape.member, item, _join(field, f"{index}.member")) for index, item in enumerate(value, 1))
    elif isinstance(shape, MapShape) and isinstance(value, dict):
        if problem := map_violation(shape, value, field, _breaks):
            return problem
        parts = ((shape.value, item, _join(field, str(key))) for key, item in value.items())
    else:
        return None
    return next((problem for part in parts if (problem := _violation(*part))), None)


def _breaks(shape: Shape, value: Any) -> bool:
    return _own_violation(shape, value, "") is not None


def _own_violation(shape: Shape, value: Any, field: str) -> ValidationException | None:
    """The violation of ``shape``'s own enum, length or pattern by ``value`` (not its members')."""
    meta, enum = shape.metadata, getattr(shape, "enum", None)
    if enum and value not in enum:
        return constraint_error(value, field, f"Member must satisfy enum value set: [{', '.join(enum)}]")
    if isinstance(value, (str, list, dict)) and shape.type_name in ("string", "list", "map"):
        if len(value) < meta.get("min", 0):
            return constraint_error(_shown(value), field,
                                    f"Member must have length greater than or equal to {meta['min']}")
        if "max" in meta and len(value) > meta["max"]:
            return constraint_error(_shown(value), field,
                                    f"Member must have length less than or equal to {meta['max']}")
    if isinstance(value, str) and "pattern" in meta and not fits_pattern(value, meta["pattern"]):
        return constraint_error(_shown(value), field,
                                f"Member must satisfy regular expression pattern: {meta['pattern']}")
    return None


def _shown(value: Any) -> Any:
    """A value as a constraint message shows it: long text cut to 64 characters."""
    return f"{value[:64]}..." if isinstance(value, str) and len(value) > 64 else value


def _camel(name: str) -> str:
    return name[:1].lower() + name[1:]
