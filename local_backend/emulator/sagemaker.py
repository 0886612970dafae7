"""The SageMaker control plane for feature groups (JSON 1.1, ``X-Amz-Target: SageMaker.<Op>``).

Each handler parses the request, calls the local backend and serialises its answer
(SAGEMAKER_SPEC §1). Every request has been checked against botocore's model before its handler
runs (lengths, enums, patterns: :func:`~local_backend.emulator.wire.check_constraints`), so no
handler repeats those checks. Errors go out as ``{"__type": code, "message": text}`` with status 400
(§1.6). Operations other than the feature-group ones answer UnknownOperationException.
"""

from __future__ import annotations

import copy
import threading
import time
from collections.abc import Callable
from datetime import datetime
from typing import Any

from featurestore_demo.errors import FeatureStoreError, ResourceInUse, ValidationException
from featurestore_demo.rules.updates import UNCHANGED, Unchanged
from featurestore_demo.schemas import FeatureDefinition, FeatureGroupSpec, ThroughputConfig, TtlDuration
from featurestore_demo.service_model import shape_metadata
from local_backend.catalog import utc
from local_backend.emulator.glue_tables import GlueTables
from local_backend.emulator.paging import page
from local_backend.emulator.search import RESOURCES, checked_query, matches, result, sorted_records
from local_backend.emulator.wire import (
    Response,
    TargetService,
    WireError,
    json_response,
    require,
    resolve_group,
)

__all__ = ["SageMakerService", "Deletions"]

SORT_KEYS: dict[str, Callable[[dict[str, Any]], Any]] = {
    "Name": lambda s: s["FeatureGroupName"],
    "FeatureGroupStatus": lambda s: s["FeatureGroupStatus"],
    "OfflineStoreStatus": lambda s: s.get("OfflineStoreStatus", {}).get("Status", ""),
    "CreationTime": lambda s: s["CreationTime"],
}
"""How ListFeatureGroups sorts by each value of the model's ``FeatureGroupSortBy`` (a test keeps them equal)."""


def _name_or_arn_max() -> int:
    """The longest FeatureGroupName a request may give (a name or an ARN), from the model."""
    return int(shape_metadata("sagemaker", "FeatureGroupNameOrArn")["max"])


class Deletions:
    """Feature groups in ``Deleting``: gone from the store at once, still described for a while.

    DeleteFeatureGroup removes the group from the backend immediately (its online data stops
    being readable at once, as on AWS) and keeps its description here, with status Deleting,
    for ``seconds``; Describe and List show it, and a Create of the same name is ResourceInUse.
    """

    def __init__(self, seconds: float, clock: Callable[[], float] = time.monotonic) -> None:
        self.seconds, self.clock = seconds, clock
        self._lock = threading.Lock()
        self._deleting: dict[str, tuple[float, dict[str, Any]]] = {}

    def start(self, description: dict[str, Any]) -> None:
        if self.seconds <= 0:
            return
        snapshot = {**copy.deepcopy(description), "FeatureGroupStatus": "Deleting"}
        with self._lock:
            self._deleting[description["FeatureGroupName"]] = (self.clock() + self.seconds, snapshot)

    def descriptions(self) -> list[dict[str, Any]]:
        """The descriptions of the groups still Deleting."""
        now = self.clock()
        with self._lock:
            for name in [n for n, (until, _) in self._deleting.items() if until <= now]:
                del self._deleting[name]
            return [description for _, description in self._deleting.values()]

    def find(self, name_or_arn: str) -> dict[str, Any] | None:
        for description in self.descriptions():
            if name_or_arn in (description["FeatureGroupName"], description["FeatureGroupArn"]):
                return copy.deepcopy(description)
        return None


class SageMakerService(TargetService):
    """Feature-group operations of the SageMaker API over a local backend."""

    target_prefix = "SageMaker."
    model_name = "sagemaker"
    internal_code = "InternalFailure"

    def __init__(self, backend: Any, deletions: Deletions, glue: GlueTables | None = None) -> None:
        self.backend, self.deletions, self.glue = backend, deletions, glue
        self.operations: dict[str, Callable[[dict[str, Any]], dict[str, Any]]] = {
            "CreateFeatureGroup": self.create_feature_group,
            "DescribeFeatureGroup": self.describe_feature_group,
            "ListFeatureGroups": self.list_feature_groups,
            "DeleteFeatureGroup": self.delete_feature_group,
            "UpdateFeatureGroup": self.update_feature_group,
            "DescribeFeatureMetadata": self.describe_feature_metadata,
            "UpdateFeatureMetadata": self.update_feature_metadata,
            "Search": self.search,
            "AddTags": self.add_tags,
            "ListTags": self.list_tags,
            "DeleteTags": self.delete_tags,
        }

    @staticmethod
    def error(error: FeatureStoreError) -> Response:
        """The control plane's error: status 400, ``{"__type", "message"}`` (SAGEMAKER_SPEC §1.6)."""
        return json_response({"__type": error.code, "message": str(error)}, getattr(error, "status", 400))

    # ---------------------------------------------------------------- handlers

    def create_feature_group(self, body: dict[str, Any]) -> dict[str, Any]:
        """CreateFeatureGroup, with the group's Glue table unless DisableGlueTableCreation (glue_tables);
        the online StorageType is kept and described.

        Every member is kept: Describe shows ThroughputConfig (OnDemand when none was given), the
        online store's SecurityConfig and the Description; ListTags the Tags. Provisioned
        throughput is refused on an online store of another tier than Standard (§1.2). Collection
        features (CollectionType List, Set or Vector, a Vector's CollectionConfig.VectorConfig.Dimension)
        are kept and described, on the tier AWS allows them (InMemory: rules.collections).

        Departure: capacity units AWS calls "not applicable"
        (any with OnDemand, read units on an offline-only group) are refused, and Provisioned needs
        the units that apply (rules.definitions.validate_throughput); AWS documents neither answer.
        """
        spec = FeatureGroupSpec.from_aws(body)
        if self.deletions.find(spec.name) is not None:
            raise ResourceInUse(f"FeatureGroup {spec.name} is being deleted; try again shortly.")
        s3_uri = (body.get("OfflineStoreConfig") or {}).get("S3StorageConfig", {}).get("S3Uri")
        arn = self.backend.create_feature_group(spec, role_arn=body.get("RoleArn"), offline_s3_uri=s3_uri)
        if self.glue is not None:
            description = self.backend.describe_feature_group(spec.name)
            try:
                self.glue.check_free(description)
            except ResourceInUse:
                self.backend.delete_feature_group(spec.name)  # nothing of the refused group stays
                raise
            self.glue.create_for(description)
        return {"FeatureGroupArn": arn}

    def describe_feature_group(self, body: dict[str, Any]) -> dict[str, Any]:
        """DescribeFeatureGroup (name or ARN). Departure: NextToken never pages the definitions."""
        name_or_arn = require(body, "FeatureGroupName")
        deleting = self.deletions.find(name_or_arn) if isinstance(name_or_arn, str) else None
        if deleting is not None:
            return deleting
        return self.backend.describe_feature_group(resolve_group(self.backend, name_or_arn, _name_or_arn_max()))

    def list_feature_groups(self, body: dict[str, Any]) -> dict[str, Any]:
        """ListFeatureGroups with its filters, sort and pagination.

        Departure: AWS documents no default sort or page size; the emulator sorts by
        CreationTime, Descending, 10 per page (as other SageMaker List operations do).
        """
        name_contains = body.get("NameContains")
        summaries = self.backend.list_feature_groups(name_contains) + [
            _summary(d) for d in self.deletions.descriptions()
            if not name_contains or name_contains in d["FeatureGroupName"]
        ]
        summaries = _filtered(summaries, body)
        sort_by = body.get("SortBy") or "CreationTime"
        summaries.sort(key=SORT_KEYS[sort_by], reverse=body.get("SortOrder", "Descending") == "Descending")
        return page(summaries, body, "FeatureGroupSummaries", "ListFeatureGroups")

    def delete_feature_group(self, body: dict[str, Any]) -> dict[str, Any]:
        """DeleteFeatureGroup (a plain name, not an ARN: §1.5); the group shows as Deleting for a while.

        Its online data goes at once; its offline data and Glue table stay, as on AWS: the
        offline rows stay queryable in Athena under the group's table until Glue's DeleteTable
        (or DeleteDatabase) removes that table (glue_tables).
        """
        name = require(body, "FeatureGroupName")
        description = self.backend.describe_feature_group(name)
        self.backend.delete_feature_group(name, keep_offline_data=True)
        self.deletions.start(description)
        return {}

    def update_feature_group(self, body: dict[str, Any]) -> dict[str, Any]:
        """UpdateFeatureGroup: FeatureAdditions, OnlineStoreConfig.TtlDuration (Unit and Value
        null remove it) and ThroughputConfig (a mode and/or capacities; capacities not named stay
        while the group stays Provisioned, a switch to OnDemand drops them).

        Departure: the update is applied at once (LastUpdateStatus Successful, never InProgress);
        a group may switch to OnDemand more than once in 24 hours.
        """
        name = resolve_group(self.backend, require(body, "FeatureGroupName"), _name_or_arn_max())
        additions = body.get("FeatureAdditions") or []
        throughput = _throughput_update(body.get("ThroughputConfig"))
        arn = self.backend.update_feature_group(
            name,
            feature_additions=[_definition(item) for item in additions],
            ttl=_ttl_update(body.get("OnlineStoreConfig")),
            throughput=throughput,
        )
        return {"FeatureGroupArn": arn}

    def describe_feature_metadata(self, body: dict[str, Any]) -> dict[str, Any]:
        """DescribeFeatureMetadata (group name or ARN, feature name)."""
        name = resolve_group(self.backend, require(body, "FeatureGroupName"), _name_or_arn_max())
        return self.backend.describe_feature_metadata(name, require(body, "FeatureName"))

    def update_feature_metadata(self, body: dict[str, Any]) -> dict[str, Any]:
        """UpdateFeatureMetadata: Description, ParameterAdditions (in order), ParameterRemovals."""
        name = resolve_group(self.backend, require(body, "FeatureGroupName"), _name_or_arn_max())
        self.backend.update_feature_metadata(
            name,
            require(body, "FeatureName"),
            description=body.get("Description"),
            parameter_additions=body.get("ParameterAdditions") or [],
            parameter_removals=body.get("ParameterRemovals") or [],
        )
        return {}


    def search(self, body: dict[str, Any]) -> dict[str, Any]:
        """Search over Resource FeatureGroup (with their Tags) or FeatureMetadata (search.py says
        which properties), with every member of the model: SearchExpression (Filters, NestedFilters,
        SubExpressions, Operator And/Or), SortBy (default LastModifiedTime), SortOrder (default
        Descending), MaxResults, NextToken; TotalHits is exact (EqualTo).

        Departure: where AWS documents nothing, the emulator chooses: a page holds 10 results unless
        MaxResults says otherwise; Contains and Equals compare case-sensitively; In splits its Value
        at commas and trims each part; NotEquals and NotExists hold for a record without the
        property; Exists and NotExists ignore a Value; a multi-valued property (through a list)
        matches when one of its values does, and sorts by its first; records without the SortBy
        property come last; several Contains filters are allowed (AWS's Feature Store guide uses
        three in one expression, though the Search reference limits Contains to one for other
        resources). Groups still Deleting are found, without their tags.

        Departure: the emulator holds no other SageMaker resources, so a Search of any other
        Resource (TrainingJob...) answers no results; CrossAccount finds nothing (one account) and
        VisibilityConditions are checked but narrow nothing.
        """
        resource = body["Resource"]
        if resource not in RESOURCES:
            return {"Results": [], "TotalHits": {"Value": 0, "Relation": "EqualTo"}}
        query = checked_query(resource, body.get("SearchExpression"))
        records = [] if body.get("CrossAccountFilterOption") == "CrossAccount" else self._records(resource)
        found = sorted_records(resource, [record for record in records if matches(resource, record, query)],
                               body.get("SortBy") or "LastModifiedTime", body.get("SortOrder") != "Ascending")
        response = page([result(resource, record) for record in found], body, "Results", "Search")
        return {**response, "TotalHits": {"Value": len(found), "Relation": "EqualTo"}}

    def _records(self, resource: str) -> list[dict[str, Any]]:
        """The records Search looks through: groups (with Tags, those Deleting too) or features."""
        groups = self.backend.searchable_groups()
        if resource == "FeatureMetadata":
            return [metadata for _, features in groups for metadata in features]
        return [group for group, _ in groups] + self.deletions.descriptions()

    def add_tags(self, body: dict[str, Any]) -> dict[str, Any]:
        """AddTags to a feature group's ARN: a known key takes the new value; answers all its tags.

        Departure: AWS models no error for the tag operations; an ARN that is no feature group's is
        a ValidationException here (as AWS answers tags of a deleted resource), and more than 50
        tags on the group in all, or a key given twice, are refused (AWS documents the limit and
        unique keys, not its answer).
        """
        return {"Tags": self.backend.add_tags(self._tagged(body["ResourceArn"]), body["Tags"])}

    def list_tags(self, body: dict[str, Any]) -> dict[str, Any]:
        """ListTags of a feature group's ARN, in the order the keys were first added (MaxResults
        at least 50, the model's bound, and a group has at most 50 tags: one page)."""
        tags = self.backend.list_tags(self._tagged(body["ResourceArn"]))
        return page(tags, body, "Tags", "ListTags", default_size=50)

    def delete_tags(self, body: dict[str, Any]) -> dict[str, Any]:
        """DeleteTags of a feature group's ARN; keys it does not have are ignored."""
        self.backend.delete_tags(self._tagged(body["ResourceArn"]), body["TagKeys"])
        return {}

    def _tagged(self, arn: str) -> str:
        """The name of the feature group whose ARN is ``arn``; ValidationException if there is none."""
        name = self.backend.group_name_of_arn(arn)
        if name is None:
            raise ValidationException(f"Resource Not Found: Amazon SageMaker can't find a resource with ARN {arn}; "
                                      "the emulator tags feature groups only.")
        return str(name)


def _throughput_update(update: dict[str, Any] | None) -> ThroughputConfig | None:
    """UpdateFeatureGroup's ThroughputConfig (every member optional; its mode checked by the model); None for none."""
    if update is None:
        return None
    return ThroughputConfig.from_aws(update)


def _definition(item: Any) -> FeatureDefinition:
    if not isinstance(item, dict):
        raise WireError("SerializationException", "Each FeatureDefinition must be a JSON object.")
    # Wire values as sent (None, an unknown type): validate_feature_group_spec refuses them as AWS does
    return FeatureDefinition.from_aws(item)


def _ttl_update(online: dict[str, Any] | None) -> TtlDuration | Unchanged | None:
    if not online or "TtlDuration" not in online:
        return UNCHANGED
    return TtlDuration.from_aws(online["TtlDuration"])


def _summary(description: dict[str, Any]) -> dict[str, Any]:
    keys = ("FeatureGroupName", "FeatureGroupArn", "CreationTime", "FeatureGroupStatus", "OfflineStoreStatus")
    return {key: description[key] for key in keys if key in description}


def _filtered(summaries: list[dict[str, Any]], body: dict[str, Any]) -> list[dict[str, Any]]:
    status, offline = body.get("FeatureGroupStatusEquals"), body.get("OfflineStoreStatusEquals")
    after, before = _instant(body.get("CreationTimeAfter")), _instant(body.get("CreationTimeBefore"))
    return [
        summary for summary in summaries
        if (status is None or summary["FeatureGroupStatus"] == status)
        and (offline is None or summary.get("OfflineStoreStatus", {}).get("Status") == offline)
        and (after is None or summary["CreationTime"] > after)
        and (before is None or summary["CreationTime"] < before)
    ]


def _instant(value: Any) -> datetime | None:
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        raise WireError("SerializationException", f"Expected a timestamp (epoch seconds), got {value!r}.")
    return utc(value)
