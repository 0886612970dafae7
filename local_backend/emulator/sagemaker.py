"""The SageMaker control plane for feature groups (JSON 1.1, ``X-Amz-Target: SageMaker.<Op>``).

Each handler parses the request, calls the local backend and serialises its answer
(SAGEMAKER_SPEC §1). Errors go out as ``{"__type": code, "message": text}`` with status 400
(§1.6). Operations other than the feature-group ones answer UnknownOperationException.
"""

from __future__ import annotations

import base64
import binascii
import copy
import threading
import time
from collections.abc import Callable
from datetime import datetime
from typing import Any

from featurestore_demo.errors import FeatureStoreError, ResourceInUse
from featurestore_demo.rules.updates import UNCHANGED, Unchanged
from featurestore_demo.schemas import FeatureDefinition, FeatureGroupSpec, TtlDuration
from local_backend.catalog import utc
from local_backend.emulator.create_request import check_create_request, check_throughput
from local_backend.emulator.glue_tables import GlueTables
from local_backend.emulator.wire import (
    Response,
    TargetService,
    WireError,
    check_enum,
    check_length,
    json_response,
    require,
    resolve_group,
)

__all__ = ["SageMakerService", "Deletions"]

NAME_OR_ARN_MAX = 256
STATUSES = ("Creating", "Created", "CreateFailed", "Deleting", "DeleteFailed")
OFFLINE_STATUSES = ("Active", "Blocked", "Disabled")
SORT_KEYS: dict[str, Callable[[dict[str, Any]], Any]] = {
    "Name": lambda s: s["FeatureGroupName"],
    "FeatureGroupStatus": lambda s: s["FeatureGroupStatus"],
    "OfflineStoreStatus": lambda s: s.get("OfflineStoreStatus", {}).get("Status", ""),
    "CreationTime": lambda s: s["CreationTime"],
}


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
        }

    @staticmethod
    def error(error: FeatureStoreError) -> Response:
        """The control plane's error: status 400, ``{"__type", "message"}`` (SAGEMAKER_SPEC §1.6)."""
        return json_response({"__type": error.code, "message": str(error)}, getattr(error, "status", 400))

    # ---------------------------------------------------------------- handlers

    def create_feature_group(self, body: dict[str, Any]) -> dict[str, Any]:
        """CreateFeatureGroup, with the group's Glue table unless DisableGlueTableCreation (glue_tables);
        the online StorageType is kept and described.

        Departure: ThroughputConfig and the online store's KMS key are checked but not kept.
        """
        check_create_request(body)
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
        return self.backend.describe_feature_group(resolve_group(self.backend, name_or_arn, NAME_OR_ARN_MAX))

    def list_feature_groups(self, body: dict[str, Any]) -> dict[str, Any]:
        """ListFeatureGroups with its filters, sort and pagination.

        Departure: AWS documents no default sort or page size; the emulator sorts by
        CreationTime, Descending, 10 per page (as other SageMaker List operations do).
        """
        name_contains = check_length(body.get("NameContains"), 1, 64, "nameContains")
        summaries = self.backend.list_feature_groups(name_contains) + [
            _summary(d) for d in self.deletions.descriptions()
            if not name_contains or name_contains in d["FeatureGroupName"]
        ]
        summaries = _filtered(summaries, body)
        sort_by = check_enum(body.get("SortBy"), tuple(SORT_KEYS), "sortBy") or "CreationTime"
        order = check_enum(body.get("SortOrder"), ("Ascending", "Descending"), "sortOrder") or "Descending"
        summaries.sort(key=SORT_KEYS[sort_by], reverse=order == "Descending")
        return _page(summaries, body)

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
        """UpdateFeatureGroup: FeatureAdditions and OnlineStoreConfig.TtlDuration (Unit and Value
        null remove it). Departure: ThroughputConfig is checked but not kept; the update is
        applied at once (LastUpdateStatus Successful, never InProgress)."""
        name = resolve_group(self.backend, require(body, "FeatureGroupName"), NAME_OR_ARN_MAX)
        additions = check_length(body.get("FeatureAdditions"), 1, 100, "featureAdditions") or []
        check_throughput(body.get("ThroughputConfig"))
        arn = self.backend.update_feature_group(
            name,
            feature_additions=[_definition(item) for item in additions],
            ttl=_ttl_update(body.get("OnlineStoreConfig")),
        )
        return {"FeatureGroupArn": arn}

    def describe_feature_metadata(self, body: dict[str, Any]) -> dict[str, Any]:
        """DescribeFeatureMetadata (group name or ARN, feature name)."""
        name = resolve_group(self.backend, require(body, "FeatureGroupName"), NAME_OR_ARN_MAX)
        feature = check_length(require(body, "FeatureName"), 1, 64, "featureName")
        return self.backend.describe_feature_metadata(name, feature)

    def update_feature_metadata(self, body: dict[str, Any]) -> dict[str, Any]:
        """UpdateFeatureMetadata: Description, ParameterAdditions (in order), ParameterRemovals."""
        name = resolve_group(self.backend, require(body, "FeatureGroupName"), NAME_OR_ARN_MAX)
        feature = check_length(require(body, "FeatureName"), 1, 64, "featureName")
        self.backend.update_feature_metadata(
            name,
            feature,
            description=body.get("Description"),
            parameter_additions=body.get("ParameterAdditions") or [],
            parameter_removals=body.get("ParameterRemovals") or [],
        )
        return {}


def _definition(item: Any) -> FeatureDefinition:
    if not isinstance(item, dict):
        raise WireError("SerializationException", "Each FeatureDefinition must be a JSON object.")
    # Wire values as sent (None, an unknown type): validate_feature_group_spec refuses them as AWS does
    return FeatureDefinition(item.get("FeatureName"), item.get("FeatureType"))  # type: ignore[arg-type]


def _ttl_update(online: dict[str, Any] | None) -> TtlDuration | Unchanged | None:
    if not online or "TtlDuration" not in online:
        return UNCHANGED
    return TtlDuration.from_aws(online["TtlDuration"])


def _summary(description: dict[str, Any]) -> dict[str, Any]:
    keys = ("FeatureGroupName", "FeatureGroupArn", "CreationTime", "FeatureGroupStatus", "OfflineStoreStatus")
    return {key: description[key] for key in keys if key in description}


def _filtered(summaries: list[dict[str, Any]], body: dict[str, Any]) -> list[dict[str, Any]]:
    status = check_enum(body.get("FeatureGroupStatusEquals"), STATUSES, "featureGroupStatusEquals")
    offline = check_enum(body.get("OfflineStoreStatusEquals"), OFFLINE_STATUSES, "offlineStoreStatusEquals")
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


def _page(summaries: list[dict[str, Any]], body: dict[str, Any]) -> dict[str, Any]:
    size = body.get("MaxResults", 10)
    if isinstance(size, bool) or not isinstance(size, int) or not 1 <= size <= 100:
        raise WireError(
            "ValidationException",
            f"1 validation error detected: Value '{size}' at 'maxResults' failed to satisfy constraint: "
            "Member must have value between 1 and 100",
        )
    start = _offset(body.get("NextToken"))
    response: dict[str, Any] = {"FeatureGroupSummaries": summaries[start:start + size]}
    if start + size < len(summaries):
        response["NextToken"] = base64.urlsafe_b64encode(f"offset:{start + size}".encode()).decode()
    return response


def _offset(token: Any) -> int:
    if token is None:
        return 0
    check_length(token, 0, 8192, "nextToken")
    try:
        kind, _, number = base64.urlsafe_b64decode(token.encode()).decode().partition(":")
    except (binascii.Error, UnicodeDecodeError, ValueError):
        kind, number = "", ""
    if kind == "offset" and number.isdigit():
        return int(number)
    raise WireError("ValidationException", f"Invalid pagination token {token!r}.")
