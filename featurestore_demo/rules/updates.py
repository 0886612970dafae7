"""The rules of UpdateFeatureGroup and UpdateFeatureMetadata (SAGEMAKER_SPEC §1.5).

An update adds features (never removes one) and sets or removes the online store's default
TTL; the group it leaves must be valid as CreateFeatureGroup would check it. Feature metadata
is a description and up to 25 ``{Key, Value}`` parameters, each text at most 255 characters.
The counts, lengths and patterns are the installed botocore model's, read when checked.
"""

from __future__ import annotations

import enum
from collections.abc import Mapping, Sequence
from dataclasses import replace
from typing import Any

from featurestore_demo.rules.definitions import validate_feature_group_spec
from featurestore_demo.rules.names import checked_text, constraint_error
from featurestore_demo.schemas import FeatureDefinition, FeatureGroupSpec, ThroughputConfig, TtlDuration
from featurestore_demo.service_model import member_metadata

__all__ = ["UNCHANGED", "Unchanged", "updated_spec", "updated_throughput", "checked_parameters"]



class Unchanged(enum.Enum):
    """The type of :data:`UNCHANGED`."""

    UNCHANGED = "UNCHANGED"


UNCHANGED = Unchanged.UNCHANGED
"""Default of ``update_feature_group(ttl=...)``: keep the group's TTL (None removes it)."""


def updated_spec(
    spec: FeatureGroupSpec,
    additions: tuple[FeatureDefinition, ...],
    ttl: TtlDuration | Unchanged | None,
    throughput: ThroughputConfig | None = None,
) -> FeatureGroupSpec:
    """The group as the update leaves it (``throughput``: a ThroughputConfigUpdate, None for
    none, see :func:`updated_throughput`); ValidationException if that group is not valid."""
    most = member_metadata("sagemaker", "UpdateFeatureGroup", "FeatureAdditions")["max"]
    if len(additions) > most:
        raise constraint_error(f"<{len(additions)} definitions>", "featureAdditions",
                               f"Member must have length less than or equal to {most}")
    kept_ttl = spec.ttl if ttl is UNCHANGED else ttl
    kept_throughput = spec.throughput if throughput is None else updated_throughput(spec.throughput, throughput)
    return validate_feature_group_spec(
        replace(spec, features=spec.features + additions, ttl=kept_ttl, throughput=kept_throughput)
    )


def updated_throughput(current: ThroughputConfig | None, update: ThroughputConfig) -> ThroughputConfig:
    """The ThroughputConfig once ``update`` (a ThroughputConfigUpdate: each member optional, a
    None ``mode`` keeps the mode) is applied to ``current`` (None: OnDemand).

    Capacities not named stay as they were while the group stays Provisioned; switching to
    OnDemand drops them. AWS allows a switch to OnDemand once per 24 hours; the kit does not
    count switches (the emulator's UpdateFeatureGroup says so).
    """
    now = current or ThroughputConfig()
    mode = update.mode or now.mode
    if mode != "Provisioned":
        return ThroughputConfig(mode, update.read_units, update.write_units)
    kept = now if now.mode == "Provisioned" else ThroughputConfig(mode)
    return ThroughputConfig(
        mode,
        kept.read_units if update.read_units is None else update.read_units,
        kept.write_units if update.write_units is None else update.write_units,
    )


def checked_parameters(
    description: Any, additions: Sequence[Mapping[str, Any]], removals: Sequence[Any]
) -> tuple[list[dict[str, str]], list[str]]:
    """The parameter additions (as ``{"Key", "Value"}`` dicts) and removals, once the metadata is valid.

    ValidationException for a description over 255 characters, more than 25 additions or
    removals, or a key or value that is not 1-255 characters of letters, digits, spaces and
    ``_.:/=+-`` (the model's ``FeatureDescription``, ``FeatureParameterAdditions``...).
    """
    if description is not None:
        checked_text(description, "description", member_metadata("sagemaker", "UpdateFeatureMetadata", "Description"))
    for field, items in (("parameterAdditions", additions), ("parameterRemovals", removals)):
        if isinstance(items, (str, Mapping)):
            raise constraint_error(items, field, "Member must be a list")
        most = member_metadata("sagemaker", "UpdateFeatureMetadata", field[:1].upper() + field[1:])["max"]
        if len(items) > most:
            raise constraint_error(f"<{len(items)} items>", field,
                                   f"Member must have length less than or equal to {most}")
    pairs = [_parameter(item, index) for index, item in enumerate(additions, 1)]
    keys = [_parameter_text(key, f"parameterRemovals.{index}.member") for index, key in enumerate(removals, 1)]
    return pairs, keys


def _parameter(item: Any, index: int) -> dict[str, str]:
    field = f"parameterAdditions.{index}.member"
    if not isinstance(item, Mapping):
        raise constraint_error(item, field, "Member must be a FeatureParameter {Key, Value}")
    return {"Key": _parameter_text(item.get("Key"), f"{field}.key", "Key"),
            "Value": _parameter_text(item.get("Value"), f"{field}.value", "Value")}


def _parameter_text(text: Any, field: str, member: str = "Key") -> str:
    """A FeatureParameter's Key or Value (a removal is a Key), as the model constrains it."""
    constraints = member_metadata("sagemaker", "UpdateFeatureMetadata", "ParameterAdditions", member)
    return checked_text(text, field, constraints)
