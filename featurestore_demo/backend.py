"""The one interface every backend implements, SageMaker-shaped.

Method names are the boto3 operation names in snake_case, plus ``ingest``, ``query`` and
``point_in_time_join``. Each public method validates and normalises its input here, then calls
the backend's hook (``_put_record`` for ``put_record``...), so validation is identical on every
backend by construction; a hook gets what validation parsed (event times also in epoch seconds),
so nothing is parsed twice. Records cross the interface as plain dicts of typed values (``int``
for Integral, ``float`` for Fractional, ``str`` for String; a list of them for a collection
feature: List, Set or Vector); times are UTC.
"""

from __future__ import annotations

import abc
from collections.abc import Callable, Iterable, Mapping, Sequence
from typing import Any, NamedTuple

import numpy as np
import pandas as pd

from featurestore_demo.errors import FeatureStoreError, ResourceNotFound, ValidationException
from featurestore_demo.frames import validate_frame
from featurestore_demo.point_in_time import PointInTimeRequest, build_request
from featurestore_demo.polling import wait_for_group_status, wait_for_update
from featurestore_demo.query_handle import QueryHandle
from featurestore_demo.rules import (
    event_time_seconds,
    normalize_record,
    parse_value,
    validate_feature_group_name,
    validate_feature_group_spec,
)
from featurestore_demo.rules.definitions import validate_ttl
from featurestore_demo.rules.tags import checked_tag_keys, checked_tags
from featurestore_demo.rules.updates import UNCHANGED, Unchanged, checked_parameters, updated_spec
from featurestore_demo.rules.values import ExactTexts, normalize_update
from featurestore_demo.runtime_types import BatchWriteResult, EntryError, RecordPage, WriteEntry
from featurestore_demo.schemas import FeatureDefinition, FeatureGroupSpec, ThroughputConfig, TtlDuration
from featurestore_demo.service_model import member_metadata
from featurestore_demo.sql import quote_identifier
from featurestore_demo.validation import (
    DELETION_MODES,
    check_name_contains,
    check_query_text,
    checked_batch,
    checked_count,
    checked_feature_names,
    checked_max_results,
    checked_next_token,
    checked_target_stores,
    record_key,
    record_keys,
    require_feature,
    require_online,
    require_update_tier,
)

__all__ = ["BatchOutcome", "FeatureStoreBackend", "OfflineFile", "PreparedPut", "ProgressCallback"]

ProgressCallback = Callable[[int, int], None]
"""Called as ``progress(done, total)`` while a long operation runs."""


class OfflineFile(NamedTuple):
    """One Parquet file of a group's offline store."""

    uri: str
    """``s3://bucket/<ResolvedOutputS3Uri key>/year=YYYY/month=MM/day=DD/hour=HH/<name>.parquet``"""
    size: int
    """bytes"""
    rows: int


class PreparedPut(NamedTuple):
    """A put that passed validation, as :meth:`FeatureStoreBackend._put_record` takes it."""

    spec: FeatureGroupSpec
    record: dict[str, Any]  # typed values, absent features dropped
    event_seconds: float
    target_stores: tuple[str, ...]
    ttl: TtlDuration | None  # the put's own (else the group's applies)
    exact: ExactTexts  # the texts put that ``record``'s typed values would not give back


class BatchOutcome(NamedTuple):
    """What a backend's batch write did not do, by position among the puts it was given."""

    failed: dict[int, FeatureStoreError]
    unprocessed: list[int]


class FeatureStoreBackend(abc.ABC):
    """A feature store: feature groups, an online store and an offline store.

    Contract shared by every backend:
    - GetRecord of a missing record identifier returns None, never an error; a missing feature
      group is :class:`ResourceNotFound`.
    - Online, the record with the newest event time wins; an equal event time overwrites; an
      older put is ignored online but still written offline.
    - The offline store keeps every put and every delete marker, with ``write_time``,
      ``api_invocation_time`` and ``is_deleted``; ``query`` runs Athena-dialect SQL over it.
    - UpdateRecord changes the named features of a live record of a Standard_V2 or InMemory
      group; an older event time is :class:`ConflictException`.
    - Bad input raises :class:`ValidationException` and changes nothing.
    """

    name: str = "abstract"

    # ---------------------------------------------------------------- control plane

    def create_feature_group(
        self,
        spec: FeatureGroupSpec,
        *,
        role_arn: str | None = None,
        offline_s3_uri: str | None = None,
    ) -> str:
        """Create a feature group; returns its ARN. ResourceInUse if the name is taken.

        ``role_arn`` and ``offline_s3_uri`` default to the backend's configuration.
        """
        validate_feature_group_spec(spec)
        return self._create_feature_group(spec, role_arn, offline_s3_uri)

    def describe_feature_group(self, name: str) -> dict[str, Any]:
        """The DescribeFeatureGroup response of ``name`` (an AWS-shaped dict)."""
        return self._describe_feature_group(validate_feature_group_name(name))

    def list_feature_groups(self, name_contains: str | None = None) -> list[dict[str, Any]]:
        """Summaries (FeatureGroupName, FeatureGroupArn, CreationTime, FeatureGroupStatus...).

        ``name_contains`` (1 to 64 characters) keeps the groups whose name contains it.
        """
        return self._list_feature_groups(check_name_contains(name_contains))

    def delete_feature_group(self, name: str, *, keep_offline_data: bool = False) -> None:
        """Delete a feature group and its online data at once; ResourceNotFound if it does not exist.

        By default its offline store goes too (on AWS the Glue table and the S3 objects, which
        DeleteFeatureGroup itself leaves behind, SAGEMAKER_SPEC §1.5). ``keep_offline_data=True``
        leaves them, as AWS does: the group's table (:meth:`offline_table` before the delete)
        still answers queries. A Glue table you brought yourself (DisableGlueTableCreation) is
        never dropped.
        """
        self._delete_feature_group(validate_feature_group_name(name), keep_offline_data)

    def update_feature_group(
        self,
        name: str,
        *,
        feature_additions: Sequence[FeatureDefinition] = (),
        ttl: TtlDuration | Unchanged | None = UNCHANGED,
        throughput: ThroughputConfig | None = None,
        timeout: float = 600.0,
    ) -> str:
        """Add features, set the online store's default TTL (None removes it) and/or change the
        throughput (a ThroughputConfigUpdate: a None ``mode`` keeps the mode); returns the ARN.

        Features can only be added, never removed; a new TTL applies to records written after
        the update. ValidationException, changing nothing, if the group would not be valid as
        CreateFeatureGroup checks it (or for more than 100 additions). AWS applies an update
        asynchronously: this returns once ``LastUpdateStatus`` is Successful (ValidationException
        if it Failed, TimeoutError after ``timeout`` seconds).
        """
        additions = tuple(feature_additions)
        updated = updated_spec(self.feature_group_spec(name), additions, ttl, throughput)
        arn = self._update_feature_group(updated, additions, ttl is not UNCHANGED, throughput)
        wait_for_update(self.describe_feature_group, name, timeout=timeout)
        return arn

    def describe_feature_metadata(self, name: str, feature_name: str) -> dict[str, Any]:
        """The DescribeFeatureMetadata response (an AWS-shaped dict); ``Parameters`` is always a list.

        ResourceNotFound for an unknown group or feature.
        """
        spec = self.feature_group_spec(name)
        response = self._describe_feature_metadata(spec, require_feature(spec, feature_name))
        response.setdefault("Parameters", [])
        return response

    def update_feature_metadata(
        self,
        name: str,
        feature_name: str,
        *,
        description: str | None = None,
        parameter_additions: Sequence[Mapping[str, str]] = (),
        parameter_removals: Sequence[str] = (),
    ) -> None:
        """Set a feature's description, add ``{"Key", "Value"}`` parameters and remove keys.

        Additions keep their order and a known key takes the new value. ValidationException,
        changing nothing, for a description over 255 characters, more than 25 additions or
        removals, or a key or value outside 1-255 letters, digits, spaces and ``_.:/=+-``;
        ResourceNotFound for an unknown group or feature.
        """
        additions, removals = checked_parameters(description, parameter_additions, parameter_removals)
        spec = self.feature_group_spec(name)
        self._update_feature_metadata(spec, require_feature(spec, feature_name), description, additions, removals)

    def add_tags(self, name: str, tags: Sequence[Mapping[str, str]]) -> list[dict[str, str]]:
        """Add ``{"Key", "Value"}`` tags to a group (a known key takes the new value); its tags after.

        ValidationException, changing nothing, for a key or value outside the model's TagKey /
        TagValue constraints, a key given twice, or more than 50 tags on the group in all;
        ResourceNotFound for an unknown group.
        """
        checked = checked_tags(tags)
        return self._add_tags(validate_feature_group_name(name), checked)

    def list_tags(self, name: str) -> list[dict[str, str]]:
        """The group's tags, ``{"Key", "Value"}``, in the order they were first added."""
        return self._list_tags(validate_feature_group_name(name))

    def delete_tags(self, name: str, keys: Sequence[str]) -> None:
        """Remove the tags with these keys (1 to 50 keys; a key the group lacks is ignored)."""
        self._delete_tags(validate_feature_group_name(name), checked_tag_keys(keys))

    def feature_group_spec(self, name: str) -> FeatureGroupSpec:
        """The spec of an existing feature group; ResourceNotFound if there is none."""
        return self._feature_group_spec(validate_feature_group_name(name))

    def offline_table(self, name: str) -> str:
        """The quoted ``"database"."table"`` of a group's offline store, to name in :meth:`query`.

        It is DescribeFeatureGroup's ``OfflineStoreConfig.DataCatalogConfig``. ResourceNotFound
        for an unknown group; ValidationException for a group with no offline store, or with no
        Glue table (DisableGlueTableCreation without a DataCatalogConfig).
        """
        catalog = self._data_catalog(validate_feature_group_name(name))
        if catalog is None and self.feature_group_spec(name).offline_store:
            raise ValidationException(
                f"Feature group '{name}' has no Glue table (it was created with DisableGlueTableCreation "
                "and no DataCatalogConfig), so Athena has no table to query; its offline data is written "
                "under OfflineStoreConfig.S3StorageConfig.ResolvedOutputS3Uri."
            )
        if catalog is None:
            raise ValidationException(
                f"Feature group '{name}' has no offline store (it is online only), so it has no "
                "table to query; read its records with get_record instead."
            )
        database, table = catalog
        return f"{quote_identifier(database)}.{quote_identifier(table)}"

    def offline_files(self, name: str) -> list[OfflineFile]:
        """The Parquet files of a group's offline store, in key order: what ``list_objects_v2``
        finds under its ``ResolvedOutputS3Uri``, with each file's row count.

        Empty until the offline store is written (on AWS, up to 15 minutes after the writes).
        ResourceNotFound for an unknown group; ValidationException for one with no offline store.
        """
        offline = self.describe_feature_group(name).get("OfflineStoreConfig")
        if offline is None:
            raise ValidationException(f"Feature group '{name}' has no offline store (it is online only), "
                                      "so it has no offline files.")
        return self._offline_files(offline["S3StorageConfig"]["ResolvedOutputS3Uri"])

    def wait_for_status(
        self,
        name: str,
        status: str = "Created",
        *,
        timeout: float = 600.0,
        on_poll: Callable[[str], None] | None = None,
    ) -> dict[str, Any]:
        """Poll DescribeFeatureGroup with bounded backoff until ``status``; TimeoutError after ``timeout`` s.

        Waiting for ``"Deleted"`` ends when the group is gone; a ``...Failed`` status raises
        ValidationException with its FailureReason. ``on_poll(status)`` is called between polls.
        """
        return wait_for_group_status(self.describe_feature_group, name, status, timeout=timeout, on_poll=on_poll)

    # ---------------------------------------------------------------- runtime

    def put_record(
        self,
        feature_group: str,
        record: Mapping[str, Any],
        *,
        target_stores: Sequence[str] | None = None,
        ttl: TtlDuration | None = None,
    ) -> None:
        """Write one record (a full overwrite, not a partial update) to the group's stores.

        A collection feature's value (List, Set, Vector) is a list, tuple or array of its elements;
        any other feature's is a single value. ``ttl`` overrides the group's TTL; a record whose
        ExpiresAt (event time + TTL) would fall after 9999-12-31T23:59:59.999Z is refused
        (ValidationException), as is any bad value.
        """
        self._put_record(*self._prepared_put(feature_group, record, target_stores, ttl))

    def _prepared_put(
        self, feature_group: str, record: Mapping[str, Any], target_stores: Sequence[str] | None,
        ttl: TtlDuration | None,
    ) -> PreparedPut:
        """A put validated as PutRecord does, as the hooks take it; nothing is written."""
        spec = self.feature_group_spec(feature_group)
        if ttl is not None:
            validate_ttl(ttl, "ttlDuration")
        normalized = normalize_record(spec, record, ttl)
        stores = checked_target_stores(spec, target_stores)
        return PreparedPut(spec, normalized.record, normalized.event_seconds, stores, ttl, normalized.exact)

    def batch_write_record(
        self, entries: Sequence[WriteEntry], *, ttl: TtlDuration | None = None
    ) -> BatchWriteResult:
        """Write 1 to 25 records, of one or more groups, each a full overwrite as put_record writes it.

        Each entry is validated as put_record validates it; ``ttl`` applies to the entries
        without a TTL of their own. An entry that fails is in ``errors`` with its AWS code and
        message, and nothing of it is written; the position of one the store cannot take now is
        in ``unprocessed`` (retry it); every other entry is written. ValidationException, writing
        nothing, for fewer than 1 or more than 25 entries or a bad ``ttl``.
        """
        limits = member_metadata("sagemaker-featurestore-runtime", "BatchWriteRecord", "Entries")
        entries = [WriteEntry(*entry) for entry in checked_count(entries, "entries", limits)]
        if ttl is not None:
            validate_ttl(ttl, "ttlDuration")
        prepared: list[tuple[int, PreparedPut]] = []
        errors: list[EntryError] = []
        for index, entry in enumerate(entries):
            try:
                prepared.append((index, self._prepared_put(entry.feature_group, entry.record,
                                                           entry.target_stores, entry.ttl or ttl)))
            except (ValidationException, ResourceNotFound) as error:
                errors.append(EntryError(index, entry, error))
        outcome = self._batch_write_record([put for _, put in prepared])
        for position, failure in outcome.failed.items():
            index = prepared[position][0]
            errors.append(EntryError(index, entries[index], failure))
        unprocessed = [prepared[position][0] for position in outcome.unprocessed]
        return BatchWriteResult(sorted(errors, key=lambda failed: failed.position), unprocessed)

    def list_records(
        self,
        feature_group: str,
        *,
        max_results: int | None = None,
        next_token: str | None = None,
        include_soft_deleted: bool = False,
    ) -> RecordPage:
        """One page of the record identifiers in the group's online store (as strings).

        Live records only, unless ``include_soft_deleted`` adds the soft-deleted ones; hard-deleted
        and expired records never show. ``max_results`` (1 to 100) bounds the page; pass the page's
        ``next_token`` back for the next one (None on the last page). ValidationException for a
        group with no online store or a token this store did not issue.
        """
        spec = self.feature_group_spec(feature_group)
        require_online(spec)
        return self._list_records(spec, checked_max_results(max_results), checked_next_token(next_token),
                                  bool(include_soft_deleted))

    def update_record(
        self,
        feature_group: str,
        record_id: Any,
        features: Mapping[str, Any],
        *,
        target_stores: Sequence[str] | None = None,
        ttl: TtlDuration | None = None,
    ) -> None:
        """Change the named ``features`` of an existing record; the others stay as they are.

        Only for groups whose online store is Standard_V2 or InMemory (else ValidationException).
        The record must be live online, else ResourceNotFound (missing, soft-deleted, expired).
        The event time, if among ``features``, must not be older than the record's
        (ConflictException); equal or newer applies; absent keeps the record's. A ``ttl`` needs
        the event time among ``features`` (ValidationException); without one the record keeps its
        TTL. The resulting whole record is written offline as a put (AWS does not document what
        its offline store receives: this is the kit's choice, so the history shows each state).
        """
        spec = self.feature_group_spec(feature_group)
        require_update_tier(spec)
        if ttl is not None:
            validate_ttl(ttl, "ttlDuration")
        key = record_key(spec, record_id)
        update = normalize_update(spec, key, features, ttl)
        stores = checked_target_stores(spec, target_stores)
        self._update_record(spec, key, update.values, update.event_seconds, stores, ttl, update.exact)

    def get_record(
        self,
        feature_group: str,
        record_id: Any,
        feature_names: Sequence[str] | None = None,
    ) -> dict[str, Any] | None:
        """The latest live record of ``record_id`` online, or None if there is none."""
        return self._get_record(*self._online_read(feature_group, record_id, feature_names))

    def _online_read(
        self, feature_group: str, record_id: Any, feature_names: Sequence[str] | None
    ) -> tuple[FeatureGroupSpec, str, list[str] | None]:
        """(spec, record key, feature names) of a read of one record online, validated as GetRecord's."""
        spec = self.feature_group_spec(feature_group)
        require_online(spec)
        return spec, record_key(spec, record_id), checked_feature_names(spec, feature_names)

    def batch_get_record(
        self,
        feature_group: str,
        record_ids: Iterable[Any],
        feature_names: Sequence[str] | None = None,
    ) -> dict[str, dict[str, Any]]:
        """Record identifier (as a string) -> record, for the ids that have a live record."""
        spec = self.feature_group_spec(feature_group)
        require_online(spec)
        keys = checked_batch(record_keys(spec, record_ids))
        return self._batch_get_record(spec, keys, checked_feature_names(spec, feature_names))

    def delete_record(
        self,
        feature_group: str,
        record_id: Any,
        event_time: Any,
        *,
        deletion_mode: str = "SoftDelete",
        target_stores: Sequence[str] | None = None,
    ) -> None:
        """Delete a record as of ``event_time`` (SoftDelete by default; see SAGEMAKER_SPEC §2.6).

        Online the delete applies only if ``event_time`` is later than the stored record's;
        otherwise a SoftDelete still writes its offline marker and a HardDelete raises
        ValidationException. Offline, a marker row with ``is_deleted = true`` is appended.
        """
        spec = self.feature_group_spec(feature_group)
        if deletion_mode not in DELETION_MODES:
            raise ValidationException(
                f"DeletionMode '{deletion_mode}' is not one of {', '.join(DELETION_MODES)}."
            )
        et_type = spec.types[spec.event_time_feature_name]
        event_time = parse_value(et_type, event_time, "EventTime")
        seconds = event_time_seconds(et_type, event_time, "EventTime")
        stores = checked_target_stores(spec, target_stores)
        self._delete_record(spec, record_key(spec, record_id), event_time, seconds, deletion_mode, stores)

    def ingest(
        self,
        feature_group: str,
        frame: pd.DataFrame,
        *,
        progress: ProgressCallback | None = None,
    ) -> int:
        """Put every row of ``frame`` (columns = features) in order; returns the rows written.

        The frame is validated whole before anything is written: a bad frame changes nothing.
        """
        spec = self.feature_group_spec(feature_group)
        validated = validate_frame(spec, frame)
        if validated.frame.empty:
            return 0
        return self._ingest(spec, validated.frame, validated.event_seconds, progress)

    def query(self, sql: str, *, handle: QueryHandle | None = None) -> pd.DataFrame:
        """Run Athena-dialect SQL over the offline store; the result as a DataFrame.

        ``handle.stop()`` stops the query from another thread: it then raises ValidationException
        (``USER_CANCELLED``), as it does when the handle was stopped before the call.
        """
        check_query_text(sql)
        return self._query(sql, handle or QueryHandle())

    def point_in_time_join(
        self,
        labels: pd.DataFrame,
        feature_groups: Sequence[str],
        *,
        label_time_column: str = "event_time",
        entity_columns: Mapping[str, str] | None = None,
        features: Mapping[str, Sequence[str]] | None = None,
        max_age: float | None = None,
        as_of: Any = None,
    ) -> pd.DataFrame:
        """The label frame with, for each group, the entity's features as of each label's time.

        For each label row (entity id, time T) the features are those of the latest offline
        row with ``event_time <= T`` by (event_time, api_invocation_time, write_time); NULL if
        that row is a delete marker, is older than ``max_age`` seconds, or there is none.
        ``as_of`` keeps only rows written (``write_time``) at or before it. Every label row
        comes back exactly once, in its original order. ``entity_columns`` maps a group to
        the label column holding its record identifier (default: a column of the same name);
        ``features`` picks the features per group (default: all but identifier and event time).
        """
        specs = [self.feature_group_spec(name) for name in feature_groups]
        request = build_request(
            labels,
            specs,
            label_time_column=label_time_column,
            entity_columns=entity_columns or {},
            features=features or {},
            max_age=max_age,
            as_of=as_of,
        )
        return self._point_in_time_join(request)

    def close(self) -> None:
        """Release what the backend holds (files, connections). Idempotent."""

    def __enter__(self) -> FeatureStoreBackend:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()

    # ---------------------------------------------------------------- hooks

    @abc.abstractmethod
    def _create_feature_group(
        self, spec: FeatureGroupSpec, role_arn: str | None, offline_s3_uri: str | None
    ) -> str: ...

    @abc.abstractmethod
    def _describe_feature_group(self, name: str) -> dict[str, Any]: ...

    @abc.abstractmethod
    def _list_feature_groups(self, name_contains: str | None) -> list[dict[str, Any]]: ...

    @abc.abstractmethod
    def _delete_feature_group(self, name: str, keep_offline_data: bool) -> None: ...

    @abc.abstractmethod
    def _update_feature_group(
        self,
        spec: FeatureGroupSpec,
        additions: tuple[FeatureDefinition, ...],
        ttl_changed: bool,
        throughput: ThroughputConfig | None,
    ) -> str:
        """Make the group ``spec`` (its features + ``additions``, its TTL if ``ttl_changed``, its
        throughput after the update ``throughput`` unless None); its ARN."""

    @abc.abstractmethod
    def _add_tags(self, name: str, tags: list[dict[str, str]]) -> list[dict[str, str]]: ...

    @abc.abstractmethod
    def _list_tags(self, name: str) -> list[dict[str, str]]: ...

    @abc.abstractmethod
    def _delete_tags(self, name: str, keys: list[str]) -> None: ...

    @abc.abstractmethod
    def _describe_feature_metadata(self, spec: FeatureGroupSpec, feature_name: str) -> dict[str, Any]: ...

    @abc.abstractmethod
    def _update_feature_metadata(
        self,
        spec: FeatureGroupSpec,
        feature_name: str,
        description: str | None,
        parameter_additions: list[dict[str, str]],
        parameter_removals: list[str],
    ) -> None: ...

    @abc.abstractmethod
    def _feature_group_spec(self, name: str) -> FeatureGroupSpec: ...

    @abc.abstractmethod
    def _data_catalog(self, name: str) -> tuple[str, str] | None:
        """(Glue database, table name) of the group's offline store; None if it has none."""

    @abc.abstractmethod
    def _put_record(
        self,
        spec: FeatureGroupSpec,
        record: dict[str, Any],
        event_seconds: float,
        target_stores: tuple[str, ...],
        ttl: TtlDuration | None,
        exact: ExactTexts,
    ) -> None:
        """Write ``record`` (typed); ``exact`` holds the texts put that its typed values would not
        give back, which reads of the online store return as they were (SAGEMAKER_SPEC §2.3)."""

    @abc.abstractmethod
    def _batch_write_record(self, puts: list[PreparedPut]) -> BatchOutcome:
        """Write validated puts, in order; what was not written, by position in ``puts``."""

    @abc.abstractmethod
    def _list_records(
        self, spec: FeatureGroupSpec, max_results: int | None, next_token: str | None, include_soft_deleted: bool
    ) -> RecordPage: ...

    @abc.abstractmethod
    def _update_record(
        self,
        spec: FeatureGroupSpec,
        record_key: str,
        values: dict[str, Any],
        event_seconds: float | None,
        target_stores: tuple[str, ...],
        ttl: TtlDuration | None,
        exact: ExactTexts,
    ) -> None:
        """Apply validated ``values`` (typed; ``exact`` as for :meth:`_put_record`) to the record
        ``record_key``; ``event_seconds`` None keeps the record's event time; ``ttl`` comes with an
        event time."""

    @abc.abstractmethod
    def _get_record(
        self, spec: FeatureGroupSpec, record_key: str, feature_names: list[str] | None
    ) -> dict[str, Any] | None: ...

    @abc.abstractmethod
    def _batch_get_record(
        self, spec: FeatureGroupSpec, record_keys: list[str], feature_names: list[str] | None
    ) -> dict[str, dict[str, Any]]: ...

    @abc.abstractmethod
    def _delete_record(
        self,
        spec: FeatureGroupSpec,
        record_key: str,
        event_time: Any,
        event_time_seconds: float,
        deletion_mode: str,
        target_stores: tuple[str, ...],
    ) -> None: ...

    @abc.abstractmethod
    def _ingest(
        self,
        spec: FeatureGroupSpec,
        frame: pd.DataFrame,
        event_seconds: np.ndarray,
        progress: ProgressCallback | None,
    ) -> int: ...

    @abc.abstractmethod
    def _offline_files(self, location: str) -> list[OfflineFile]:
        """The Parquet files under the S3 folder ``location``, in key order."""

    @abc.abstractmethod
    def _query(self, sql: str, handle: QueryHandle) -> pd.DataFrame: ...

    @abc.abstractmethod
    def _point_in_time_join(self, request: PointInTimeRequest) -> pd.DataFrame: ...

