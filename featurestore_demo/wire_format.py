"""The AWS wire format of records: ``[{"FeatureName", "ValueAsString"}]``, both ways; a collection
feature's value is ``{"FeatureName", "ValueAsStringList"}``.

Records cross the kit's interface as dicts of typed values; this format exists only where AWS
is spoken: in the AWS backend and in the emulator.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import datetime, timezone
from typing import Any

from featurestore_demo.rules.values import collection_texts, parse_value, value_text
from featurestore_demo.schemas import FeatureGroupSpec

__all__ = ["value_as_string", "to_wire_record", "from_wire_record", "iso_instant"]


value_as_string = value_text
"""A typed value as ValueAsString: :func:`featurestore_demo.rules.values.value_text`."""


def to_wire_record(record: Mapping[str, Any]) -> list[dict[str, Any]]:
    """A record dict as the ``Record`` list of PutRecord / GetRecord: a list or tuple value (a
    collection's) as ``ValueAsStringList``, any other as ``ValueAsString``."""
    return [{"FeatureName": name, "ValueAsStringList": collection_texts(value)}
            if isinstance(value, (list, tuple)) else {"FeatureName": name, "ValueAsString": value_as_string(value)}
            for name, value in record.items()]


def from_wire_record(spec: FeatureGroupSpec, items: Iterable[Mapping[str, Any]]) -> dict[str, Any]:
    """A ``Record`` list as a dict typed by the group's definitions, a ``ValueAsStringList`` as a
    list of typed elements (ValidationException if a value is bad)."""
    types = spec.types
    record: dict[str, Any] = {}
    for item in items:
        name = item["FeatureName"]
        kind = types.get(name, "String")
        if item.get("ValueAsString") is not None:
            record[name] = parse_value(kind, item["ValueAsString"], name)
        elif item.get("ValueAsStringList") is not None:
            record[name] = [parse_value(kind, text, name) for text in item["ValueAsStringList"]]
    return record


def iso_instant(seconds: float) -> str:
    """Epoch seconds as the ISO text of ``ExpiresAt``, e.g. ``2024-01-31T12:00:30.000Z``."""
    moment = datetime.fromtimestamp(seconds, tz=timezone.utc)
    return moment.isoformat(timespec="milliseconds").replace("+00:00", "Z")
