"""The checks of a CreateFeatureGroup request that botocore leaves to the service (SAGEMAKER_SPEC §1.2).

Names, feature types, TTL, the online StorageType and description are checked by the kit's rules when the backend
creates the group; this module checks the rest of the request shape: required members, enums,
maximum lengths and patterns of the store configurations, the role and the tags. Enums come
from botocore's model (:func:`featurestore_demo.service_model.model_enum`).
"""

from __future__ import annotations

import re
from typing import Any

from featurestore_demo.rules.definitions import table_formats
from featurestore_demo.rules.names import constraint_error
from featurestore_demo.service_model import model_enum
from local_backend.emulator.wire import WireError, check_enum, check_length, require

__all__ = ["check_create_request", "check_throughput"]

ROLE_ARN_PATTERN = r"arn:aws[a-z\-]*:iam::\d{12}:role/?[a-zA-Z_0-9+=,.@\-_/]+"
S3_URI_PATTERN = r"(https|s3)://([^/]+)/?(.*)"
KMS_KEY_PATTERN = r"[a-zA-Z0-9:/_-]*"


def check_create_request(body: dict[str, Any]) -> None:
    """Raise the AWS ValidationException for the first member of ``body`` CreateFeatureGroup would refuse.

    Departure: collection types (List, Set, Vector) are refused, since the kit's records hold
    scalar values only.
    """
    for key in ("FeatureGroupName", "RecordIdentifierFeatureName", "EventTimeFeatureName"):
        require(body, key)
    definitions = require(body, "FeatureDefinitions")
    if not isinstance(definitions, list) or not all(isinstance(item, dict) for item in definitions):
        raise WireError("SerializationException", "FeatureDefinitions must be a list of JSON objects.")
    for index, item in enumerate(definitions, start=1):
        field = f"featureDefinitions.{index}.member"
        require(item, "FeatureName", f"{field}.featureName")
        require(item, "FeatureType", f"{field}.featureType")
        if item.get("CollectionType") is not None:
            raise constraint_error(
                item["CollectionType"], f"{field}.collectionType",
                "the emulator supports scalar features only (no List, Set or Vector)",
            )
    _check_online(body.get("OnlineStoreConfig"))
    _check_offline(body.get("OfflineStoreConfig"))
    check_throughput(body.get("ThroughputConfig"))
    _check_pattern(body.get("RoleArn"), 20, 2048, ROLE_ARN_PATTERN, "roleArn")
    _check_tags(body.get("Tags"))


def check_throughput(throughput: dict[str, Any] | None) -> None:
    """Raise the AWS ValidationException if a ThroughputConfig has no valid ThroughputMode."""
    if throughput is not None:
        mode = require(throughput, "ThroughputMode", "throughputConfig.throughputMode")
        check_enum(mode, model_enum("sagemaker", "ThroughputMode"), "throughputConfig.throughputMode")


def _check_online(online: dict[str, Any] | None) -> None:
    if online is None:
        return
    check_length((online.get("SecurityConfig") or {}).get("KmsKeyId"), 0, 2048,
                 "onlineStoreConfig.securityConfig.kmsKeyId")
    ttl = online.get("TtlDuration")
    if ttl is not None:
        require(ttl, "Unit", "onlineStoreConfig.ttlDuration.unit")
        require(ttl, "Value", "onlineStoreConfig.ttlDuration.value")


def _check_offline(offline: dict[str, Any] | None) -> None:
    if offline is None:
        return
    storage = require(offline, "S3StorageConfig", "offlineStoreConfig.s3StorageConfig")
    uri = require(storage, "S3Uri", "offlineStoreConfig.s3StorageConfig.s3Uri")
    _check_pattern(uri, 0, 1024, S3_URI_PATTERN, "offlineStoreConfig.s3StorageConfig.s3Uri")
    _check_pattern(storage.get("KmsKeyId"), 0, 2048, KMS_KEY_PATTERN, "offlineStoreConfig.s3StorageConfig.kmsKeyId")
    check_enum(offline.get("TableFormat"), table_formats(), "offlineStoreConfig.tableFormat")
    catalog = offline.get("DataCatalogConfig")
    if catalog is not None:
        for key in ("TableName", "Catalog", "Database"):
            check_length(require(catalog, key, f"offlineStoreConfig.dataCatalogConfig.{key[0].lower()}{key[1:]}"),
                         1, 255, f"offlineStoreConfig.dataCatalogConfig.{key[0].lower()}{key[1:]}")


def _check_pattern(value: Any, low: int, high: int, pattern: str, field: str) -> None:
    if value is None:
        return
    check_length(value, low, high, field)
    if not re.fullmatch(pattern, value):
        raise constraint_error(value, field, f"Member must satisfy regular expression pattern: {pattern}")


def _check_tags(tags: Any) -> None:
    if tags is None:
        return
    check_length(tags, 0, 50, "tags")
    for index, tag in enumerate(tags, start=1):
        check_length(require(tag, "Key", f"tags.{index}.member.key"), 1, 128, f"tags.{index}.member.key")
        check_length(require(tag, "Value", f"tags.{index}.member.value"), 0, 256, f"tags.{index}.member.value")
