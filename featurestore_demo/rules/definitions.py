"""Validation of a feature group definition as CreateFeatureGroup does it (SAGEMAKER_SPEC §1.2)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from featurestore_demo.errors import ValidationException
from featurestore_demo.rules.collections import validate_collections
from featurestore_demo.rules.names import (
    checked_text,
    constraint_error,
    validate_feature_group_name,
    validate_feature_name,
)
from featurestore_demo.rules.tags import checked_tags
from featurestore_demo.rules.values import MAX_EVENT_SECONDS, MIN_EVENT_SECONDS
from featurestore_demo.schemas import (
    TTL_UNITS_IN_SECONDS,
    FeatureGroupSpec,
    ThroughputConfig,
    TtlDuration,
)
from featurestore_demo.service_model import member_metadata, model_enum

ICEBERG = "Iceberg"


def _create_member(*path: str) -> Mapping[str, Any]:
    """The model's constraints of a member of CreateFeatureGroup's input."""
    return member_metadata("sagemaker", "CreateFeatureGroup", *path)



def table_formats() -> tuple[str, ...]:
    """The TableFormat values of the installed botocore model (Default, Glue, Iceberg)."""
    return model_enum("sagemaker", "TableFormat")


def validate_feature_group_spec(spec: FeatureGroupSpec) -> FeatureGroupSpec:
    """Return ``spec`` unchanged if CreateFeatureGroup would accept it, else raise ValidationException."""
    validate_feature_group_name(spec.name)
    _validate_definitions(spec)
    types = spec.types
    for field, name in (
        ("recordIdentifierFeatureName", spec.record_identifier_name),
        ("eventTimeFeatureName", spec.event_time_feature_name),
    ):
        validate_feature_name(name, field)
        if name not in types:
            raise ValidationException(
                f"The {field} '{name}' is not among the FeatureDefinitions "
                f"({', '.join(spec.feature_names)}). Add a definition for it."
            )
    if types[spec.event_time_feature_name] not in ("String", "Fractional"):
        raise ValidationException(
            f"The event time feature '{spec.event_time_feature_name}' has type "
            f"{types[spec.event_time_feature_name]}; it must be String (ISO-8601) or Fractional "
            "(epoch seconds)."
        )
    if not (spec.online_store or spec.offline_store):
        raise ValidationException(
            "A feature group needs at least one of OnlineStoreConfig or OfflineStoreConfig."
        )
    _validate_ttl(spec)
    storage_types = model_enum("sagemaker", "StorageType")
    if spec.storage_type not in storage_types:
        raise constraint_error(spec.storage_type, "onlineStoreConfig.storageType",
                               f"Member must satisfy enum value set: [{', '.join(storage_types)}]")
    validate_collections(spec)
    if spec.throughput is not None:
        validate_throughput(spec.throughput, spec.online_store)
        check_provisioned_tier(spec.throughput, spec.online_store, spec.storage_type)
    checked_tags([{"Key": key, "Value": value} for key, value in spec.tags])
    if spec.offline_store:
        _validate_offline_config(spec)
    if spec.description is not None:
        checked_text(spec.description, "description", _create_member("Description"))
    return spec


def validate_throughput(throughput: ThroughputConfig, online_store: bool) -> None:
    """ValidationException unless ``throughput`` fits a group with (or without) an online store.

    The mode is one of the model's ThroughputMode enum. The capacities are the provisioned
    mode's: an OnDemand config names none; a Provisioned one names the write capacity, and the
    read capacity exactly when the group has an online store (AWS documents the read units as
    "for provisioned feature groups with online store enabled" and both as "not applicable for
    on-demand feature groups"; refusing rather than ignoring them is the kit's choice).
    """
    modes = model_enum("sagemaker", "ThroughputMode")
    if throughput.mode is None:
        raise constraint_error("null", "throughputConfig.throughputMode", "Member must not be null")
    if throughput.mode not in modes:
        raise constraint_error(throughput.mode, "throughputConfig.throughputMode",
                               f"Member must satisfy enum value set: [{', '.join(modes)}]")
    given = {"ProvisionedReadCapacityUnits": throughput.read_units,
             "ProvisionedWriteCapacityUnits": throughput.write_units}
    if throughput.mode == "OnDemand":
        wanted: set[str] = set()
    else:
        wanted = {"ProvisionedWriteCapacityUnits"} | ({"ProvisionedReadCapacityUnits"} if online_store else set())
    for member, units in given.items():
        if units is not None and member not in wanted:
            raise ValidationException(
                f"ThroughputConfig.{member} is not applicable to a {throughput.mode} feature group"
                + ("" if throughput.mode == "OnDemand" else " without an online store") + "; leave it out."
            )
        if units is None and member in wanted:
            raise ValidationException(
                f"ThroughputConfig.{member} is required for a Provisioned feature group"
                + (" with an online store" if member == "ProvisionedReadCapacityUnits" else "") + "."
            )


def check_provisioned_tier(throughput: ThroughputConfig | None, online_store: bool, storage_type: str | None) -> None:
    """ValidationException for Provisioned throughput on an online store of another tier than
    Standard (``storage_type`` None is the default tier, Standard): AWS supports Provisioned only
    for offline-only groups and the Standard tier (SAGEMAKER_SPEC §1.2)."""
    tier = storage_type or "Standard"
    if throughput is not None and throughput.mode == "Provisioned" and online_store and tier != "Standard":
        raise ValidationException(
            f"Provisioned throughput is supported only for feature groups that are offline-only or use the "
            f"Standard tier online store; this group's OnlineStoreConfig.StorageType is {tier}. "
            "Use ThroughputMode OnDemand."
        )


def _validate_definitions(spec: FeatureGroupSpec) -> None:
    if not spec.features:
        raise constraint_error(
            [], "featureDefinitions", "Member must have length greater than or equal to 1"
        )
    most = _create_member("FeatureDefinitions")["max"]
    if len(spec.features) > most:
        raise constraint_error(
            f"<{len(spec.features)} definitions>",
            "featureDefinitions",
            f"Member must have length less than or equal to {most}",
        )
    feature_types = model_enum("sagemaker", "FeatureType")
    seen: dict[str, str] = {}
    for index, feature in enumerate(spec.features, start=1):
        validate_feature_name(feature.name, f"featureDefinitions.{index}.member.featureName")
        if feature.type not in feature_types:
            raise constraint_error(
                feature.type,
                f"featureDefinitions.{index}.member.featureType",
                f"Member must satisfy enum value set: [{', '.join(feature_types)}]",
            )
        folded = feature.name.lower()
        if folded in seen:
            raise ValidationException(
                f"Feature names must be unique (Athena column names ignore case): "
                f"'{feature.name}' repeats '{seen[folded]}'."
            )
        seen[folded] = feature.name


def _validate_offline_config(spec: FeatureGroupSpec) -> None:
    """The OfflineStoreConfig rules: TableFormat's enum, DataCatalogConfig's lengths, and Iceberg's
    needs (DisableGlueTableCreation False, a String event time: SAGEMAKER_SPEC §1.2)."""
    config = spec.offline_config
    if config.table_format is not None and config.table_format not in table_formats():
        raise constraint_error(
            config.table_format, "offlineStoreConfig.tableFormat",
            f"Member must satisfy enum value set: [{', '.join(table_formats())}]",
        )
    if config.data_catalog is not None:
        for field, value in (("tableName", config.data_catalog.table_name),
                             ("catalog", config.data_catalog.catalog),
                             ("database", config.data_catalog.database)):
            path = f"offlineStoreConfig.dataCatalogConfig.{field}"
            if value is None:
                raise constraint_error("null", path, "Member must not be null")
            member = field[:1].upper() + field[1:]
            checked_text(value, path, _create_member("OfflineStoreConfig", "DataCatalogConfig", member))
    if config.table_format != ICEBERG:
        return
    if config.disable_glue_table_creation:
        raise ValidationException(
            "The Iceberg table format is only supported when DisableGlueTableCreation is set to False "
            "(OfflineStoreConfig.DisableGlueTableCreation is True)."
        )
    event_type = spec.types[spec.event_time_feature_name]
    if event_type != "String":
        raise ValidationException(
            f"The Iceberg table format requires an event time feature of type String; "
            f"'{spec.event_time_feature_name}' is {event_type}."
        )


def _validate_ttl(spec: FeatureGroupSpec) -> None:
    if spec.ttl is None:
        return
    if not spec.online_store:
        raise ValidationException("TtlDuration applies to the online store; enable it or drop the TTL.")
    validate_ttl(spec.ttl, "onlineStoreConfig.ttlDuration")


MAX_TTL_SECONDS = int(MAX_EVENT_SECONDS - MIN_EVENT_SECONDS)
"""The whole event-time range: a longer TTL has no event time whose ExpiresAt can be written."""


def validate_ttl(ttl: TtlDuration, field: str) -> TtlDuration:
    """Return ``ttl`` if its unit and value are valid, else raise ValidationException.

    The value is a whole number of at least 1 (the model's ``min``) and the duration no longer
    than the event-time range (0000-01-01 to 9999-12-31), so that some record can carry it; a
    record's own ExpiresAt is checked when it is put (:func:`~featurestore_demo.rules.values.check_expires_at`).
    Departure: AWS documents no maximum.
    """
    if ttl.unit not in TTL_UNITS_IN_SECONDS:
        raise constraint_error(
            ttl.unit,
            f"{field}.unit",
            f"Member must satisfy enum value set: [{', '.join(TTL_UNITS_IN_SECONDS)}]",
        )
    if isinstance(ttl.value, bool) or not isinstance(ttl.value, int) or ttl.value < 1:
        raise constraint_error(
            ttl.value, f"{field}.value", "Member must have value greater than or equal to 1"
        )
    if ttl.seconds > MAX_TTL_SECONDS:
        limit = MAX_TTL_SECONDS // TTL_UNITS_IN_SECONDS[ttl.unit]
        raise ValidationException(
            f"TtlDuration {ttl.value} {ttl.unit} at '{field}' is longer than the whole event-time range "
            f"(0000-01-01T00:00:00Z to 9999-12-31T23:59:59.999Z), so no record's ExpiresAt could be "
            f"written; use at most "
            f"{limit} {ttl.unit}."
        )
    return ttl
