"""UpdateFeatureGroup and feature metadata on a stored description (SAGEMAKER_SPEC §1.5).

Pure functions over the JSON-safe descriptions the local catalog keeps; the interface has
validated the input already, and :class:`~local_backend.LocalBackend` applies them under its
lock and stores the result.

Departures from AWS: an update is applied at once (``LastUpdateStatus`` goes straight to
Successful, where AWS passes through InProgress); a feature's metadata ``CreationTime`` is the
group's.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from featurestore_demo.schemas import FeatureDefinition, FeatureGroupSpec, ThroughputConfig
from local_backend.catalog import METADATA_KEY, utc

__all__ = ["apply_update", "metadata_response", "apply_metadata"]


def apply_update(
    description: dict[str, Any], spec: FeatureGroupSpec, additions: Iterable[FeatureDefinition], now: float
) -> None:
    """Make ``description`` that of ``spec``, the group once ``additions`` were added (its TTL and
    ThroughputConfig those of ``spec``), at ``now``."""
    description["FeatureDefinitions"].extend(feature.to_aws() for feature in additions)
    online = description.get("OnlineStoreConfig")
    if online is not None:
        if spec.ttl is None:
            online.pop("TtlDuration", None)
        else:
            online["TtlDuration"] = spec.ttl.to_aws()
    description["ThroughputConfig"] = (spec.throughput or ThroughputConfig()).to_aws()
    description["LastModifiedTime"] = now
    description["LastUpdateStatus"] = {"Status": "Successful"}


def metadata_response(description: dict[str, Any], spec: FeatureGroupSpec, feature_name: str) -> dict[str, Any]:
    """The DescribeFeatureMetadata response of one of the group's features."""
    metadata = description.get(METADATA_KEY, {}).get(feature_name, {})
    response = {
        "FeatureGroupArn": description["FeatureGroupArn"],
        "FeatureGroupName": spec.name,
        "FeatureName": feature_name,
        "FeatureType": spec.types[feature_name],
        "CreationTime": utc(description["CreationTime"]),
        "LastModifiedTime": utc(metadata.get("LastModifiedTime", description["CreationTime"])),
        "Parameters": [dict(item) for item in metadata.get("Parameters", [])],
    }
    if metadata.get("Description") is not None:
        response["Description"] = metadata["Description"]
    return response


def apply_metadata(
    description: dict[str, Any],
    feature_name: str,
    text: str | None,
    additions: list[dict[str, str]],
    removals: list[str],
    now: float,
) -> None:
    """Set the feature's description (unless None), add parameters in order (a known key is updated), remove keys."""
    metadata = description.setdefault(METADATA_KEY, {}).setdefault(feature_name, {})
    if text is not None:
        metadata["Description"] = text
    parameters = {item["Key"]: item["Value"] for item in metadata.get("Parameters", [])}
    parameters.update((item["Key"], item["Value"]) for item in additions)
    for key in removals:
        parameters.pop(key, None)
    metadata["Parameters"] = [{"Key": key, "Value": value} for key, value in parameters.items()]
    metadata["LastModifiedTime"] = now
