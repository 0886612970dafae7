"""Request bodies checked against botocore's input shapes, as the AWS front end deserialises them.

A JSON value of the wrong type for its member (a list where a string belongs, a string where
a structure belongs...) is what AWS answers with SerializationException (400), before any
handler runs; :meth:`local_backend.emulator.wire.Request.json` raises it, so handlers only ever
see the types the model promises. Unknown members and nulls are let through (the handlers
check what they require).
"""

from __future__ import annotations

from functools import lru_cache
from typing import Any

import botocore.session
from botocore.model import ServiceModel, Shape

__all__ = ["type_error"]

_NUMBER = (int, float)
JSON_TYPES: dict[str, tuple[type, ...]] = {
    "structure": (dict,), "map": (dict,), "list": (list,), "string": (str,), "blob": (str,),
    "boolean": (bool,), "integer": (int,), "long": (int,), "float": _NUMBER, "double": _NUMBER,
    "timestamp": (*_NUMBER, str),
}


@lru_cache(maxsize=None)
def _service_model(service: str) -> ServiceModel:
    """botocore's model of ``service``, loaded once (tens of milliseconds each time otherwise)."""
    return botocore.session.get_session().get_service_model(service)


def _input_shape(service: str, operation: str) -> Shape | None:
    model = _service_model(service)
    return model.operation_model(operation).input_shape if operation in model.operation_names else None


def type_error(service: str, operation: str, body: dict[str, Any]) -> str | None:
    """Why ``body`` does not fit the input shape of ``operation`` (a botocore service and
    operation name), or None if it fits or the operation is unknown to botocore."""
    shape = _input_shape(service, operation)
    return None if shape is None else _mismatch(shape, body, operation)


def _mismatch(shape: Shape, value: Any, path: str) -> str | None:
    if value is None:
        return None
    expected = JSON_TYPES.get(shape.type_name, (object,))
    if not isinstance(value, expected) or (isinstance(value, bool) and bool not in expected):
        return f"{path}: expected a JSON {shape.type_name}, got {type(value).__name__} {str(value)[:40]!r}."
    if shape.type_name == "structure":
        parts = ((member, value.get(name), f"{path}.{name}") for name, member in shape.members.items())
    elif shape.type_name == "list":
        parts = ((shape.member, item, f"{path}[{index}]") for index, item in enumerate(value))
    elif shape.type_name == "map":
        parts = ((shape.value, item, f"{path}.{key}") for key, item in value.items())
    else:
        return None
    return next((problem for part in parts if (problem := _mismatch(*part))), None)
