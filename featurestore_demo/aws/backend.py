"""The AWS backend: the kit's interface over boto3 (SageMaker, featurestore-runtime, Athena, S3, Glue).

A thin adapter: each hook shapes the parameters, makes one call and lets
:func:`featurestore_demo.aws.calls.call` map errors. Clients come from an injected or new
boto3 Session, with standard retries; an ``endpoint_url`` (or boto3's own
``AWS_ENDPOINT_URL``) points them at the emulator. Nothing is read at import time.
"""

from __future__ import annotations

import csv
import io
import threading
import uuid
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import boto3
import numpy as np
import pandas as pd
import pyarrow as pa
from botocore.config import Config

from featurestore_demo.aws.athena import AthenaRunner
from featurestore_demo.aws.calls import call
from featurestore_demo.backend import BatchOutcome, FeatureStoreBackend, OfflineFile, PreparedPut, ProgressCallback
from featurestore_demo.config import Settings
from featurestore_demo.errors import FeatureStoreError, ValidationException, from_aws_code
from featurestore_demo.point_in_time import PointInTimeRequest, point_in_time_sql
from featurestore_demo.query_handle import QueryHandle
from featurestore_demo.rules.values import ExactTexts, is_missing
from featurestore_demo.runtime_types import RecordPage
from featurestore_demo.schemas import FeatureDefinition, FeatureGroupSpec, ThroughputConfig, TtlDuration, data_catalog
from featurestore_demo.sql import DEFAULT_DATABASE
from featurestore_demo.wire_format import from_wire_record, to_wire_record, value_as_string

__all__ = ["AwsBackend"]

LABELS_SERDE = "org.apache.hadoop.hive.serde2.OpenCSVSerde"
BATCH_ATTEMPTS = 3


class AwsBackend(FeatureStoreBackend):
    """SageMaker Feature Store on AWS (or on the emulator, through ``endpoint_url``).

    ``role_arn`` and ``s3_uri`` default to FEATURESTORE_ROLE_ARN / FEATURESTORE_S3_URI; the
    offline store and Athena's results live under ``s3_uri``. Each call makes at most
    ``max_attempts`` attempts, the first included: botocore's standard retries repeat throttled
    and transient failures (5xx, timeouts) with exponential back-off. Specs are cached per group
    (a group changed by another process is seen after this backend re-creates, updates or
    deletes it); deleting a group's offline data uses its last description here, if any.
    """

    name = "aws"

    def __init__(
        self,
        *,
        settings: Settings | None = None,
        session: boto3.Session | None = None,
        endpoint_url: str | None = None,
        role_arn: str | None = None,
        s3_uri: str | None = None,
        max_attempts: int = 5,
        ingest_workers: int = 8,
        query_timeout: float = 600.0,
    ) -> None:
        self.settings = settings or Settings.from_env("aws")
        self.role_arn = role_arn or self.settings.role_arn
        self.s3_uri = (s3_uri or self.settings.s3_uri or "").rstrip("/") or None
        self.ingest_workers = ingest_workers
        session = session or boto3.Session()
        if session.region_name is None:
            raise ValidationException("No AWS region: set AWS_DEFAULT_REGION (or a region in your AWS profile).")
        config = Config(retries={"mode": "standard", "total_max_attempts": max_attempts},
                        max_pool_connections=max(10, 2 * ingest_workers))
        clients = {name: session.client(name, endpoint_url=endpoint_url, config=config)
                   for name in ("sagemaker", "sagemaker-featurestore-runtime", "athena", "s3", "glue")}
        self._sm, self._runtime = clients["sagemaker"], clients["sagemaker-featurestore-runtime"]
        self._s3, self._glue = clients["s3"], clients["glue"]
        results = f"{self.s3_uri}/athena-results/" if self.s3_uri else None
        self._athena = AthenaRunner(clients["athena"], results, timeout=query_timeout)
        self._specs: dict[str, FeatureGroupSpec] = {}
        self._descriptions: dict[str, dict[str, Any]] = {}
        self._lock = threading.Lock()

    # ---------------------------------------------------------------- control plane

    def _create_feature_group(self, spec: FeatureGroupSpec, role_arn: str | None, offline_s3_uri: str | None) -> str:
        role, s3_uri = role_arn or self.role_arn, offline_s3_uri or self.s3_uri
        if spec.offline_store and not (role and s3_uri):
            raise ValidationException(
                f"Feature group '{spec.name}' has an offline store: it needs FEATURESTORE_ROLE_ARN (a role "
                "SageMaker can assume) and FEATURESTORE_S3_URI (s3://bucket/prefix)."
            )
        arn = call(self._sm.create_feature_group, **spec.to_create_request(role_arn=role, s3_uri=s3_uri))
        with self._lock:
            self._specs[spec.name] = spec
            self._descriptions.pop(spec.name, None)
        return arn["FeatureGroupArn"]

    def _describe_feature_group(self, name: str) -> dict[str, Any]:
        response = call(self._sm.describe_feature_group, FeatureGroupName=name)
        response.pop("ResponseMetadata", None)
        with self._lock:
            self._descriptions[name] = response
        return response

    def _description(self, name: str) -> dict[str, Any]:
        """The group's last description here (its offline store never changes), else a new one."""
        with self._lock:
            description = self._descriptions.get(name)
        return description or self._describe_feature_group(name)

    def _list_feature_groups(self, name_contains: str | None) -> list[dict[str, Any]]:
        params: dict[str, Any] = {"SortBy": "Name", "SortOrder": "Ascending"}
        if name_contains:
            params["NameContains"] = name_contains
        pages = self._sm.get_paginator("list_feature_groups").paginate(**params)
        return call(lambda: [summary for page in pages for summary in page["FeatureGroupSummaries"]])

    def _delete_feature_group(self, name: str, keep_offline_data: bool) -> None:
        offline = None if keep_offline_data else self._description(name).get("OfflineStoreConfig")
        with self._lock:
            self._specs.pop(name, None)
            self._descriptions.pop(name, None)
        call(self._sm.delete_feature_group, FeatureGroupName=name)
        if offline is not None:
            self._remove_offline_data(offline)

    def _remove_offline_data(self, offline: dict[str, Any]) -> None:
        """Drop the Glue table SageMaker made (not one brought with DisableGlueTableCreation) and the S3 objects."""
        catalog = offline.get("DataCatalogConfig")
        if catalog and not offline.get("DisableGlueTableCreation"):
            try:
                call(self._glue.delete_table, DatabaseName=catalog["Database"], Name=catalog["TableName"])
            except FeatureStoreError as error:
                if error.code != "EntityNotFoundException":
                    raise
        resolved = offline.get("S3StorageConfig", {}).get("ResolvedOutputS3Uri")
        if resolved:
            self._delete_prefix(resolved)

    def _objects_under(self, uri: str) -> tuple[str, list[dict[str, Any]]]:
        """(bucket, the objects ``list_objects_v2`` lists under the folder ``uri``); none if the
        bucket itself is gone."""
        bucket, _, prefix = uri.removeprefix("s3://").partition("/")
        pages = self._s3.get_paginator("list_objects_v2").paginate(Bucket=bucket, Prefix=prefix.rstrip("/") + "/")
        try:
            listed = call(lambda: list(pages))
        except FeatureStoreError as error:
            if error.code == "NoSuchBucket":
                return bucket, []
            raise
        return bucket, [item for page in listed for item in page.get("Contents", [])]

    def _delete_prefix(self, uri: str) -> None:
        """Delete every object under ``uri``, a thousand (delete_objects' most) a call."""
        bucket, objects = self._objects_under(uri)
        for start in range(0, len(objects), 1000):
            keys = [{"Key": item["Key"]} for item in objects[start:start + 1000]]
            call(self._s3.delete_objects, Bucket=bucket, Delete={"Objects": keys, "Quiet": True})

    def _offline_files(self, location: str) -> list[OfflineFile]:
        """Lists the objects, then reads each Parquet file's footer for its row count."""
        import pyarrow.parquet as pq  # only here: listing files is the one use of pyarrow on AWS

        bucket, objects = self._objects_under(location)
        files = []
        for item in objects:
            if item["Key"].endswith(".parquet"):
                body = call(self._s3.get_object, Bucket=bucket, Key=item["Key"])["Body"].read()
                rows = pq.read_metadata(io.BytesIO(body)).num_rows
                files.append(OfflineFile(f"s3://{bucket}/{item['Key']}", item["Size"], rows))
        return files

    def _update_feature_group(
        self,
        spec: FeatureGroupSpec,
        additions: tuple[FeatureDefinition, ...],
        ttl_changed: bool,
        throughput: ThroughputConfig | None,
    ) -> str:
        params: dict[str, Any] = {"FeatureGroupName": spec.name}
        if additions:
            params["FeatureAdditions"] = [feature.to_aws() for feature in additions]
        if ttl_changed:  # an empty TtlDuration removes the default TTL
            params["OnlineStoreConfig"] = {"TtlDuration": spec.ttl.to_aws() if spec.ttl else {}}
        if throughput is not None:
            params["ThroughputConfig"] = throughput.to_aws()
        with self._lock:
            self._specs.pop(spec.name, None)  # described again once the update has been applied
        return call(self._sm.update_feature_group, **params)["FeatureGroupArn"]

    def _arn(self, name: str) -> str:
        return str(self._describe_feature_group(name)["FeatureGroupArn"])

    def _add_tags(self, name: str, tags: list[dict[str, str]]) -> list[dict[str, str]]:
        return list(call(self._sm.add_tags, ResourceArn=self._arn(name), Tags=tags).get("Tags", []))

    def _list_tags(self, name: str) -> list[dict[str, str]]:
        pages = self._sm.get_paginator("list_tags").paginate(ResourceArn=self._arn(name))
        return [tag for page in call(lambda: list(pages)) for tag in page.get("Tags", [])]

    def _delete_tags(self, name: str, keys: list[str]) -> None:
        call(self._sm.delete_tags, ResourceArn=self._arn(name), TagKeys=keys)

    def _describe_feature_metadata(self, spec: FeatureGroupSpec, feature_name: str) -> dict[str, Any]:
        response = call(self._sm.describe_feature_metadata, FeatureGroupName=spec.name, FeatureName=feature_name)
        response.pop("ResponseMetadata", None)
        return response

    def _update_feature_metadata(
        self,
        spec: FeatureGroupSpec,
        feature_name: str,
        description: str | None,
        parameter_additions: list[dict[str, str]],
        parameter_removals: list[str],
    ) -> None:
        params: dict[str, Any] = {"FeatureGroupName": spec.name, "FeatureName": feature_name}
        if description is not None:
            params["Description"] = description
        if parameter_additions:
            params["ParameterAdditions"] = parameter_additions
        if parameter_removals:
            params["ParameterRemovals"] = parameter_removals
        call(self._sm.update_feature_metadata, **params)

    def _feature_group_spec(self, name: str) -> FeatureGroupSpec:
        with self._lock:
            spec = self._specs.get(name)
        if spec is None:
            spec = FeatureGroupSpec.from_aws(self._describe_feature_group(name))
            with self._lock:
                self._specs[name] = spec
        return spec

    def _data_catalog(self, name: str) -> tuple[str, str] | None:
        return data_catalog(self._describe_feature_group(name))

    # ---------------------------------------------------------------- runtime

    def _put_record(
        self,
        spec: FeatureGroupSpec,
        record: dict[str, Any],
        event_seconds: float,
        target_stores: tuple[str, ...],
        ttl: TtlDuration | None,
        exact: ExactTexts,
    ) -> None:
        """PutRecord, with the texts given in ``exact`` sent as they were; the service reads the
        event time from the record (``event_seconds`` is unused)."""
        params: dict[str, Any] = {"FeatureGroupName": spec.name, "Record": to_wire_record({**record, **exact})}
        if target_stores:
            params["TargetStores"] = list(target_stores)
        if ttl is not None:
            params["TtlDuration"] = ttl.to_aws()
        call(self._runtime.put_record, **params)

    def _get_record(
        self, spec: FeatureGroupSpec, record_key: str, feature_names: list[str] | None
    ) -> dict[str, Any] | None:
        params: dict[str, Any] = {"FeatureGroupName": spec.name, "RecordIdentifierValueAsString": record_key}
        if feature_names:
            params["FeatureNames"] = feature_names
        items = call(self._runtime.get_record, **params).get("Record")
        return from_wire_record(spec, items) if items else None

    def _batch_get_record(
        self, spec: FeatureGroupSpec, record_keys: list[str], feature_names: list[str] | None
    ) -> dict[str, dict[str, Any]]:
        identifier: dict[str, Any] = {"FeatureGroupName": spec.name, "RecordIdentifiersValueAsString": record_keys}
        if feature_names:
            identifier["FeatureNames"] = feature_names
        found: dict[str, dict[str, Any]] = {}
        identifiers = [identifier]
        for _ in range(BATCH_ATTEMPTS):
            response = call(self._runtime.batch_get_record, Identifiers=identifiers)
            if response["Errors"]:
                first = response["Errors"][0]
                raise from_aws_code(first["ErrorCode"], first["ErrorMessage"])
            for item in response["Records"]:
                found[item["RecordIdentifierValueAsString"]] = from_wire_record(spec, item["Record"])
            identifiers = response.get("UnprocessedIdentifiers") or []
            if not identifiers:
                return found
        raise FeatureStoreError(f"BatchGetRecord left identifiers unprocessed after {BATCH_ATTEMPTS} attempts.")

    def _batch_write_record(self, puts: list[PreparedPut]) -> BatchOutcome:
        """BatchWriteRecord of every put (at most 25: the interface's bound), then again of the
        UnprocessedEntries, up to BATCH_ATTEMPTS calls; errors map back to puts by their echoed Entry."""
        entries = [_write_entry(put) for put in puts]
        failed: dict[int, FeatureStoreError] = {}
        pending = list(range(len(puts)))
        for _ in range(BATCH_ATTEMPTS):
            response = call(self._runtime.batch_write_record, Entries=[entries[i] for i in pending])
            errors = response["Errors"]
            positions = _positions(entries, pending, [item["Entry"] for item in errors])
            failed.update((position, from_aws_code(item["ErrorCode"], item["ErrorMessage"]))
                          for position, item in zip(positions, errors))
            pending = _positions(entries, pending, response.get("UnprocessedEntries") or [])
            if not pending:
                break
        return BatchOutcome(failed, pending)

    def _list_records(
        self, spec: FeatureGroupSpec, max_results: int | None, next_token: str | None, include_soft_deleted: bool
    ) -> RecordPage:
        params: dict[str, Any] = {"FeatureGroupName": spec.name, "IncludeSoftDeletedRecords": include_soft_deleted}
        if max_results is not None:
            params["MaxResults"] = max_results
        if next_token is not None:
            params["NextToken"] = next_token
        response = call(self._runtime.list_records, **params)
        return RecordPage(list(response["RecordIdentifiers"]), response.get("NextToken") or None)

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
        """UpdateRecord, texts of ``exact`` as given; the service reads the event time from the
        features (``event_seconds`` is unused)."""
        params: dict[str, Any] = {"FeatureGroupName": spec.name, "RecordIdentifierValueAsString": record_key,
                                  "Features": to_wire_record({**values, **exact}),
                                  "TargetStores": list(target_stores)}
        if ttl is not None:
            params["TtlDuration"] = ttl.to_aws()
        call(self._runtime.update_record, **params)

    def _delete_record(
        self, spec: FeatureGroupSpec, record_key: str, event_time: Any, event_time_seconds: float,
        deletion_mode: str, target_stores: tuple[str, ...],
    ) -> None:
        call(
            self._runtime.delete_record,
            FeatureGroupName=spec.name,
            RecordIdentifierValueAsString=record_key,
            EventTime=value_as_string(event_time),
            TargetStores=list(target_stores),
            DeletionMode=deletion_mode,
        )

    def _ingest(
        self, spec: FeatureGroupSpec, frame: pd.DataFrame, event_seconds: np.ndarray, progress: ProgressCallback | None
    ) -> int:
        """PutRecord per row on a small thread pool.

        Rows of one record identifier go through one worker, in frame order, so the online
        winner is the same as with sequential puts. If rows fail, the others are still written
        and the error names how many failed and the first failure.
        """
        records = _frame_records(frame)
        lanes: list[list[tuple[int, dict[str, Any], float]]] = [[] for _ in range(self.ingest_workers)]
        for index, (record, seconds) in enumerate(zip(records, event_seconds.tolist())):
            lanes[hash(str(record[spec.record_identifier_name])) % len(lanes)].append((index, record, seconds))
        tracker = _Progress(len(records), progress)
        with ThreadPoolExecutor(self.ingest_workers, thread_name_prefix="ingest") as pool:
            for lane in lanes:
                pool.submit(self._put_lane, spec, lane, tracker)
        tracker.raise_failures()
        return len(records)

    def _put_lane(
        self, spec: FeatureGroupSpec, lane: list[tuple[int, dict[str, Any], float]], tracker: _Progress
    ) -> None:
        for index, record, seconds in lane:
            try:
                self._put_record(spec, record, seconds, (), None, {})
            except FeatureStoreError as error:
                tracker.fail(index, error)
            tracker.advance()

    # ---------------------------------------------------------------- offline store

    def _query(self, sql: str, handle: QueryHandle) -> pd.DataFrame:
        return self._athena.run(sql, handle)

    def _point_in_time_join(self, request: PointInTimeRequest) -> pd.DataFrame:
        """Upload the labels as CSV, register them as an external table, run the PIT SQL, drop the table."""
        if not self.s3_uri:
            raise ValidationException("point_in_time_join uploads the labels to S3: set FEATURESTORE_S3_URI.")
        labels = request.labels_table()
        token = uuid.uuid4().hex
        table = f"{DEFAULT_DATABASE}.`featurestore_demo_labels_{token}`"
        location = f"{self.s3_uri}/point-in-time/{token}/"
        bucket, _, prefix = location.removeprefix("s3://").partition("/")
        call(self._s3.put_object, Bucket=bucket, Key=f"{prefix}labels.csv", Body=_csv_bytes(labels))
        try:
            self._athena.execute(_create_table_sql(table, labels, location))
            try:
                sql = point_in_time_sql(
                    request, f'{DEFAULT_DATABASE}."featurestore_demo_labels_{token}"', self.offline_table
                )
                result = self._athena.run(sql)
            finally:
                self._athena.execute(f"DROP TABLE IF EXISTS {table}")
        finally:
            self._delete_prefix(location)
        return request.attach(pa.Table.from_pandas(result, preserve_index=False))


class _Progress:
    """Rows done and failed across ingest workers; reports ``progress(done, total)`` one call at a time."""

    def __init__(self, total: int, callback: ProgressCallback | None) -> None:
        self.total, self.callback, self.done = total, callback, 0
        self.failures: list[tuple[int, FeatureStoreError]] = []
        self._lock = threading.Lock()

    def advance(self) -> None:
        with self._lock:
            self.done += 1
            if self.callback is not None:
                self.callback(self.done, self.total)

    def fail(self, index: int, error: FeatureStoreError) -> None:
        with self._lock:
            self.failures.append((index, error))

    def raise_failures(self) -> None:
        if self.failures:
            index, first = min(self.failures, key=lambda failure: failure[0])
            raise from_aws_code(
                first.code, f"{len(self.failures)} of {self.total} rows failed; the first (row {index}): {first}"
            )


def _write_entry(put: PreparedPut) -> dict[str, Any]:
    """One BatchWriteRecord Entry of a validated put."""
    entry: dict[str, Any] = {"FeatureGroupName": put.spec.name, "Record": to_wire_record({**put.record, **put.exact}),
                             "TargetStores": list(put.target_stores)}
    if put.ttl is not None:
        entry["TtlDuration"] = put.ttl.to_aws()
    return entry


def _positions(entries: list[dict[str, Any]], pending: list[int], echoed: list[dict[str, Any]]) -> list[int]:
    """The positions of the sent entries a response echoes (Errors[].Entry, UnprocessedEntries),
    each sent entry matched once."""
    unmatched, positions = list(pending), []
    for item in echoed:
        position = next((p for p in unmatched if entries[p] == item), None)
        if position is None:
            raise FeatureStoreError(f"BatchWriteRecord answered about an entry it was not sent: {str(item)[:200]}")
        unmatched.remove(position)
        positions.append(position)
    return positions


def _frame_records(frame: pd.DataFrame) -> list[dict[str, Any]]:
    """The rows of a validated frame as records, absent values left out."""
    columns = [str(column) for column in frame.columns]
    return [
        {name: value for name, value in zip(columns, row) if not (value is pd.NA or is_missing(value))}
        for row in frame.itertuples(index=False, name=None)
    ]


def _csv_bytes(frame: pd.DataFrame) -> bytes:
    """The frame as header-less CSV with every value quoted (what OpenCSVSerde reads)."""
    text = io.StringIO()
    frame.to_csv(text, header=False, index=False, quoting=csv.QUOTE_ALL)
    return text.getvalue().encode()


def _create_table_sql(table: str, frame: pd.DataFrame, location: str) -> str:
    columns = ", ".join(f"`{name}` {_hive_type(frame[name].dtype)}" for name in frame.columns)
    return (f"CREATE EXTERNAL TABLE {table} ({columns}) ROW FORMAT SERDE '{LABELS_SERDE}' "
            f"LOCATION '{location}'")


def _hive_type(dtype: Any) -> str:
    if pd.api.types.is_integer_dtype(dtype):
        return "bigint"
    if pd.api.types.is_float_dtype(dtype):
        return "double"
    return "string"
