"""The interface's checks of its arguments, shared by every backend (SAGEMAKER_SPEC §2).

Each turns a caller's argument into the form the hooks take, or raises ValidationException;
the service's own rules (names, values, definitions) are in :mod:`featurestore_demo.rules`.
Counts, lengths and enums are the installed botocore model's, read when checked.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from typing import Any

from featurestore_demo.errors import ResourceNotFound, ValidationException
from featurestore_demo.rules import parse_value, validate_feature_name
from featurestore_demo.rules.names import constraint_error
from featurestore_demo.rules.online import UPDATE_TIERS
from featurestore_demo.schemas import FeatureGroupSpec
from featurestore_demo.service_model import member_metadata, model_enum

__all__ = [
    "STORES",
    "DELETION_MODES",
    "record_key",
    "check_query_text",
    "check_name_contains",
    "checked_batch",
    "checked_feature_names",
    "checked_target_stores",
    "require_online",
    "require_feature",
    "require_update_tier",
    "checked_count",
    "checked_max_results",
    "checked_next_token",
]

RUNTIME = "sagemaker-featurestore-runtime"
STORES = ("OnlineStore", "OfflineStore")
"""The group's stores, in the order of its (online_store, offline_store) flags."""
DELETION_MODES = model_enum(RUNTIME, "DeletionMode")


def record_key(spec: FeatureGroupSpec, record_id: Any) -> str:
    """The record identifier as the string the stores key on (its canonical typed form)."""
    id_type = spec.types[spec.record_identifier_name]
    if record_id is None or record_id == "":
        raise ValidationException(
            f"A record identifier value ('{spec.record_identifier_name}') is required."
        )
    return str(parse_value(id_type, record_id, spec.record_identifier_name))


def record_keys(spec: FeatureGroupSpec, record_ids: Iterable[Any]) -> list[str]:
    """:func:`record_key` of each id, in order (a plain ASCII text id of a String identifier is
    its own key: it passes every check, so it skips them)."""
    if spec.types[spec.record_identifier_name] != "String":
        return [record_key(spec, record_id) for record_id in record_ids]
    return [record_id if record_id.__class__ is str and record_id and record_id.isascii()
            else record_key(spec, record_id) for record_id in record_ids]


def check_query_text(sql: Any) -> None:
    """ValidationException unless ``sql`` is a non-empty string (what every backend's query needs)."""
    if not isinstance(sql, str) or not sql.strip():
        raise ValidationException("The query string is empty: pass an Athena SQL statement.")


def check_name_contains(name_contains: str | None) -> str | None:
    """ListFeatureGroups' NameContains: None, or 1 to 64 characters."""
    limits = member_metadata("sagemaker", "ListFeatureGroups", "NameContains")
    if name_contains is not None and not limits["min"] <= len(name_contains) <= limits["max"]:
        raise constraint_error(name_contains, "nameContains",
                               f"Member must have length between {limits['min']} and {limits['max']}")
    return name_contains


def checked_batch(record_keys: list[str]) -> list[str]:
    """The record keys of one group's BatchGetRecord: 1 to 100 of them."""
    limits = member_metadata(RUNTIME, "BatchGetRecord", "Identifiers", "RecordIdentifiersValueAsString")
    if not limits["min"] <= len(record_keys) <= limits["max"]:
        raise ValidationException(
            f"BatchGetRecord takes {limits['min']} to {limits['max']} record identifiers per feature group, "
            f"got {len(record_keys)}."
        )
    return record_keys


def checked_feature_names(spec: FeatureGroupSpec, names: Sequence[str] | None) -> list[str] | None:
    """The FeatureNames of a read: None (all), or a non-empty list of the group's features."""
    if names is None:
        return None
    if isinstance(names, str) or not names:
        raise ValidationException("FeatureNames must be a non-empty list of feature names.")
    unknown = [name for name in names if name not in spec.types]
    if unknown:
        raise ValidationException(
            f"Unknown feature name(s) {', '.join(map(repr, unknown))} for feature group "
            f"'{spec.name}'. Defined features: {', '.join(spec.feature_names)}."
        )
    return [validate_feature_name(name) for name in names]


def checked_target_stores(spec: FeatureGroupSpec, stores: Sequence[str] | None) -> tuple[str, ...]:
    """The TargetStores of a write: the group's stores by default, else 1 or 2 of them."""
    available = tuple(
        store
        for store, enabled in zip(STORES, (spec.online_store, spec.offline_store))
        if enabled
    )
    if stores is None:
        return available
    chosen = tuple(dict.fromkeys(stores))
    allowed, limits = model_enum(RUNTIME, "TargetStore"), member_metadata(RUNTIME, "PutRecord", "TargetStores")
    if not limits["min"] <= len(chosen) <= limits["max"] or any(store not in allowed for store in chosen):
        raise ValidationException(
            f"TargetStores {list(stores)} must be {limits['min']} or {limits['max']} of {', '.join(allowed)}."
        )
    missing = [store for store in chosen if store not in available]
    if missing:
        raise ValidationException(
            f"Feature group '{spec.name}' has no {' or '.join(missing)}; "
            f"its stores are {', '.join(available)}."
        )
    return chosen


def require_online(spec: FeatureGroupSpec) -> None:
    """ValidationException unless the group has an online store."""
    if not spec.online_store:
        raise ValidationException(
            f"Feature group '{spec.name}' has no online store (it is offline only); "
            "read it with an Athena query instead."
        )


def require_feature(spec: FeatureGroupSpec, feature_name: Any) -> str:
    """``feature_name`` if the group defines it, else ResourceNotFound (as AWS words it)."""
    if not isinstance(feature_name, str) or feature_name not in spec.types:
        raise ResourceNotFound(
            f"Resource Not Found: Amazon SageMaker can't find a Feature with name {feature_name} "
            f"in FeatureGroup {spec.name}"
        )
    return feature_name


def require_update_tier(spec: FeatureGroupSpec) -> None:
    """ValidationException unless the group's online store is a tier UpdateRecord serves
    (:data:`~featurestore_demo.rules.online.UPDATE_TIERS`)."""
    if not spec.online_store or spec.storage_type not in UPDATE_TIERS:
        tier = f"a {spec.storage_type} online store" if spec.online_store else "no online store"
        raise ValidationException(
            f"UpdateRecord is available only for feature groups whose online store is "
            f"{' or '.join(UPDATE_TIERS)}; feature group '{spec.name}' has {tier}. Use PutRecord "
            "with the whole record instead."
        )


def checked_count(items: Sequence[Any], field: str, limits: Mapping[str, Any]) -> list[Any]:
    """``items`` as a list if it holds ``limits["min"]`` to ``limits["max"]`` items (a list member's
    constraints in the model), else AWS's length ValidationException."""
    low, high = limits["min"], limits["max"]
    if isinstance(items, (str, bytes)) or not isinstance(items, Sequence):
        raise ValidationException(f"{field} must be a list of {low} to {high} items.")
    if len(items) < low:
        raise constraint_error(f"{len(items)} items", field, f"Member must have length greater than or equal to {low}")
    if len(items) > high:
        raise constraint_error(f"{len(items)} items", field, f"Member must have length less than or equal to {high}")
    return list(items)


def checked_max_results(max_results: Any) -> int | None:
    """ListRecords' MaxResults: None, or a whole number from 1 to 100."""
    if max_results is None:
        return None
    low, high = (member_metadata(RUNTIME, "ListRecords", "MaxResults")[key] for key in ("min", "max"))
    if isinstance(max_results, bool) or not isinstance(max_results, int):
        raise ValidationException(f"MaxResults must be a whole number from {low} to {high}, not {max_results!r}.")
    if max_results < low:
        raise constraint_error(max_results, "maxResults", f"Member must have value greater than or equal to {low}")
    if max_results > high:
        raise constraint_error(max_results, "maxResults", f"Member must have value less than or equal to {high}")
    return max_results


def checked_next_token(token: Any) -> str | None:
    """A NextToken: None, or 1 to 8192 characters (whether it is a token this store issued is the
    backend's to say)."""
    if token is None:
        return None
    low, high = (member_metadata(RUNTIME, "ListRecords", "NextToken")[key] for key in ("min", "max"))
    if not isinstance(token, str) or not low <= len(token) <= high:
        raise constraint_error(str(token)[:64], "nextToken", f"Member must have length between {low} and {high}")
    return token
