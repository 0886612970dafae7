"""The interface's checks of its arguments, shared by every backend (SAGEMAKER_SPEC §2).

Each turns a caller's argument into the form the hooks take, or raises ValidationException;
the service's own rules (names, values, definitions) are in :mod:`featurestore_demo.rules`.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from featurestore_demo.errors import ResourceNotFound, ValidationException
from featurestore_demo.rules import parse_value, validate_feature_name
from featurestore_demo.rules.names import constraint_error
from featurestore_demo.schemas import FeatureGroupSpec

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
]

STORES = ("OnlineStore", "OfflineStore")
DELETION_MODES = ("SoftDelete", "HardDelete")


def record_key(spec: FeatureGroupSpec, record_id: Any) -> str:
    """The record identifier as the string the stores key on (its canonical typed form)."""
    id_type = spec.types[spec.record_identifier_name]
    if record_id is None or record_id == "":
        raise ValidationException(
            f"A record identifier value ('{spec.record_identifier_name}') is required."
        )
    return str(parse_value(id_type, record_id, spec.record_identifier_name))


def check_query_text(sql: Any) -> None:
    """ValidationException unless ``sql`` is a non-empty string (what every backend's query needs)."""
    if not isinstance(sql, str) or not sql.strip():
        raise ValidationException("The query string is empty: pass an Athena SQL statement.")


def check_name_contains(name_contains: str | None) -> str | None:
    """ListFeatureGroups' NameContains: None, or 1 to 64 characters."""
    if name_contains is not None and not 1 <= len(name_contains) <= 64:
        raise constraint_error(name_contains, "nameContains", "Member must have length between 1 and 64")
    return name_contains


def checked_batch(record_keys: list[str]) -> list[str]:
    """The record keys of one group's BatchGetRecord: 1 to 100 of them."""
    if not 1 <= len(record_keys) <= 100:
        raise ValidationException(
            f"BatchGetRecord takes 1 to 100 record identifiers per feature group, got {len(record_keys)}."
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
    if not 1 <= len(chosen) <= 2 or any(store not in STORES for store in chosen):
        raise ValidationException(
            f"TargetStores {list(stores)} must be 1 or 2 of {', '.join(STORES)}."
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
