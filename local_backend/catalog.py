"""DescribeFeatureGroup and ListFeatureGroups shapes for locally stored feature groups.

Descriptions are stored JSON-safe (times as epoch seconds) and turned into what boto3 returns
(times as tz-aware datetimes) on the way out. Generated names follow SAGEMAKER_SPEC §1.4.

The offline store's Glue table follows the DataCatalogConfig / DisableGlueTableCreation matrix
of SAGEMAKER_SPEC §1.2: names generated (neither given), the given names (a DataCatalogConfig,
whether SageMaker creates the table or you bring it), or no table at all (creation disabled and
no DataCatalogConfig: the description then has no DataCatalogConfig, and :func:`table_of` is "").

Departure: the local offline store keeps every group's table in the Glue database
``sagemaker_featurestore`` of the catalog ``AwsDataCatalog``, so a DataCatalogConfig naming
another database or catalog is refused (ValidationException) where AWS would accept it.
"""

from __future__ import annotations

import copy
from collections.abc import Iterable
from datetime import datetime, timezone
from typing import Any

from featurestore_demo.errors import ValidationException
from featurestore_demo.schemas import FeatureGroupSpec
from featurestore_demo.sql import DEFAULT_CATALOG, DEFAULT_DATABASE

__all__ = ["new_description", "describe_response", "list_summaries", "table_name", "METADATA_KEY", "TAGS_KEY"]

DEFAULT_S3_URI = "s3://featurestore-demo-local/offline-store"
METADATA_KEY = "__FeatureMetadata"
"""Where a stored description keeps its features' metadata (hidden from DescribeFeatureGroup)."""
TAGS_KEY = "Tags"
"""Where a stored description keeps the group's tags (hidden from DescribeFeatureGroup)."""


def utc(seconds: float) -> datetime:
    """Epoch seconds as the tz-aware UTC datetime boto3 returns for AWS timestamps."""
    return datetime.fromtimestamp(seconds, tz=timezone.utc)


def table_of(description: dict[str, Any]) -> str:
    """The offline-store (Athena) table of a stored description; "" for an online-only group."""
    return ((description.get("OfflineStoreConfig") or {}).get("DataCatalogConfig") or {}).get("TableName", "")


def table_name(group: str, created: float) -> str:
    """The Glue/Athena table name AWS generates: lowercase, underscores, creation epoch."""
    return f"{group.lower().replace('-', '_')}_{int(created)}"


def new_description(
    spec: FeatureGroupSpec,
    created: float,
    region: str,
    account_id: str,
    *,
    role_arn: str | None = None,
    s3_uri: str | None = None,
) -> dict[str, Any]:
    """The stored description of a group created at ``created`` (epoch seconds).

    It keeps every member of the CreateFeatureGroup request, its ``Tags`` too (ListTags reads
    them; DescribeFeatureGroup leaves them out, as its output shape has no Tags). Without a
    ThroughputConfig the group is OnDemand.

    ValidationException for a DataCatalogConfig outside ``AwsDataCatalog``.``sagemaker_featurestore``
    (see the module's departure).
    """
    _check_local_catalog(spec)
    request = spec.to_create_request(role_arn=role_arn, s3_uri=s3_uri or DEFAULT_S3_URI)
    description = {
        "FeatureGroupArn": f"arn:aws:sagemaker:{region}:{account_id}:feature-group/{spec.name.lower()}",
        "ThroughputConfig": {"ThroughputMode": "OnDemand"},
        **request,
        "CreationTime": created,
        "LastModifiedTime": created,
        "OnlineStoreTotalSizeBytes": 0,
    }
    offline = description.get("OfflineStoreConfig")
    if offline is not None:
        base = offline["S3StorageConfig"]["S3Uri"].rstrip("/")
        offline["S3StorageConfig"]["ResolvedOutputS3Uri"] = (
            f"{base}/{account_id}/sagemaker/{region}/offline-store/{spec.name}-{int(created)}/data"
        )
        if "DataCatalogConfig" not in offline and not offline.get("DisableGlueTableCreation"):
            offline["DataCatalogConfig"] = {
                "TableName": table_name(spec.name, created),
                "Catalog": DEFAULT_CATALOG,
                "Database": DEFAULT_DATABASE,
            }
    return description


def _check_local_catalog(spec: FeatureGroupSpec) -> None:
    catalog = spec.offline_config.data_catalog
    if not spec.offline_store or catalog is None:
        return
    for member, given, kept in (("Catalog", catalog.catalog, DEFAULT_CATALOG),
                                ("Database", catalog.database, DEFAULT_DATABASE)):
        if given.lower() != kept.lower():
            raise ValidationException(
                f"DataCatalogConfig.{member} '{given}' is not supported here: the local offline store keeps "
                f"every feature group's table in {DEFAULT_CATALOG}.{DEFAULT_DATABASE} (AWS accepts other Glue "
                f"databases). Use {member} '{kept}', or leave DataCatalogConfig out to have the name generated."
            )


def _status(description: dict[str, Any], now: float, lifecycle_seconds: float) -> str:
    return "Creating" if now < description["CreationTime"] + lifecycle_seconds else "Created"


def describe_response(description: dict[str, Any], now: float, lifecycle_seconds: float) -> dict[str, Any]:
    """The DescribeFeatureGroup response for a stored description, as boto3 returns it."""
    response = copy.deepcopy(description)
    for hidden in (METADATA_KEY, TAGS_KEY):
        response.pop(hidden, None)
    response["FeatureGroupStatus"] = _status(description, now, lifecycle_seconds)
    if "OfflineStoreConfig" in response:
        response["OfflineStoreStatus"] = {"Status": "Active"}
    for key in ("CreationTime", "LastModifiedTime"):
        response[key] = utc(response[key])
    response["NextToken"] = ""
    return response


def list_summaries(
    descriptions: Iterable[dict[str, Any]],
    name_contains: str | None,
    now: float,
    lifecycle_seconds: float,
) -> list[dict[str, Any]]:
    """ListFeatureGroups summaries, sorted by name, filtered by a name substring."""
    summaries = []
    for description in sorted(descriptions, key=lambda d: d["FeatureGroupName"]):
        if name_contains and name_contains not in description["FeatureGroupName"]:
            continue
        summary = {
            "FeatureGroupName": description["FeatureGroupName"],
            "FeatureGroupArn": description["FeatureGroupArn"],
            "CreationTime": utc(description["CreationTime"]),
            "FeatureGroupStatus": _status(description, now, lifecycle_seconds),
        }
        if "OfflineStoreConfig" in description:
            summary["OfflineStoreStatus"] = {"Status": "Active"}
        summaries.append(summary)
    return summaries
