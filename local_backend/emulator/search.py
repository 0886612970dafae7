"""SageMaker Search over feature groups and feature metadata: pure functions over their records.

A record is what Search returns for one resource: a ``FeatureGroup`` (the group's description,
with its Tags) or a ``FeatureMetadata`` (one feature's). The searchable properties are read from
the model's output shapes (``SearchRecord.FeatureGroup``, ``SearchRecord.FeatureMetadata``):

- every scalar member by its dotted path (``FeatureGroupName``, ``OnlineStoreConfig.EnableOnlineStore``,
  ``OfflineStoreStatus.Status``, ``FeatureDefinitions.FeatureType``...); a path through a list
  (``FeatureDefinitions.FeatureName``) has one value per element, and a filter holds if one does;
- a ``{Key, Value}`` list by key: ``Tags.<key>``, ``Parameters.<key>``; and ``AllParameters``
  (any parameter key or value), which AWS's Feature Store guide documents;
- a list of structures (``FeatureDefinitions``) as a NestedFilters ``NestedPropertyName``: one
  element must satisfy all of its filters.

A property's type is its shape's: text (strings, enums), number, boolean or timestamp (an ISO
8601 Value such as ``2024-05-01T12:00:00``, UTC unless it says otherwise).
"""

from __future__ import annotations

import operator
from collections.abc import Callable, Iterator
from datetime import datetime, timezone
from functools import cache
from typing import Any, NamedTuple

from botocore.model import ListShape, Shape, StructureShape

from featurestore_demo.errors import ValidationException
from featurestore_demo.service_model import service_model

__all__ = ["RESOURCES", "Query", "checked_query", "matches", "sorted_records", "result"]

RESOURCES = ("FeatureGroup", "FeatureMetadata")
MAX_CONDITIONS = 50
"""Filters, NestedFilters and SubExpressions an expression may hold in all (the model's documentation)."""
KIND_OF_TYPE = {"string": "text", "boolean": "boolean", "timestamp": "timestamp",
                "integer": "number", "long": "number", "double": "number", "float": "number"}
ORDERED = {"GreaterThan": operator.gt, "GreaterThanOrEqualTo": operator.ge,
           "LessThan": operator.lt, "LessThanOrEqualTo": operator.le}
TEXT_ONLY = ("Contains", "In")
WITHOUT_VALUE = ("Exists", "NotExists")
ALL_PARAMETERS = "AllParameters"


class Property(NamedTuple):
    """A searchable property: its kind (text, number, boolean, timestamp), the path of member
    names to its values, and for ``Tags.<key>`` / ``Parameters.<key>`` the key."""

    kind: str
    path: tuple[str, ...]
    key: str | None = None


class Filter(NamedTuple):
    """A checked Filter: its property name, operator and parsed value (None for Exists/NotExists)."""

    name: str
    operator: str
    value: Any


class Nested(NamedTuple):
    """A checked NestedFilters: the list property and the filters one of its elements must meet."""

    prefix: str
    filters: tuple[Filter, ...]


class Query(NamedTuple):
    """A checked SearchExpression: ``all_of`` (And) or any of (Or) its filters, nested filters and
    sub-expressions."""

    all_of: bool
    filters: tuple[Filter, ...]
    nested: tuple[Nested, ...]
    subqueries: tuple[Query, ...]


@cache
def _record_shape(resource: str) -> StructureShape:
    output = service_model("sagemaker").operation_model("Search").output_shape
    assert isinstance(output, StructureShape)
    results = output.members["Results"]
    assert isinstance(results, ListShape) and isinstance(results.member, StructureShape)
    shape = results.member.members[resource]
    assert isinstance(shape, StructureShape)
    return shape


def _is_keyed(shape: Shape) -> bool:
    """A list of ``{Key, Value}`` structures (Tags, Parameters)."""
    return (isinstance(shape, ListShape) and isinstance(shape.member, StructureShape)
            and set(shape.member.members) == {"Key", "Value"})


def _walk(shape: StructureShape, path: tuple[str, ...]) -> Iterator[tuple[str, Shape, tuple[str, ...]]]:
    """(dotted name, shape, path) of every member below ``shape``, lists looked through."""
    for name, member in shape.members.items():
        here = (*path, name)
        yield ".".join(here), member, here
        inner = member.member if isinstance(member, ListShape) and not _is_keyed(member) else member
        if isinstance(inner, StructureShape):
            yield from _walk(inner, here)


@cache
def _properties(resource: str) -> dict[str, Property]:
    """The scalar properties of ``resource`` by dotted name (keyed ones under ``<List>.``)."""
    found = {name: Property(KIND_OF_TYPE[shape.type_name], path)
             for name, shape, path in _walk(_record_shape(resource), ()) if shape.type_name in KIND_OF_TYPE}
    if resource == "FeatureMetadata":
        found[ALL_PARAMETERS] = Property("text", ("Parameters",), "*")
    return found


@cache
def _keyed(resource: str) -> dict[str, tuple[str, ...]]:
    """``{"Tags": ("Tags",)}``: the {Key, Value} lists of ``resource``, searched as ``Tags.<key>``."""
    return {name: path for name, shape, path in _walk(_record_shape(resource), ()) if _is_keyed(shape)}


@cache
def nested_properties(resource: str) -> tuple[str, ...]:
    """The lists of structures of ``resource`` a NestedFilters may name (``FeatureDefinitions``)."""
    return tuple(name for name, shape, _ in _walk(_record_shape(resource), ())
                 if isinstance(shape, ListShape) and isinstance(shape.member, StructureShape) and not _is_keyed(shape))


def property_of(resource: str, name: str) -> Property:
    """The property ``name`` of ``resource``; ValidationException naming the valid ones if unknown."""
    known = _properties(resource).get(name)
    if known is not None:
        return known
    head, _, key = name.partition(".")
    if head in _keyed(resource) and key:
        return Property("text", _keyed(resource)[head], key)
    valid = sorted(_properties(resource)) + [f"{head}.<key>" for head in _keyed(resource)]
    raise ValidationException(f"Unknown property name '{name}' for resource {resource}. "
                              f"Searchable properties: {', '.join(valid)}.")


# ---------------------------------------------------------------- checking the request


def checked_query(resource: str, expression: dict[str, Any] | None) -> Query | None:
    """The SearchExpression as a :class:`Query` (None: no expression, every record matches).

    ValidationException for an expression with nothing in it (at any depth), more than
    :data:`MAX_CONDITIONS` conditions in all, an unknown property, an operator the property's
    type does not support, a missing or unreadable Value.
    """
    if expression is None:
        return None
    count = _count(expression)
    if count > MAX_CONDITIONS:
        raise ValidationException(f"A SearchExpression may hold at most {MAX_CONDITIONS} Filters, NestedFilters "
                                  f"and SubExpressions in all; this one holds {count}.")
    return _query(resource, expression)


def _count(expression: dict[str, Any]) -> int:
    nested = expression.get("NestedFilters") or []
    return (len(expression.get("Filters") or []) + len(nested)
            + sum(len(item.get("Filters") or []) for item in nested)
            + sum(1 + _count(sub) for sub in expression.get("SubExpressions") or []))


def _query(resource: str, expression: dict[str, Any]) -> Query:
    filters = tuple(_filter(resource, item) for item in expression.get("Filters") or [])
    nested = tuple(_nested(resource, item) for item in expression.get("NestedFilters") or [])
    subqueries = tuple(_query(resource, sub) for sub in expression.get("SubExpressions") or [])
    if not (filters or nested or subqueries):
        raise ValidationException("A SearchExpression must hold at least one of Filters, NestedFilters or "
                                  "SubExpressions.")
    return Query(expression.get("Operator", "And") == "And", filters, nested, subqueries)


def _nested(resource: str, item: dict[str, Any]) -> Nested:
    prefix = item["NestedPropertyName"]
    if prefix not in nested_properties(resource):
        raise ValidationException(f"NestedPropertyName '{prefix}' is not a nested property of {resource}; "
                                  f"it may be {', '.join(nested_properties(resource))}.")
    filters = tuple(_filter(resource, inner) for inner in item["Filters"])
    for checked in filters:
        if not checked.name.startswith(f"{prefix}."):
            raise ValidationException(f"The filter on '{checked.name}' is inside NestedFilters of '{prefix}'; "
                                      f"its Name must start with '{prefix}.'.")
    return Nested(prefix, filters)


def _filter(resource: str, item: dict[str, Any]) -> Filter:
    """A Filter checked against its property: no Operator means Equals with a Value, else Exists."""
    name, value = item["Name"], item.get("Value")
    kind = property_of(resource, name).kind
    op = item.get("Operator") or ("Equals" if value is not None else "Exists")
    if op in WITHOUT_VALUE:
        return Filter(name, op, None)
    if value is None:
        raise ValidationException(f"The {op} filter on '{name}' needs a Value.")
    if op in ORDERED and kind not in ("number", "timestamp"):
        raise ValidationException(f"Operator {op} is not supported for the {kind} property '{name}'; it applies "
                                  "to numeric and timestamp properties.")
    if op in TEXT_ONLY and kind != "text":
        raise ValidationException(f"Operator {op} is not supported for the {kind} property '{name}'; it applies "
                                  "to text properties.")
    if op == "In":
        return Filter(name, op, frozenset(part.strip() for part in value.split(",")))
    return Filter(name, op, _parsed(kind, value, name))


def _parsed(kind: str, value: str, name: str) -> Any:
    """The filter Value as the property's kind compares it; ValidationException if it cannot be."""
    try:
        if kind == "number":
            return float(value)
        if kind == "timestamp":
            return _instant(value)
    except ValueError:
        raise ValidationException(
            f"Value '{value}' of the filter on '{name}' is not a "
            + ("number." if kind == "number" else "timestamp (ISO 8601, such as 2024-05-01T12:00:00).")
        ) from None
    if kind == "boolean":
        if value.lower() not in ("true", "false"):
            raise ValidationException(f"Value '{value}' of the filter on '{name}' is not a boolean (true or false).")
        return value.lower() == "true"
    return value


def _instant(value: str) -> datetime:
    moment = datetime.fromisoformat(value.replace("Z", "+00:00"))
    return moment if moment.tzinfo else moment.replace(tzinfo=timezone.utc)


# ---------------------------------------------------------------- evaluating


def values(resource: str, record: dict[str, Any], name: str) -> list[Any]:
    """Every value of the property ``name`` in ``record`` (none if it is absent)."""
    prop = property_of(resource, name)
    found = _at(record, prop.path)
    if prop.key is None:
        return found
    if prop.key == "*":
        return [text for pair in found for text in (pair["Key"], pair["Value"])]
    return [pair["Value"] for pair in found if pair["Key"] == prop.key]


def _at(value: Any, path: tuple[str, ...]) -> list[Any]:
    """The values at ``path`` below ``value``, fanning out through lists."""
    if isinstance(value, list):
        return [found for item in value for found in _at(item, path)]
    if not path:
        return [] if value is None else [value]
    if not isinstance(value, dict):
        return []
    return _at(value.get(path[0]), path[1:])


def _holds(found: list[Any], condition: Filter) -> bool:
    """Whether a property whose values are ``found`` meets ``condition``."""
    test = _test(condition)
    if condition.operator == "Exists":
        return bool(found)
    if condition.operator in ("NotExists", "NotEquals"):
        return not any(test(value) for value in found)
    return any(test(value) for value in found)


def _test(condition: Filter) -> Callable[[Any], bool]:
    """The test one value of the property must pass (NotEquals: the test it must never pass)."""
    op, wanted = condition.operator, condition.value
    if op in ORDERED:
        return lambda value: bool(ORDERED[op](_comparable(value), wanted))
    if op == "Contains":
        return lambda value: wanted in value
    if op == "In":
        return lambda value: value in wanted
    if op in ("Equals", "NotEquals"):
        return lambda value: bool(_comparable(value) == wanted)
    return lambda value: True


def _comparable(value: Any) -> Any:
    """A record's value as filter values are parsed: numbers as floats, times as aware datetimes."""
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        return value
    return float(value)


def matches(resource: str, record: dict[str, Any], query: Query | None) -> bool:
    """Whether ``record`` satisfies ``query`` (None: every record does)."""
    if query is None:
        return True
    results = [_holds(values(resource, record, condition.name), condition) for condition in query.filters]
    results += [_nested_holds(resource, record, nested) for nested in query.nested]
    results += [matches(resource, record, sub) for sub in query.subqueries]
    return all(results) if query.all_of else any(results)


def _nested_holds(resource: str, record: dict[str, Any], nested: Nested) -> bool:
    """One element of the list ``nested.prefix`` meets every one of its filters."""
    depth = len(nested.prefix.split("."))
    paths = [property_of(resource, condition.name).path[depth:] for condition in nested.filters]
    return any(
        all(_holds(_at(element, path), condition) for path, condition in zip(paths, nested.filters))
        for element in _at(record, tuple(nested.prefix.split(".")))
    )


def sorted_records(
    resource: str, records: list[dict[str, Any]], sort_by: str, descending: bool
) -> list[dict[str, Any]]:
    """``records`` ordered by ``sort_by`` (their first value of it), ties by ARN and feature name;
    records without the property come last. ValidationException for an unknown property."""
    property_of(resource, sort_by)
    keyed = [(values(resource, record, sort_by), record) for record in records]

    def tie(record: dict[str, Any]) -> tuple[str, str]:
        return record.get("FeatureGroupArn", ""), record.get("FeatureName", "")

    present = sorted(((_comparable(found[0]), tie(record), record) for found, record in keyed if found),
                     key=lambda item: (item[0], item[1]), reverse=descending)
    absent = sorted((record for found, record in keyed if not found), key=tie)
    return [record for _, _, record in present] + absent


def result(resource: str, record: dict[str, Any]) -> dict[str, Any]:
    """The SearchRecord of ``record``: ``{resource: record}`` with only the members of the model's shape."""
    members = _record_shape(resource).members
    return {resource: {key: value for key, value in record.items() if key in members}}
