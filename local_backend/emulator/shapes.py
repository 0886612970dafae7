"""Request bodies checked against botocore's input shapes, as the AWS front end deserialises them.

A JSON value of the wrong type for its member (a list where a string belongs, a string where
a structure belongs...), or a number its type cannot hold (an ``integer`` is 32-bit, a
``long`` 64-bit, a ``double`` finite), is what AWS answers with SerializationException (400),
before any handler runs. A number outside its shape's ``min``/``max`` is a ValidationException.
:meth:`local_backend.emulator.wire.Request.json` raises both, so handlers only ever see the
types and numeric ranges the model promises. A null member of a list or value of a map is a
SerializationException; unknown members and null structure members are let through (the
handlers check what they require). :func:`constraint_violation` checks the rest of the model's
constraints (required members, enums, lengths, patterns) in AWS's wording, for the services
that call it (the runtime).
"""

from __future__ import annotations

import math
from collections.abc import Callable
from functools import cache
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


@cache
def _input_shape(service: str, operation: str) -> Shape | None:
    model = service_model(service)
    return model.operation_model(operation).input_shape if operation in model.operation_names else None


def body_mismatch(service: str, operation: str, body: dict[str, Any]) -> Mismatch | None:
    """Why ``body`` does not fit the input shape of ``operation`` (a botocore service and
    operation name), or None if it fits or the operation is unknown to botocore."""
    check = _type_check(service, operation)
    return None if check is None else check(body, operation, "")


def constraint_violation(service: str, operation: str, params: dict[str, Any]) -> ValidationException | None:
    """The AWS ValidationException ("1 validation error detected: ...") for the first constraint of
    the input shape of ``operation`` that ``params`` breaks: a required member missing, an enum,
    a length (string, list, map) or a pattern; None if it breaks none (or the operation is unknown).

    ``params`` must already fit the shape's JSON types (:func:`body_mismatch`).
    """
    check = _constraint_check(service, operation)
    return None if check is None else check(params, "")


# Each check is compiled once per operation from the shapes (a closure per shape, recursive
# shapes through a late-bound reference), so a request walks plain functions, not botocore's model.
TypeCheck = Callable[[Any, str, str], "Mismatch | None"]
"""(value, path, field) -> why the value does not fit; ``path`` as SerializationException names
the member (``PutRecord.TtlDuration.Value``), ``field`` as AWS's constraint messages do
(``ttlDuration.value``, ``record.1.member``)."""
ConstraintCheck = Callable[[Any, str], "ValidationException | None"]


@cache
def _type_check(service: str, operation: str) -> TypeCheck | None:
    shape = _input_shape(service, operation)
    return None if shape is None else _compiled(shape, {}, _type_checker)


@cache
def _constraint_check(service: str, operation: str) -> ConstraintCheck | None:
    shape = _input_shape(service, operation)
    return None if shape is None else _compiled(shape, {}, _constraint_checker)


def _compiled(shape: Shape, done: dict[str, Any], make: Callable[[Shape, dict[str, Any]], Any]) -> Any:
    """The check ``make`` builds for ``shape``, once per shape name (a shape met again while it is
    being built, a recursive one, is reached through a late-bound reference)."""
    if shape.name in done:
        return done[shape.name]
    built: list[Any] = []
    done[shape.name] = lambda *args: built[0](*args)
    check = make(shape, done)
    built.append(check)
    done[shape.name] = check
    return check


def _join(field: str, name: str) -> str:
    return f"{field}.{name}" if field else name


def _type_checker(shape: Shape, done: dict[str, Any]) -> TypeCheck:
    """The check of a JSON value's type against ``shape`` (and of a number's size and range)."""
    type_name = shape.type_name
    expected = JSON_TYPES.get(type_name, (object,))
    bool_fits, numbers = bool in expected, type_name != "timestamp"

    def fits(value: Any, path: str, field: str) -> Mismatch | None:
        if not isinstance(value, expected) or (isinstance(value, bool) and not bool_fits):
            return Mismatch(True, f"{path}: expected a JSON {type_name}, got {type(value).__name__} "
                                  f"{str(value)[:40]!r}.")
        if numbers and isinstance(value, _NUMBER):
            return _number_mismatch(shape, value, path, field)
        if not numbers and isinstance(value, _NUMBER) and (reason := timestamp_mismatch(value, path)):
            return Mismatch(True, reason)
        return None

    if isinstance(shape, StructureShape):
        members = [(name, _compiled(member, done, _type_checker), "." + name, name[:1].lower() + name[1:])
                   for name, member in shape.members.items()]

        def structure(value: Any, path: str, field: str) -> Mismatch | None:
            if value is None:
                return None
            if not isinstance(value, dict):
                return fits(value, path, field)
            for name, check, suffix, camel in members:
                item = value.get(name)
                if item is not None and (problem := check(item, path + suffix, _join(field, camel))):
                    return problem
            return None
        return structure
    if isinstance(shape, ListShape):
        member = _compiled(shape.member, done, _type_checker)

        def listed(value: Any, path: str, field: str) -> Mismatch | None:
            if value is None:
                return None
            if not isinstance(value, list):
                return fits(value, path, field)
            if None in value:
                return Mismatch(True, f"{path}[{value.index(None)}]: a list member cannot be null.")
            for index, item in enumerate(value):
                if problem := member(item, f"{path}[{index}]", _join(field, f"{index + 1}.member")):
                    return problem
            return None
        return listed
    if isinstance(shape, MapShape):
        entry = _compiled(shape.value, done, _type_checker)

        def mapped(value: Any, path: str, field: str) -> Mismatch | None:
            if value is None:
                return None
            if not isinstance(value, dict):
                return fits(value, path, field)
            if None in value.values():
                return Mismatch(True, f"{path}: a map value cannot be null.")
            for key, item in value.items():
                if problem := entry(item, f"{path}.{key}", _join(field, str(key))):
                    return problem
            return None
        return mapped

    def scalar(value: Any, path: str, field: str) -> Mismatch | None:
        return None if value is None else fits(value, path, field)
    return scalar


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


def _constraint_checker(shape: Shape, done: dict[str, Any]) -> ConstraintCheck:
    """The check of a value against ``shape``'s own enum, length and pattern, then its members'."""
    own = _own_checker(shape)
    if isinstance(shape, StructureShape):
        required = [(name, _join("", _camel(name))) for name in shape.required_members]
        members = [(name, _compiled(member, done, _constraint_checker), _camel(name))
                   for name, member in shape.members.items()]

        def structure(value: Any, field: str) -> ValidationException | None:
            if value is None:
                return None
            if own is not None and (problem := own(value, field)):
                return problem
            if not isinstance(value, dict):
                return None
            for name, camel in required:
                if value.get(name) is None:
                    return constraint_error("null", _join(field, camel), "Member must not be null")
            for name, check, camel in members:
                item = value.get(name)
                if item is not None and (problem := check(item, _join(field, camel))):
                    return problem
            return None
        return structure
    if isinstance(shape, ListShape):
        member = _compiled(shape.member, done, _constraint_checker)

        def listed(value: Any, field: str) -> ValidationException | None:
            if value is None:
                return None
            if own is not None and (problem := own(value, field)):
                return problem
            if not isinstance(value, list):
                return None
            for index, item in enumerate(value, 1):
                if item is not None and (problem := member(item, _join(field, f"{index}.member"))):
                    return problem
            return None
        return listed
    if isinstance(shape, MapShape):
        entry = _compiled(shape.value, done, _constraint_checker)
        key_own, value_own = _own_checker(shape.key), _own_checker(shape.value)

        def breaks(part: Shape, item: Any) -> bool:
            check = key_own if part is shape.key else value_own
            return check is not None and check(item, "") is not None

        def mapped(value: Any, field: str) -> ValidationException | None:
            if value is None:
                return None
            if own is not None and (problem := own(value, field)):
                return problem
            if not isinstance(value, dict):
                return None
            if problem := map_violation(shape, value, field, breaks):
                return problem
            for key, item in value.items():
                if item is not None and (problem := entry(item, _join(field, str(key)))):
                    return problem
            return None
        return mapped

    def scalar(value: Any, field: str) -> ValidationException | None:
        return None if value is None or own is None else own(value, field)
    return scalar


def _own_checker(shape: Shape) -> ConstraintCheck | None:
    """The check of ``shape``'s own enum, length or pattern (not its members'); None if it has none."""
    meta, enum = shape.metadata, getattr(shape, "enum", None) or None
    sized = shape.type_name in ("string", "list", "map")
    low, high = meta.get("min", 0), meta.get("max")
    pattern = meta.get("pattern")
    if not enum and not (sized and (low > 0 or high is not None)) and pattern is None:
        return None
    members = frozenset(enum) if enum else frozenset()

    def own(value: Any, field: str) -> ValidationException | None:
        if enum and (value not in members if isinstance(value, str) else value not in enum):
            return constraint_error(value, field, f"Member must satisfy enum value set: [{', '.join(enum)}]")
        if sized and isinstance(value, (str, list, dict)):
            if len(value) < low:
                return constraint_error(_shown(value), field, f"Member must have length greater than or equal to {low}")
            if high is not None and len(value) > high:
                return constraint_error(_shown(value), field, f"Member must have length less than or equal to {high}")
        if pattern is not None and isinstance(value, str) and not fits_pattern(value, pattern):
            return constraint_error(_shown(value), field,
                                    f"Member must satisfy regular expression pattern: {pattern}")
        return None
    return own


def _shown(value: Any) -> Any:
    """A value as a constraint message shows it: long text cut to 64 characters."""
    return f"{value[:64]}..." if isinstance(value, str) and len(value) > 64 else value


def _camel(name: str) -> str:
    return name[:1].lower() + name[1:]
