"""Requests generated from botocore's model: each constraint broken once, each member mutated.

Both generators start from a full valid request of an operation (every member set, written as
data by the test that uses them) and walk it against the operation's input shape:

- :func:`violations` yields one request per constraint found (an enum, a length, a pattern, a
  numeric range, a required member, a map's keys or values), breaking it and nothing else;
- :func:`mutations` yields, for every member at every depth (a list's elements and a map's
  values included), the request with that member replaced by a value of the wrong JSON type,
  null, an empty or null-holding list, an empty object, a very long string, a deep nesting,
  and values of its own type that handlers must read with care (texts that parse as numbers,
  control characters, numbers at the edges).

:func:`wire_request` puts a request on the wire with botocore's own serialiser (validation off),
so the bytes are those a client would send, whatever the protocol (JSON 1.1, rest-json).
A valid request may hold placeholders (``{group}``) that :func:`filled` replaces.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any, NamedTuple
from urllib.parse import urlencode

from botocore.model import ListShape, MapShape, Shape, StructureShape
from botocore.serialize import create_serializer

from featurestore_demo.service_model import fits_pattern, service_model

__all__ = ["CONSTRAINTS", "Mutation", "Violation", "filled", "mutations", "replaced", "violations", "wire_request"]

CONSTRAINTS = {"enum": "Member must satisfy enum value set: [", "min": "greater than or equal to ",
               "max": "less than or equal to ", "pattern": "Member must satisfy regular expression pattern: ",
               "required": "Member must not be null"}
"""What AWS's message says for each kind of constraint broken (a map's keys and values: the same,
inside ``Map keys must satisfy constraint: [...]`` / ``Map value must satisfy constraint: [...]``)."""
MAP_PARTS = {"key": "Map keys must satisfy constraint: [", "value": "Map value must satisfy constraint: ["}
LONGEST_IN_URL = 4096
"""Longer texts are not tried where the URL carries them (path, query string); nor are empty
ones there, which the wire cannot tell from a member left out."""
NOT_A_PATTERN = ("bad name!", "bad\u0001name", "\u0001")
"""Texts tried in turn to break a pattern: the first the pattern refuses (padded to the shape's
minimum length) is used; a pattern none of them breaks (``.+``) is not tried."""
LONG_TEXT = "x" * 100_000
DEPTH = 40
"""How deep the nested mutants go: within the emulator's JSON depth limit, so the model's type
checks (not the framing guard) answer them."""


class Violation(NamedTuple):
    operation: str
    field: str  # as AWS names it: entries.1.member.targetStores.1.member
    kind: str  # a key of CONSTRAINTS
    params: dict[str, Any]
    needs_body: bool  # the member travels in a rest-json URL, where this value cannot be told from none
    map_part: str | None = None  # "key" or "value" when the constraint is of a map's keys or values


class Mutation(NamedTuple):
    operation: str
    member: str  # the path of the member replaced, as in the request: Identifiers[0].FeatureNames
    mutant: str  # a key of MUTANTS
    params: dict[str, Any]
    in_url: bool  # the member travels in a rest-json URL (a text there, whatever its type)


def violations(service: str, valid: dict[str, Any], operations: list[str]) -> list[Violation]:
    """One request per constraint of each of ``operations``' input shape, from ``valid[operation]``
    (a request, or a list of requests each adding members the others cannot have at once).

    A constraint is found once per operation, at the first place the valid requests reach it
    (list elements after the first add only members the first lacks).
    """
    model = service_model(service)
    found = []
    for operation in operations:
        shape, seen = model.operation_model(operation).input_shape, set()
        for request in _variants(valid[operation]):
            for broken in _broken(shape, request, "", (), in_url=False):
                field, kind, path, value, needs_body, part = broken
                key = (_schema_path(path), kind, part)
                if key not in seen:
                    seen.add(key)
                    found.append(Violation(operation, field, kind, replaced(request, path, value), needs_body, part))
    return found


def _variants(valid: Any) -> list[dict[str, Any]]:
    return valid if isinstance(valid, list) else [valid]


def _schema_path(path: tuple) -> tuple:
    """A path with its list positions dropped: where a member sits in the shape, not in the request."""
    return tuple("[]" if isinstance(step, int) else step for step in path)


def _broken(shape: Shape, value: Any, field: str, path: tuple, in_url: bool) -> Iterator[tuple]:
    """(field, kind, path, breaking value, needs_body, map part) for each constraint of ``shape``
    and its members at ``value``; ``in_url``: the URL carries ``value`` (rest-json)."""
    for kind, breaking, needs_body in _own_breaks(shape, value, in_url):
        yield field, kind, path, breaking, needs_body, None
    if isinstance(shape, StructureShape):
        for name, member in shape.members.items():
            sub = f"{field}.{_camel(name)}" if field else _camel(name)
            location = member.serialization.get("location")
            url = location in ("uri", "querystring", "header")
            if name in shape.required_members:  # a query-string member can be left out; a path segment cannot
                yield sub, "required", (*path, name), None, in_url or location == "uri", None
            if name in value:
                yield from _broken(member, value[name], sub, (*path, name), in_url or url)
    elif isinstance(shape, ListShape):
        for index, item in enumerate(value):
            yield from _broken(shape.member, item, f"{field}.{index + 1}.member", (*path, index), in_url)
    elif isinstance(shape, MapShape) and value:
        key, item = next(iter(value.items()))
        for kind, breaking, needs_body in _own_breaks(shape.key, key, in_url):
            yield field, kind, path, {breaking: item}, needs_body, "key"
        for kind, breaking, needs_body in _own_breaks(shape.value, item, in_url):
            yield field, kind, (*path, key), breaking, needs_body, "value"


def _own_breaks(shape: Shape, value: Any, in_url: bool) -> Iterator[tuple[str, Any, bool]]:
    """(kind, breaking value, needs_body) for each of ``shape``'s own constraints (not its members')."""
    meta, enum = shape.metadata, getattr(shape, "enum", None)
    if enum:
        yield "enum", "NotInTheEnum", False
    elif shape.type_name in ("string", "list", "map"):
        if meta.get("min", 0) > 0:  # an empty path segment or query list is no member at all
            yield "min", {"string": "", "list": [], "map": {}}[shape.type_name], in_url
        if "max" in meta:
            yield "max", _too_long(shape, value, meta["max"] + 1), in_url and meta["max"] >= LONGEST_IN_URL
        pattern = meta.get("pattern")
        breaking = _not_matching(pattern, meta.get("min", 0)) if pattern and shape.type_name == "string" else None
        if breaking is not None:
            yield "pattern", breaking, False
    elif shape.type_name in ("integer", "long", "float", "double"):
        if "min" in meta:
            yield "min", meta["min"] - 1, False
        if "max" in meta:
            yield "max", meta["max"] + 1, False


def _too_long(shape: Shape, value: Any, length: int) -> Any:
    if shape.type_name == "string":
        return "x" * length
    if shape.type_name == "list":
        return [value[0] if value else "x"] * length
    first = next(iter(value.values()), "x") if value else "x"
    return {f"k{index}": first for index in range(length)}


def _not_matching(pattern: str, least: int) -> str | None:
    for text in NOT_A_PATTERN:
        padded = text + "x" * max(0, least - len(text))
        if not fits_pattern(padded, pattern):
            return padded
    return None


def replaced(params: Any, path: tuple, value: Any, *, remove_none: bool = True) -> Any:
    """A copy of ``params`` with the member at ``path`` set to ``value`` (None: left out, unless
    ``remove_none`` is false, which sends a JSON null)."""
    if not path:
        return value
    copy = json.loads(json.dumps(params))
    target = copy
    for key in path[:-1]:
        target = target[key]
    if value is None and remove_none:
        del target[path[-1]]
    else:
        target[path[-1]] = value
    return copy


def _nested(depth: int) -> Any:
    """Lists and objects in turn, ``depth`` deep: ``[{"a": [{"a": ...}]}]``."""
    value: Any = None
    for level in range(depth):
        value = [value] if level % 2 else {"a": value}
    return value


MUTANTS: dict[str, Any] = {
    "null": None, "string": "x", "number": 1, "bool": True, "list": ["x"], "object": {"x": "x"},
    "empty list": [], "empty object": {}, "list of null": [None], "long string": LONG_TEXT,
    "deep": _nested(DEPTH),
}
"""What every member is replaced by in turn (a mutant of the member's own type is kept: an empty
list where a list belongs tests a list's minimum length)."""
TEXTS = {"empty string": "", "control": "\u0000\u0001", "path": "../a%2F\u00e9", "huge text": "9" * 400,
         "overflow text": "1e400", "nan text": "NaN"}
NUMBERS = {"fraction": 1.5, "zero": 0, "negative": -1, "huge": 2**63}
TYPED_MUTANTS: dict[str, dict[str, Any]] = {
    "string": TEXTS, "blob": TEXTS, "timestamp": {**NUMBERS, **TEXTS}, "integer": NUMBERS, "long": NUMBERS,
    "float": NUMBERS, "double": NUMBERS, "structure": {"object of null": {"x": None}},
    "map": {"object of null": {"x": None}},
}
"""What a member of each type is also replaced by: values of its own JSON type that handlers must
read with care (texts that parse as numbers, control characters, numbers at the edges)."""
URL_MUTANTS: dict[str, str] = {
    "empty": "", "long string": "x" * 8192, "null": "null", "number": "1.5", "bool": "true", "list": "[1]",
    "object": "{}", "control": "\u0001", "percent": "%", "slash": "a/b", "unicode": "\u00e9\U0001f600",
    "huge text": "9" * 400, "overflow text": "1e400", "nan text": "NaN",
}
"""What a member the URL carries is replaced by: a URL holds only text."""


def mutations(service: str, valid: dict[str, Any], operations: list[str], *, in_body: bool = False) -> list[Mutation]:
    """For each of ``operations``, each member of ``valid[operation]`` at every depth (once per
    place, in the first variant that has it), replaced by each of :data:`MUTANTS` and those of
    its type (:data:`TYPED_MUTANTS`); by :data:`URL_MUTANTS` where the URL carries it, unless
    ``in_body`` (sent as JSON 1.1)."""
    model = service_model(service)
    found = []
    for operation in operations:
        shape, seen = model.operation_model(operation).input_shape, set()
        for request in _variants(valid[operation]):
            for path, member, in_url in _members(shape, request, (), False, in_body):
                if path in seen:
                    continue
                seen.add(path)
                mutants = URL_MUTANTS if in_url else {**MUTANTS, **TYPED_MUTANTS.get(member.type_name, {})}
                for name, value in mutants.items():
                    if in_url and member.type_name == "list":  # a query list's values, not its characters
                        value = [value]
                    params = replaced(request, path, value, remove_none=False)
                    found.append(Mutation(operation, _shown_path(path), name, params, in_url))
    return found


def _members(shape: Shape, value: Any, path: tuple, in_url: bool, in_body: bool) -> Iterator[tuple[tuple, Shape, bool]]:
    """(path, shape, in_url) of every member of ``value`` below ``shape``: structure members, each
    list element and a map's first value, at every depth (``in_body``: none is in a URL)."""
    if isinstance(shape, StructureShape) and isinstance(value, dict):
        for name, member in shape.members.items():
            if name in value:
                location = member.serialization.get("location")
                url = in_url or (not in_body and location in ("uri", "querystring", "header"))
                yield (*path, name), member, url
                yield from _members(member, value[name], (*path, name), url, in_body)
    elif isinstance(shape, ListShape) and isinstance(value, list) and not in_url:
        for index, item in enumerate(value):
            yield (*path, index), shape.member, in_url
            yield from _members(shape.member, item, (*path, index), in_url, in_body)
    elif isinstance(shape, MapShape) and isinstance(value, dict) and value:
        key = next(iter(value))
        yield (*path, key), shape.value, in_url
        yield from _members(shape.value, value[key], (*path, key), in_url, in_body)


def _shown_path(path: tuple) -> str:
    return "".join(f"[{step}]" if isinstance(step, int) else f".{step}" for step in path).lstrip(".")


def filled(params: Any, names: dict[str, str]) -> Any:
    """``params`` with each placeholder ``{name}`` in its texts replaced by ``names[name]``."""
    text = json.dumps(params)
    for name, value in names.items():
        text = text.replace("{" + name + "}", value)
    return json.loads(text)


def wire_request(service: str, operation: str, params: dict[str, Any], *,
                 json11_prefix: str | None = None) -> tuple[str, str, bytes, dict[str, str]]:
    """(method, path with its query string, body, headers) of ``params`` as a client sends them.

    The URL (rest-json) comes from botocore's serialiser, its validation off; the JSON body is
    ``params``' body members as they are, so a member may hold a value of any JSON type (a
    timestamp as epoch seconds). ``json11_prefix`` (``AmazonAthena.``) sends a rest-json
    service's operation as JSON 1.1 instead, with ``X-Amz-Target: <prefix><operation>``.
    """
    model = service_model(service)
    operation_model = model.operation_model(operation)
    signed = {"Authorization": "AWS4-HMAC-SHA256 Credential=k/20240101/us-east-1/"
                               f"{model.signing_name}/aws4_request, SignedHeaders=host, Signature=0"}
    if json11_prefix is not None or model.metadata["protocol"] == "json":
        prefix = json11_prefix if json11_prefix is not None else model.metadata["targetPrefix"] + "."
        return "POST", "/", json.dumps(params).encode(), {**signed, "X-Amz-Target": prefix + operation,
                                                          "Content-Type": "application/x-amz-json-1.1"}
    members = operation_model.input_shape.members if operation_model.input_shape else {}
    in_url = {name for name, member in members.items() if member.serialization.get("location")}
    serializer = create_serializer("rest-json", include_validation=False)
    request = serializer.serialize_to_request({k: v for k, v in params.items() if k in in_url}, operation_model)
    query = urlencode(request["query_string"], doseq=True)
    in_body = {k: v for k, v in params.items() if k not in in_url}
    body = json.dumps(in_body).encode() if in_body or request["body"] else b""
    return (request["method"], request["url_path"] + (f"?{query}" if query else ""), body,
            {**signed, "Content-Type": "application/json"})


def _camel(name: str) -> str:
    return name[:1].lower() + name[1:]
