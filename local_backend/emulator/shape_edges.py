"""Two checks of the AWS front end beyond a member's plain type and its own constraints.

- A ``timestamp`` member sent as epoch seconds must be an instant: of years 1 to 9999
  (SerializationException otherwise, as a number no ``integer`` or ``long`` holds is).
- A map's keys and values are checked against the map's key and value shapes, and AWS words a
  failure at the map's field, listing every constraint of that shape:
  ``Value '{k=v}' at 'engineConfiguration.additionalConfigs' failed to satisfy constraint: Map
  keys must satisfy constraint: [Member must have length less than or equal to 255, ...]``
  (``Map value must satisfy constraint: [...]`` for a value).

:mod:`.shapes` calls both from its checks; they stand apart so the checker's own structure can
change (compiled, cached) without them.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from botocore.model import MapShape, Shape

from featurestore_demo.errors import ValidationException
from featurestore_demo.rules.names import constraint_error

__all__ = ["TIMESTAMP_RANGE", "map_violation", "timestamp_mismatch"]

TIMESTAMP_RANGE = (-62135596800, 253402300799.999)
"""The epoch seconds of 0001-01-01T00:00:00Z and 9999-12-31T23:59:59.999Z: a JSON timestamp
beyond them is no instant a handler can hold (Python's datetime, Java's Date in milliseconds)."""


def timestamp_mismatch(value: int | float, path: str) -> str | None:
    """Why epoch seconds ``value`` at ``path`` are no timestamp (outside :data:`TIMESTAMP_RANGE`), or None."""
    low, high = TIMESTAMP_RANGE
    if low <= value <= high:
        return None
    shown = f"{str(value)[:20]}...({len(str(value))} digits)" if len(str(value)) > 24 else str(value)
    return f"{path}: {shown} does not fit a timestamp (epoch seconds of years 1 to 9999)."


def map_violation(shape: MapShape, value: dict[str, Any], field: str,
                  breaks: Callable[[Shape, Any], bool]) -> ValidationException | None:
    """AWS's ValidationException for the first key or (non-null) value of the map ``value`` at
    ``field`` that ``breaks`` its own constraints (those of ``shape.key`` or ``shape.value``), or None."""
    for key, item in value.items():
        for part, part_shape, part_value in (("keys", shape.key, key), ("value", shape.value, item)):
            if part_value is not None and breaks(part_shape, part_value):
                shown = "{" + ", ".join(f"{_shown(k)}={_shown(v)}" for k, v in value.items()) + "}"
                return constraint_error(shown, field, f"Map {part} must satisfy constraint: [{_listed(part_shape)}]")
    return None


def _listed(shape: Shape) -> str:
    """Every constraint of ``shape``, in the order AWS lists them in a map's message."""
    meta, enum = shape.metadata, getattr(shape, "enum", None)
    constraints = [f"Member must satisfy enum value set: [{', '.join(enum)}]"] if enum else []
    if "max" in meta:
        constraints.append(f"Member must have length less than or equal to {meta['max']}")
    if "min" in meta:
        constraints.append(f"Member must have length greater than or equal to {meta['min']}")
    if "pattern" in meta:
        constraints.append(f"Member must satisfy regular expression pattern: {meta['pattern']}")
    return ", ".join(constraints)


def _shown(value: Any) -> Any:
    """A key or value as the message shows it: long text cut to 64 characters."""
    return f"{value[:64]}..." if isinstance(value, str) and len(value) > 64 else value
