"""Record value rules: parsing and validating feature values (SAGEMAKER_SPEC §2.4, §2.5).

Values may arrive typed (``int``, ``float``, ``str``, numpy scalars) or as the strings of the
AWS wire format; either way they leave as ``int`` for Integral, ``float`` for Fractional and
``str`` for String. ``None`` (or NaN) means "feature absent from this record", as the
SageMaker SDK treats missing cells. A collection feature's value (List, Set, Vector:
:mod:`featurestore_demo.rules.collections`) is a list of such elements and leaves as a tuple.
"""

from __future__ import annotations

import math
import re
from collections.abc import Container, Iterable, Mapping
from datetime import datetime, timezone
from typing import Any, NamedTuple

from featurestore_demo.errors import ValidationException
from featurestore_demo.schemas import FeatureDefinition, FeatureGroupSpec, TtlDuration

INT64_MIN, INT64_MAX = -(2**63), 2**63 - 1
MAX_RECORD_BYTES = 350 * 1024
"""The record limit, 350 KB = 358,400 bytes (the model's ValueAsString max): see :func:`record_size`."""
MAX_RECORD_ID_BYTES = 2 * 1024
MIN_EVENT_SECONDS = -62_167_219_200.0
"""0000-01-01T00:00:00Z, the start of the documented event-time range (SAGEMAKER_SPEC §2.5)."""
MAX_EVENT_SECONDS = 253_402_300_799.999
"""9999-12-31T23:59:59.999Z, the end of the documented event-time range; ExpiresAt is held to it too."""
_INTEGRAL_RE = re.compile(r"[+-]?\d+")
ISO_EVENT_TIME_RE = re.compile(r"\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d{3})?Z")
VECTOR = "Vector"
_COLLECTION_CLASSES = (tuple, list)
ExactTexts = dict[str, str | list[str]]
"""Feature -> the text put (a scalar) or the texts put (a collection) that its typed value would
not give back: what the online store keeps beside the typed values (:func:`exact_texts`)."""


def is_missing(value: Any) -> bool:
    """True for None and float NaN: the feature is absent from the record."""
    return value is None or (isinstance(value, float) and math.isnan(value))


def parse_value(feature_type: str, value: Any, feature_name: str = "value") -> int | float | str:
    """``value`` as the Python type of ``feature_type``; ValidationException if it is not one."""
    if feature_type == "Integral":
        return _parse_integral(value, feature_name)
    if feature_type == "Fractional":
        return _parse_fractional(value, feature_name)
    if isinstance(value, str):
        return _unicode_text(value, feature_name)
    raise _bad_value(feature_name, value, "String", "a text value")


def _unicode_text(value: str, feature_name: str) -> str:
    """``value`` if it is Unicode text, which UTF-8 can carry; a lone UTF-16 surrogate is not."""
    if value.isascii():
        return value
    try:
        value.encode("utf-8")
    except UnicodeEncodeError as exc:
        raise ValidationException(
            f"Invalid value {value[:40]!a} for feature '{feature_name}' of type String: "
            f"character {exc.start} is a lone UTF-16 surrogate ({value[exc.start]!a}), which is not "
            "Unicode text. Send valid UTF-8 (a surrogate pair must stay a pair)."
        ) from None
    return value


def _bad_value(feature_name: str, value: Any, feature_type: str, expected: str) -> ValidationException:
    if isinstance(value, _COLLECTION_CLASSES):
        return ValidationException(
            f"Feature '{feature_name}' is a single {feature_type} value (it has no CollectionType): send one "
            f"value (ValueAsString), not the list {str(value)[:40]} (ValueAsStringList)."
        )
    return ValidationException(
        f"Invalid value '{value}' for feature '{feature_name}' of type {feature_type}: "
        f"expected {expected}."
    )


def _parse_integral(value: Any, feature_name: str) -> int:
    if isinstance(value, bool):
        raise _bad_value(feature_name, value, "Integral", "a whole number, not a boolean")
    if isinstance(value, str) and _INTEGRAL_RE.fullmatch(value.strip()):
        number = int(value)
    elif hasattr(value, "__index__"):  # int and numpy integers, not floats
        number = int(value.__index__())
    else:
        raise _bad_value(
            feature_name,
            value,
            "Integral",
            "a whole number such as '42' ('1.0' is rejected: pandas turns integer columns with "
            "missing values into floats; use DataFrame.convert_dtypes())",
        )
    if not INT64_MIN <= number <= INT64_MAX:
        raise _bad_value(feature_name, value, "Integral", "a signed 64-bit integer")
    return number


def _parse_fractional(value: Any, feature_name: str) -> float:
    if isinstance(value, bool):
        raise _bad_value(feature_name, value, "Fractional", "a number, not a boolean")
    try:
        number = float(value)
    except (TypeError, ValueError):
        raise _bad_value(feature_name, value, "Fractional", "a number such as '9.99'") from None
    if not math.isfinite(number):
        raise _bad_value(feature_name, value, "Fractional", "a finite number (no NaN or Infinity)")
    return number


def event_time_seconds(feature_type: str, value: Any, feature_name: str = "EventTime") -> float:
    """Epoch seconds of an event-time value: Fractional seconds, or ISO ``yyyy-MM-ddTHH:mm:ss[.SSS]Z``.

    ValidationException if it is malformed or outside the documented range
    [0000-01-01T00:00:00Z, 9999-12-31T23:59:59.999Z]. Departure: an ISO year 0000 is refused
    (Python's calendar starts at year 1); a Fractional event time may reach back to year 0000.
    """
    if feature_type == "Fractional":
        seconds = _parse_fractional(value, feature_name)
        if not MIN_EVENT_SECONDS <= seconds <= MAX_EVENT_SECONDS:
            raise ValidationException(
                f"Invalid event time {value!r} for feature '{feature_name}': epoch seconds must lie in "
                f"[{MIN_EVENT_SECONDS:.0f}, {MAX_EVENT_SECONDS}] (0000-01-01T00:00:00Z to "
                "9999-12-31T23:59:59.999Z)."
            )
        return seconds
    if not isinstance(value, str) or not ISO_EVENT_TIME_RE.fullmatch(value):
        raise ValidationException(
            f"Invalid event time '{value}' for feature '{feature_name}': use "
            "yyyy-MM-dd'T'HH:mm:ssZ or yyyy-MM-dd'T'HH:mm:ss.SSSZ in UTC, "
            "e.g. 2024-01-31T12:00:00Z."
        )
    try:
        parsed = datetime.strptime(value.replace("Z", "+0000"), _iso_format(value))
    except ValueError:
        raise ValidationException(
            f"Invalid event time '{value}' for feature '{feature_name}': not a calendar date."
        ) from None
    return parsed.astimezone(timezone.utc).timestamp()


def check_expires_at(event_seconds: float, ttl: TtlDuration | None) -> None:
    """Refuse a TTL whose ExpiresAt (event time + TTL) lies past 9999-12-31T23:59:59.999Z.

    Such a record could never have its ExpiresAt written, so it is refused when put rather than
    poisoning every later read. The comparison is exact (no float overflow for a huge TTL).
    """
    if ttl is not None and ttl.seconds > MAX_EVENT_SECONDS - event_seconds:
        raise ValidationException(
            f"The TtlDuration of {ttl.value} {ttl.unit} from this record's event time ends after "
            "9999-12-31T23:59:59.999Z, the last instant ExpiresAt can hold. Use a shorter TtlDuration "
            "or an earlier event time."
        )


def _iso_format(value: str) -> str:
    return "%Y-%m-%dT%H:%M:%S.%f%z" if "." in value else "%Y-%m-%dT%H:%M:%S%z"


class NormalizedRecord(NamedTuple):
    """A record that passed :func:`normalize_record`, and its event time."""

    record: dict[str, Any]  # typed values (a tuple for a collection), absent features dropped
    event_seconds: float  # epoch seconds
    exact: ExactTexts  # :func:`exact_texts`: the texts put that the typed values would not give back


def value_text(value: Any) -> str:
    """A typed value as the kit writes it as text: ints in decimal, floats by ``repr`` (round-trips),
    text as is; numpy scalars as the Python numbers they hold."""
    if isinstance(value, float):
        return repr(float(value))
    if hasattr(value, "item") and not isinstance(value, str):
        return value_text(value.item())
    return str(value)


def exact_texts(given: Mapping[str, Any], typed: Mapping[str, Any]) -> ExactTexts:
    """Feature -> the text given for it, where its typed value would not write that text back
    (``"12.50"`` and ``"1e3"`` for a Fractional, ``"+5"`` for an Integral): what the online store
    keeps so that GetRecord returns the exact strings put (SAGEMAKER_SPEC §2.3).

    Empty for typed input and for the texts the SageMaker SDK sends (``str(12.5)``), so those
    records cost the online store nothing more.
    """
    return {name: text for name, text in given.items()
            if isinstance(text, str) and name in typed and not isinstance(typed[name], str)
            and value_text(typed[name]) != text}


def normalize_record(
    spec: FeatureGroupSpec, record: Mapping[str, Any], ttl: TtlDuration | None = None
) -> NormalizedRecord:
    """The record with typed values and absent features dropped, and its event time in epoch
    seconds; ValidationException if invalid.

    Checks: every name is a defined feature, the record identifier and the event time are
    present, each value parses as its feature's type, the event time is well formed and in
    range, its ExpiresAt under ``ttl`` (default: the group's TTL) is representable, and the
    record fits the 350 KB limit (:func:`record_size`).
    """
    if not isinstance(record, Mapping) or not record:
        raise ValidationException("A record needs at least one feature value.")
    types = spec.types
    _check_known(spec, record)
    if spec.collections:
        normalized, exact = parse_features(spec, record)
    else:  # parse_features, inline: the hot path of every put
        normalized = {name: parse_value(types[name], value, name) for name, value in record.items()
                      if not is_missing(value)}
        exact = None
    for required in (spec.record_identifier_name, spec.event_time_feature_name):
        if required not in normalized:
            raise ValidationException(
                f"The record has no value for '{required}', which every record of "
                f"'{spec.name}' must have."
            )
    seconds = event_time_seconds(types[spec.event_time_feature_name],
                                 normalized[spec.event_time_feature_name], spec.event_time_feature_name)
    check_expires_at(seconds, ttl or spec.ttl)
    _check_sizes(spec, normalized)
    return NormalizedRecord(normalized, seconds, exact_texts(record, normalized) if exact is None else exact)


def parse_features(spec: FeatureGroupSpec, given: Mapping[str, Any]) -> tuple[dict[str, Any], ExactTexts]:
    """The typed values of the features ``given`` (of ``spec``'s group) with a value, and their
    exact texts (:func:`exact_texts`); ValidationException for a value its feature cannot hold.

    A collection feature's value parses with :func:`parse_collection`; a group of scalars never
    pays for collections.
    """
    types, collections = spec.types, spec.collections
    typed: dict[str, Any]
    if not collections:
        typed = {name: parse_value(types[name], value, name) for name, value in given.items() if not is_missing(value)}
        return typed, exact_texts(given, typed)
    typed, exact = {}, {}
    for name, value in given.items():
        if is_missing(value):
            continue
        if name in collections:
            typed[name], texts = parse_collection(collections[name], value)
            if texts is not None:
                exact[name] = texts
        else:
            typed[name] = parse_value(types[name], value, name)
    return typed, {**exact_texts(given, typed), **exact}


def parse_collection(feature: FeatureDefinition, value: Any) -> tuple[tuple[Any, ...], list[str] | None]:
    """The typed elements of a collection feature's value, and the texts put where the typed
    elements would not give them back (None if they would); ValidationException if invalid.

    ``value`` is a list or tuple (or a numpy array) of elements of the feature's type, as values
    or as their texts. A Set loses its repeated elements; a Vector needs exactly its dimension of
    elements (:mod:`featurestore_demo.rules.collections`). A text, a number or a mapping is
    refused: a collection's value is a list (``ValueAsStringList`` on the wire, never
    ``ValueAsString``).
    """
    name = feature.name
    given = value.tolist() if hasattr(value, "tolist") and not isinstance(value, (str, bytes)) else value
    if not isinstance(given, _COLLECTION_CLASSES):
        raise ValidationException(
            f"Feature '{name}' is a {feature.collection_type} of {feature.type}: its value is a list of values "
            f"(ValueAsStringList), not the single value {str(value)[:40]!r} (ValueAsString)."
        )
    typed = []
    for index, element in enumerate(given):
        if element is None:
            raise ValidationException(
                f"Element {index} of feature '{name}' is null: every element of a {feature.collection_type} "
                "needs a value."
            )
        typed.append(parse_value(feature.type, element, f"{name}[{index}]"))
    if feature.collection_type == "Set":
        given, typed = _unique(given, typed)
    if feature.collection_type == VECTOR and len(typed) != feature.dimension:
        raise ValidationException(
            f"Feature '{name}' is a Vector of dimension {feature.dimension}: it needs exactly "
            f"{feature.dimension} values, got {len(typed)}."
        )
    if any(isinstance(text, str) and value_text(element) != text for text, element in zip(given, typed)):
        return tuple(typed), [text if isinstance(text, str) else value_text(element)
                              for text, element in zip(given, typed)]
    return tuple(typed), None


def _unique(given: list[Any] | tuple[Any, ...], typed: list[Any]) -> tuple[list[Any], list[Any]]:
    """The elements of a Set, each value once (with its first text), in the order they first came."""
    first: dict[Any, int] = {}
    for index, element in enumerate(typed):
        first.setdefault(element, index)
    kept = list(first.values())
    return [given[index] for index in kept], [typed[index] for index in kept]


def collection_texts(values: Iterable[Any]) -> list[str]:
    """A collection's elements (typed, or the texts kept for them) as its ValueAsStringList."""
    return [element if isinstance(element, str) else value_text(element) for element in values]


def _check_known(spec: FeatureGroupSpec, names: Iterable[str]) -> None:
    """ValidationException naming the features of ``names`` that the group does not define."""
    unknown = [name for name in names if name not in spec.types]
    if unknown:
        raise ValidationException(
            f"Unknown feature(s) {', '.join(map(repr, unknown))} for feature group "
            f"'{spec.name}'. Defined features: {', '.join(spec.feature_names)}."
        )


def record_size(record: Mapping[str, Any], collections: Container[str] = ()) -> int:
    """The size of a record as the 350 KB limit counts it: the UTF-8 bytes of every feature name
    and of every value as text (each element of a collection, for the features named in
    ``collections``), summed; JSON framing and absent features count nothing.

    AWS states the limit ("Maximum size of a record: 350 KB", Developer Guide, Feature Store
    quotas) and that a String is bounded by it, not how bytes are counted; this is the kit's one
    reading, applied on every path (local backend, emulator, frames).
    """
    if not collections:
        return sum(len(name.encode()) + len(str(value).encode()) for name, value in record.items())
    return sum(len(name.encode()) + (_collection_bytes(value) if name in collections else len(str(value).encode()))
               for name, value in record.items())


def _collection_bytes(values: Iterable[Any]) -> int:
    """A collection's size as the record limit counts it: the UTF-8 bytes of its element texts."""
    return sum(len(str(element).encode()) for element in values)


def _check_sizes(spec: FeatureGroupSpec, record: Mapping[str, Any]) -> None:
    id_bytes = len(str(record[spec.record_identifier_name]).encode())
    if id_bytes > MAX_RECORD_ID_BYTES:
        raise ValidationException(
            f"The record identifier is {id_bytes} bytes; the limit is 2 KB ({MAX_RECORD_ID_BYTES} bytes)."
        )
    size = record_size(record, spec.collections)
    if size > MAX_RECORD_BYTES:
        raise ValidationException(
            f"The record is {size} bytes (feature names and values in UTF-8); the limit is 350 KB "
            f"({MAX_RECORD_BYTES} bytes). Shorten or drop values."
        )


MAX_UPDATED_FEATURES = 100
"""Features one UpdateRecord may name (its documentation in botocore's model)."""


class NormalizedUpdate(NamedTuple):
    """The features of an UpdateRecord that passed :func:`normalize_update`."""

    values: dict[str, Any]  # typed values of the named features
    event_seconds: float | None  # the update's event time, None to keep the record's
    exact: ExactTexts  # :func:`exact_texts` of the named features


def normalize_update(
    spec: FeatureGroupSpec, record_key: str, features: Mapping[str, Any], ttl: TtlDuration | None
) -> NormalizedUpdate:
    """The typed values of an UpdateRecord's ``features``; ValidationException if invalid.

    Checks: 1 to 100 defined features, each with a value of its type; the record identifier,
    if named, equals ``record_key``; an event time, if named, is well formed; a ``ttl`` comes
    with an event time ("If you specify a TtlDuration, you must also provide an EventTime") and
    its ExpiresAt is representable. The size of the resulting record is checked where it is
    known (:func:`normalize_record` of the merged record).
    """
    if not isinstance(features, Mapping) or not 1 <= len(features) <= MAX_UPDATED_FEATURES:
        count = len(features) if isinstance(features, Mapping) else 0
        raise ValidationException(
            f"UpdateRecord takes 1 to {MAX_UPDATED_FEATURES} features to change, got {count}."
        )
    types = spec.types
    _check_known(spec, features)
    absent = [name for name, value in features.items() if is_missing(value)]
    if absent:
        raise ValidationException(
            f"Feature(s) {', '.join(map(repr, absent))} have no value: UpdateRecord sets the features "
            "it names (to remove a value, put the whole record without it)."
        )
    values, exact = parse_features(spec, features)
    identifier = spec.record_identifier_name
    if identifier in values and str(values[identifier]) != record_key:
        raise ValidationException(
            f"The features set the record identifier '{identifier}' to '{values[identifier]}', but "
            f"the record updated is '{record_key}'; a record identifier cannot change."
        )
    event_name = spec.event_time_feature_name
    if event_name not in values:
        if ttl is not None:
            raise ValidationException(
                f"A TtlDuration needs an EventTime: set '{event_name}' in the features too "
                "(ExpiresAt = EventTime + TtlDuration)."
            )
        return NormalizedUpdate(values, None, exact)
    seconds = event_time_seconds(types[event_name], values[event_name], event_name)
    check_expires_at(seconds, ttl)
    return NormalizedUpdate(values, seconds, exact)
