"""The local backend: a dict online store and a Parquet offline store, persisted on disk.

State lives in ``FEATURESTORE_HOME`` (default ``.featurestore/``):

- ``s3/<bucket>/<key>``: the offline store, Parquet files in SageMaker's S3 layout under each
  group's ``ResolvedOutputS3Uri`` (:mod:`local_backend.offline_store`);
- ``offline.duckdb``: the catalog (descriptions), the write log the online store is rebuilt
  from (:mod:`local_backend.write_log`), and the offline store's index for Athena SQL;
- ``journal.jsonl``: the writes acknowledged but not yet moved into those.

The online store is rebuilt from the write log when the store opens, so separate processes can
run the demo's steps one after another. One process holds a store at a time (DuckDB's file
lock); a second gets ResourceInUse naming the holder.

Durability (``durability=`` or ``FEATURESTORE_DURABILITY``): when put_record or delete_record
returns, the write is whole in the journal and survives the process crashing ("process", the
default) or, with "fsync", power loss too. A write the disk refuses raises ServiceUnavailable
and leaves nothing behind. Moving journaled writes into DuckDB never fails a write that was
already acknowledged: the rows stay pending (and journaled) and the next flush retries them;
an explicit flush (query, close, ...) raises. A damaged journal is recovered around its damage
(local_backend.journal), so the store still opens.

The offline store is written when the journal is flushed, so ``write_time`` is the receipt
time; ``offline_delay`` (or ``FEATURESTORE_OFFLINE_DELAY``) seconds hold offline writes back
as AWS's buffering does (up to 15 minutes there), and ``write_time`` then shows the delay.
Departures from AWS, on purpose: ``api_invocation_time`` has
microsecond precision and strictly increases, so equal event times are ordered by arrival;
feature-group names that differ only in case clash (ResourceInUse), as their tables would.
"""

from __future__ import annotations

import gc
import logging
import os
import threading
import time
from collections.abc import Callable, Collection, Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import duckdb
import numpy as np
import pandas as pd
import pyarrow.parquet as pq

from featurestore_demo.backend import BatchOutcome, FeatureStoreBackend, OfflineFile, PreparedPut, ProgressCallback
from featurestore_demo.config import Settings, checked_durability, checked_offline_delay
from featurestore_demo.errors import (
    ConflictException,
    FeatureStoreError,
    ResourceInUse,
    ResourceNotFound,
    ServiceUnavailable,
    ValidationException,
)
from featurestore_demo.point_in_time import PointInTimeRequest, point_in_time_sql
from featurestore_demo.query_handle import QueryHandle
from featurestore_demo.rules.online import (
    DeleteOutcome,
    OnlineEntry,
    UpdateOutcome,
    expires_at,
    latest_puts,
    update_outcome,
    updated_expiry,
)
from featurestore_demo.rules.tags import merged_tags
from featurestore_demo.rules.values import ExactTexts, collection_texts, normalize_record, parse_value, value_text
from featurestore_demo.runtime_types import RecordPage
from featurestore_demo.schemas import FeatureDefinition, FeatureGroupSpec, ThroughputConfig, TtlDuration, data_catalog
from local_backend.asof_join import asof_join_sql
from local_backend.catalog import TAGS_KEY, describe_response, list_summaries, new_description, table_of
from local_backend.database import DATABASE, Database, failed_write
from local_backend.history import consecutive_puts, journal_writes, log_frame, offline_frame, stored_features
from local_backend.iceberg_tables import IcebergTables
from local_backend.journal import Journal, Write
from local_backend.offline_store import OfflineRows, ParquetOfflineStore
from local_backend.online_reads import WireRecord, record_page
from local_backend.online_store import OnlineStore
from local_backend.online_values import as_record, frame_entries, history_entries, opened_entries, with_texts
from local_backend.parquet_layout import OfflineFolder, parquet_files, s3_path
from local_backend.running_query import DEFAULT_QUERY_TIMEOUT
from local_backend.updates import apply_metadata, apply_update, metadata_response
from local_backend.write_log import WriteLog

__all__ = ["LocalBackend"]

FLUSH_ROWS = 5_000
INGEST_CHUNK = 50_000
_MICROS = 1_000_000
POINT_IN_TIME_METHODS = ("asof", "sql")
logger = logging.getLogger(__name__)


class LocalBackend(FeatureStoreBackend):
    """SageMaker Feature Store semantics on this machine, with no AWS account.

    ``clock`` returns epoch seconds (inject one to test TTLs); ``equal_overwrites`` picks the
    rule for equal event times (SAGEMAKER_SPEC §3.1); ``lifecycle_seconds`` keeps a new group
    in ``Creating`` that long, so polling code runs as it would on AWS;
    ``point_in_time_method`` picks how point_in_time_join runs ("asof" or "sql");
    ``query_timeout`` is how long one query may run, in seconds (Athena's default: 30 min).
    ``durability`` what a returned write survives ("process" or "fsync", see the module
    docstring; default FEATURESTORE_DURABILITY, else "process"). ``offline_delay`` holds
    offline writes back that many seconds (default FEATURESTORE_OFFLINE_DELAY, else 0).
    ``region`` is the one its ARNs and offline-store locations name; ``s3_root`` (see
    :attr:`s3_root`) lets the stores of several regions share one S3.
    """

    name = "local"

    def __init__(
        self,
        home: str | os.PathLike[str] | None = None,
        *,
        clock: Callable[[], float] = time.time,
        equal_overwrites: bool = True,
        lifecycle_seconds: float = 0.0,
        region: str = "us-east-1",
        account_id: str = "123456789012",
        point_in_time_method: str = "asof",
        query_timeout: float = DEFAULT_QUERY_TIMEOUT,
        durability: str | None = None,
        offline_delay: float | None = None,
        s3_root: str | os.PathLike[str] | None = None,
    ) -> None:
        if point_in_time_method not in POINT_IN_TIME_METHODS:
            raise ValidationException(
                f"point_in_time_method must be one of {', '.join(POINT_IN_TIME_METHODS)}, "
                f"not {point_in_time_method!r}."
            )
        self.point_in_time_method = point_in_time_method
        self.query_timeout = query_timeout
        settings = Settings.from_env("local")
        self.durability = checked_durability(durability or settings.durability)
        self.home = Path(home or settings.home)
        self.home.mkdir(parents=True, exist_ok=True)
        self._s3_root = Path(s3_root) if s3_root is not None else self.home / "s3"
        self.clock = clock
        self.lifecycle_seconds = lifecycle_seconds
        self.region, self.account_id = region, account_id
        self.offline_delay = checked_offline_delay(settings.offline_delay if offline_delay is None else offline_delay)
        self._lock = threading.RLock()
        self._db = Database(self.home / "offline.duckdb", self.s3_root)
        self._log = WriteLog(self._db)
        self._offline = ParquetOfflineStore(self._db, self.s3_root, self.home / "staging", delay=self.offline_delay,
                                            iceberg=IcebergTables(self.home / "iceberg.db", self.s3_root))
        self._online = OnlineStore(equal_overwrites)
        self._journal = Journal(self.home / "journal.jsonl", fsync=self.durability == "fsync")
        self._pending: dict[str, list[Write]] = {}
        self._catalog = self._db.load_catalog()
        self._specs = {name: FeatureGroupSpec.from_aws(d) for name, d in self._catalog.items()}
        for name, description in self._catalog.items():
            if folder := _offline_folder(description):
                self._offline.register(self._specs[name], folder)
        self._seq, self._last_ait_us = self._db.watermarks()
        self._offline.recover()
        self._recover()
        self._exporter = _Exporter(self) if self.offline_delay > 0 else None

    @property
    def s3_root(self) -> Path:
        """Where ``s3://bucket/key`` of the offline store is the file ``<s3_root>/bucket/key``
        (``<home>/s3`` unless ``s3_root`` was given: stores of several regions share one S3)."""
        return self._s3_root

    # ---------------------------------------------------------------- lifecycle

    def _recover(self) -> None:
        """Move journal entries the offline store lacks into it, then rebuild the online store.

        Damaged journal bytes are set aside with a warning (Journal.recover). The cyclic garbage
        collector is paused meanwhile: the entries of a long history would otherwise trigger
        full scans of a heap that only grows. The opened entries are indexed on a thread.
        """
        stored = self._seq
        for entry in self._journal.recover():
            if entry.seq > stored and entry.group in self._specs:
                self._pending.setdefault(entry.group, []).append(entry)
                self._seq = max(self._seq, entry.seq)
        self.flush()
        with _gc_paused():
            for spec in self._specs.values():
                self._online.add_group(spec.name)
                self._replay(spec)
        self._online.index_in_background()

    def _replay(self, spec: FeatureGroupSpec) -> None:
        """Rebuild a group's online store from its history, as the rules decided it then."""
        opened, exact = opened_entries(spec, self._log.online_winners(spec, self._online.equal_overwrites))
        self._online.open_with(spec.name, opened)
        for key, entry in exact:
            self._online.replace(spec.name, key, entry)
        for op, key, entry, now in history_entries(spec, self._log.online_history(spec)):
            if op == "put":
                self._online.put(spec.name, key, entry, now)
            else:
                self._online.delete(spec.name, key, entry.event_time, now, op)

    def flush(self) -> None:
        """Move the journal's writes into the write log and the offline store, empty the journal,
        and write out the delayed offline writes that are due.

        Raises ServiceUnavailable if the store cannot be written; the writes then stay pending
        and journaled, so nothing is lost and a later flush moves them.
        """
        with self._lock:
            if self._pending:
                logs, offline = {}, []
                for group, entries in self._pending.items():
                    spec = self._specs[group]
                    features, writes = journal_writes(spec, entries)
                    logs[group] = log_frame(features, writes)
                    offline.append(OfflineRows(spec, offline_frame(features, writes),
                                               writes.event_seconds[writes.offline]))
                self._store(logs, offline)
                self._pending.clear()
            self._journal.clear()
            if self.offline_delay > 0:
                self._offline.export_due(self.clock())

    def _store(self, logs: dict[str, pd.DataFrame], offline: list[OfflineRows]) -> None:
        """Store a batch of writes, up to ``self._seq``, in the write log and the offline store at
        once, then have the offline store write their files; ServiceUnavailable, with nothing
        stored, if the disk refuses."""
        try:
            with self._db.transaction():
                for group, rows in logs.items():
                    self._log.append(group, rows)
                self._offline.append(offline)
                self._db.set_stored(self._seq, self._last_ait_us)
        except (duckdb.IOException, duckdb.TransactionException) as exc:  # a failed write, or commit
            raise failed_write(self._db.path, exc) from exc
        self._offline.write_out(offline)

    def write_out_offline(self, groups: Collection[str] | None = None) -> None:
        """Flush, and return once the offline store's files hold every acknowledged offline write
        (of ``groups`` only, if given; but those ``offline_delay`` still holds back).
        ServiceUnavailable if they cannot be written."""
        with self._lock:
            self.flush()
            self._offline.wait(groups)

    def close(self) -> None:
        """Flush and release the store's files. Idempotent. Delayed offline writes that are not
        due yet stay buffered, and are written out once due after the store is opened again."""
        if self._exporter is not None:
            self._exporter.stop()
        self._online.stop_indexing()
        with self._lock:
            if self._db is None:
                return
            self.flush()
            try:
                self._offline.wait()
            except ServiceUnavailable as error:  # the rows are stored: the next opening writes their files
                logger.warning("%s", error)
            self._offline.close()
            self._journal.close()
            self._db.close()
            self._db = None  # type: ignore[assignment]

    # ---------------------------------------------------------------- control plane

    def _create_feature_group(
        self, spec: FeatureGroupSpec, role_arn: str | None, offline_s3_uri: str | None
    ) -> str:
        with self._lock:
            taken = next((name for name in self._specs if name.lower() == spec.name.lower()), None)
            if taken is not None:  # DuckDB and Athena table names ignore case
                raise ResourceInUse(
                    f"Resource Already Exists: FeatureGroup with name {taken} already exists. "
                    "Choose a different name."
                    + ("" if taken == spec.name else " (The local backend compares names ignoring case.)")
                )
            created = self.clock()
            description = new_description(
                spec, created, self.region, self.account_id, role_arn=role_arn, s3_uri=offline_s3_uri
            )
            table = table_of(description)
            if table and self._db.relation_exists(DATABASE, table):
                raise ResourceInUse(
                    f"Table {DATABASE}.{table} already exists: a deleted group kept its offline data there "
                    "(keep_offline_data=True), or Athena created it. Drop it, or create the group a second later."
                )
            with self._db.transaction():
                self._log.create(spec)
                self._offline.add_group(spec, _offline_folder(description), table)
                self._db.add_description(spec.name, description)
            self._catalog[spec.name] = description
            self._specs[spec.name] = spec
            self._online.add_group(spec.name)
            return description["FeatureGroupArn"]

    def _describe_feature_group(self, name: str) -> dict[str, Any]:
        with self._lock:
            return describe_response(self._stored(name), self.clock(), self.lifecycle_seconds)

    def _list_feature_groups(self, name_contains: str | None) -> list[dict[str, Any]]:
        with self._lock:
            return list_summaries(self._catalog.values(), name_contains, self.clock(), self.lifecycle_seconds)

    def _delete_feature_group(self, name: str, keep_offline_data: bool) -> None:
        """Kept offline data is a plain table of the Athena catalog from then on (DROP TABLE removes it)."""
        with self._lock:
            description = self._stored(name)
            self.write_out_offline([name])  # the other groups' files go on being written
            with self._db.transaction():
                self._log.drop(name)
                self._offline.drop(name, table_of(description), keep=keep_offline_data)
                self._db.remove_description(name)
            self._online.drop_group(name)
            del self._catalog[name], self._specs[name]

    def _update_feature_group(
        self,
        spec: FeatureGroupSpec,
        additions: tuple[FeatureDefinition, ...],
        ttl_changed: bool,
        throughput: ThroughputConfig | None,
    ) -> str:
        with self._lock:
            description = self._stored(spec.name)
            apply_update(description, spec, additions, self.clock())
            self.write_out_offline()
            with self._db.transaction():
                if additions:
                    added = tuple(f.name for f in additions)
                    self._log.add_features(spec, added)
                    self._offline.add_features(spec, table_of(description), added)
                self._db.update_description(spec.name, description)
            self._specs[spec.name] = spec
            return description["FeatureGroupArn"]

    def _add_tags(self, name: str, tags: list[dict[str, str]]) -> list[dict[str, str]]:
        with self._lock:
            stored = self._stored(name)
            stored[TAGS_KEY] = merged_tags(stored.get(TAGS_KEY, []), tags)
            self._db.update_description(name, stored)
            return [dict(tag) for tag in stored[TAGS_KEY]]

    def _list_tags(self, name: str) -> list[dict[str, str]]:
        with self._lock:
            return [dict(tag) for tag in self._stored(name).get(TAGS_KEY, [])]

    def _delete_tags(self, name: str, keys: list[str]) -> None:
        with self._lock:
            stored = self._stored(name)
            stored[TAGS_KEY] = [tag for tag in stored.get(TAGS_KEY, []) if tag["Key"] not in keys]
            self._db.update_description(name, stored)

    def searchable_groups(self) -> list[tuple[dict[str, Any], list[dict[str, Any]]]]:
        """(DescribeFeatureGroup response with its ``Tags``, DescribeFeatureMetadata of each feature)
        of every group, taken at one instant: what the emulator's Search looks through."""
        with self._lock:
            now = self.clock()
            return [
                ({**describe_response(stored, now, self.lifecycle_seconds), TAGS_KEY: stored.get(TAGS_KEY, [])},
                 [metadata_response(stored, self._specs[name], feature) for feature in self._specs[name].feature_names])
                for name, stored in self._catalog.items()
            ]

    def _describe_feature_metadata(self, spec: FeatureGroupSpec, feature_name: str) -> dict[str, Any]:
        with self._lock:
            return metadata_response(self._stored(spec.name), spec, feature_name)

    def _update_feature_metadata(
        self,
        spec: FeatureGroupSpec,
        feature_name: str,
        description: str | None,
        parameter_additions: list[dict[str, str]],
        parameter_removals: list[str],
    ) -> None:
        with self._lock:
            stored = self._stored(spec.name)
            apply_metadata(stored, feature_name, description, parameter_additions, parameter_removals, self.clock())
            self._db.update_description(spec.name, stored)

    def _feature_group_spec(self, name: str) -> FeatureGroupSpec:
        spec = self._specs.get(name)
        if spec is None:
            raise _not_found(name)
        return spec

    def _data_catalog(self, name: str) -> tuple[str, str] | None:
        with self._lock:
            return data_catalog(self._stored(name))

    def group_name_of_arn(self, arn: str) -> str | None:
        """The name of the feature group whose ARN is ``arn``, or None."""
        with self._lock:
            return next((name for name, d in self._catalog.items() if d["FeatureGroupArn"] == arn), None)

    def _stored(self, name: str) -> dict[str, Any]:
        description = self._catalog.get(name)
        if description is None:
            raise _not_found(name)
        return description

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
        """The online entry holds ``exact``'s texts in place of their typed values (the write log
        and the offline store get the typed values)."""
        values = tuple(record.get(name) for name in spec.feature_names)
        ttl = ttl or spec.ttl
        expires = expires_at(event_seconds, ttl.seconds if ttl else None)
        with self._lock:
            ait_us = self._write(spec, "put", list(values), event_seconds, expires, target_stores, exact)
            if "OnlineStore" in target_stores:
                key = str(record[spec.record_identifier_name])
                entry = OnlineEntry(with_texts(spec, values, exact), event_seconds, expires)
                self._online.put(spec.name, key, entry, ait_us / _MICROS)

    def _batch_write_record(self, puts: list[PreparedPut]) -> BatchOutcome:
        """Each put as put_record writes it; once the store refuses one (ServiceUnavailable),
        it and the rest are left unprocessed."""
        failed: dict[int, FeatureStoreError] = {}
        for position, put in enumerate(puts):
            try:
                self._put_record(*put)
            except ServiceUnavailable:
                return BatchOutcome(failed, list(range(position, len(puts))))
            except FeatureStoreError as error:
                failed[position] = error
        return BatchOutcome(failed, [])

    def _list_records(
        self, spec: FeatureGroupSpec, max_results: int | None, next_token: str | None, include_soft_deleted: bool
    ) -> RecordPage:
        with self._lock:
            keys = self._online.keys(spec.name, self.clock(), include_soft_deleted=include_soft_deleted)
        return record_page(keys, max_results, next_token)

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
        """Merge ``values`` into the live record and write the whole result as a put, online as
        the update rule says (:func:`~featurestore_demo.rules.online.update_outcome`) and offline.

        Departure: with ``equal_overwrites=False``, an update that keeps the record's event time
        applies at once but, when the store is reopened, loses to the put it changed.
        """
        with self._lock:
            current = self._online.current(spec.name, record_key)
            outcome = update_outcome(current, event_seconds, self.clock())
            if outcome is UpdateOutcome.NOT_FOUND:
                raise ResourceNotFound(
                    f"Resource Not Found: feature group {spec.name} has no record '{record_key}' in its "
                    "OnlineStore (or it was deleted or expired); create it with PutRecord."
                )
            if outcome is UpdateOutcome.CONFLICT:
                raise ConflictException(
                    f"The EventTime of the update of record '{record_key}' is older than the record's; "
                    "nothing was changed. Send an EventTime equal to or newer than the record's, or none."
                )
            assert current is not None and current.values is not None  # APPLIES: a live record
            kept = {name: value for name, value in zip(spec.feature_names, current.values) if value is not None}
            result = normalize_record(spec, {**kept, **values, **exact}, ttl)  # the 350 KB limit of the result
            row = tuple(result.record.get(name) for name in spec.feature_names)
            event_s = current.event_time if event_seconds is None else event_seconds
            expires = updated_expiry(current, event_seconds, ttl.seconds if ttl else None)
            self._write(spec, "put", list(row), event_s, expires, target_stores, result.exact)
            if "OnlineStore" in target_stores:
                entry = OnlineEntry(with_texts(spec, row, result.exact), event_s, expires)
                self._online.replace(spec.name, record_key, entry)

    def _get_record(
        self, spec: FeatureGroupSpec, record_key: str, feature_names: list[str] | None
    ) -> dict[str, Any] | None:
        entry = self._online.get(spec.name, record_key, self.clock())
        return None if entry is None else as_record(spec, entry, feature_names)

    def _batch_get_record(
        self, spec: FeatureGroupSpec, record_keys: list[str], feature_names: list[str] | None
    ) -> dict[str, dict[str, Any]]:
        return {key: as_record(spec, entry, feature_names)
                for key, entry in self._online.get_many(spec.name, record_keys, self.clock())}

    def wire_record(
        self, feature_group: str, record_id: Any, feature_names: Sequence[str] | None = None
    ) -> WireRecord | None:
        """The live record of ``record_id`` as GetRecord sends it, or None (validated as get_record).

        Each feature's ValueAsString is the exact text put (``"12.50"`` stays ``"12.50"``, ``"1e3"``
        stays ``"1e3"``), a collection's ValueAsStringList the exact texts of its elements (a
        list), in definition order or that of ``feature_names``; ``expires_at`` is
        epoch seconds, None without a TTL (SAGEMAKER_SPEC §2.1, §2.3). The write log keeps the
        texts, so they survive reopening the store.
        """
        spec, key, names = self._online_read(feature_group, record_id, feature_names)
        entry = self._online.get(spec.name, key, self.clock())
        if entry is None:
            return None
        assert entry.values is not None, "a live entry (OnlineStore.get), never a tombstone"
        texts: dict[str, str | list[str]] = {name: value if isinstance(value, str) else value_text(value)
                                             for name, value in zip(spec.feature_names, entry.values)
                                             if value is not None}
        if spec.collections:
            values = dict(zip(spec.feature_names, entry.values))
            texts.update((name, collection_texts(values[name])) for name in spec.collections if name in texts)
        chosen = texts if names is None else {name: texts[name] for name in names if name in texts}
        return WireRecord(list(chosen.items()), entry.expires_at)

    def _delete_record(
        self,
        spec: FeatureGroupSpec,
        record_key: str,
        event_time: Any,
        event_time_seconds: float,
        deletion_mode: str,
        target_stores: tuple[str, ...],
    ) -> None:
        online = "OnlineStore" in target_stores
        with self._lock:
            rejected = online and self._online.delete_outcome(
                spec.name, record_key, event_time_seconds, self.clock(), deletion_mode
            ) is DeleteOutcome.REJECTED
            if rejected:
                raise ValidationException(
                    f"HardDelete of record '{record_key}' rejected: EventTime {event_time} is not "
                    f"later than the EventTime of the record in the OnlineStore. Nothing was deleted."
                )
            marker: list[Any] = [None] * len(spec.features)
            marker[spec.feature_names.index(spec.record_identifier_name)] = parse_value(
                spec.types[spec.record_identifier_name], record_key
            )
            marker[spec.feature_names.index(spec.event_time_feature_name)] = event_time
            ait_us = self._write(spec, deletion_mode, marker, event_time_seconds, None, target_stores)
            if online:
                self._online.delete(spec.name, record_key, event_time_seconds, ait_us / _MICROS, deletion_mode)

    def _ingest(
        self,
        spec: FeatureGroupSpec,
        frame: pd.DataFrame,
        event_seconds: np.ndarray,
        progress: ProgressCallback | None,
    ) -> int:
        rows = len(frame)
        with self._lock:
            self.flush()
            first_ait = self._next_ait_us(rows)
            expires = event_seconds + spec.ttl.seconds if spec.ttl else np.full(rows, np.nan)
            online = self._online_puts(spec, frame, event_seconds) if spec.online_store else np.zeros(0, "int64")
            logged = np.zeros(rows, bool)
            logged[online] = True
            writes = consecutive_puts(self._seq + 1, first_ait, event_seconds, expires, logged, spec.offline_store)
            stored = stored_features(spec, frame)
            offline = OfflineRows(spec, offline_frame(stored, writes), event_seconds if spec.offline_store
                                  else event_seconds[:0])
            self._seq += rows
            self._store({spec.name: log_frame(stored, writes)}, [offline])
            with _gc_paused():
                keys, entries = frame_entries(spec, frame.iloc[online], event_seconds[online], expires[online])
                self._apply_ingest_online(spec, keys, entries, first_ait + online, rows, progress)
        return rows

    def _online_puts(self, spec: FeatureGroupSpec, frame: pd.DataFrame, event_seconds: np.ndarray) -> np.ndarray:
        """The positions, ascending, of an ingest's puts that putting them all one after another
        needs online (and so the write log): every put under a TTL (expiry depends on when each
        put arrives); else the put each record keeps (:func:`latest_puts`), and every put of a
        record whose stored entry can expire (a TTL since removed)."""
        if spec.ttl is not None:
            return np.arange(len(frame))
        records = pd.factorize(frame[spec.record_identifier_name])[0]
        kept = latest_puts(records, event_seconds, equal_overwrites=self._online.equal_overwrites)
        if not self._online.may_expire(spec.name):
            return kept
        keys = [str(value) for value in frame[spec.record_identifier_name].to_numpy()[kept]]
        expiring = [position for position, key in zip(kept.tolist(), keys)
                    if (entry := self._online.current(spec.name, key)) is not None and entry.expires_at is not None]
        if expiring:
            kept = np.flatnonzero(np.isin(records, records[expiring]) | np.isin(np.arange(len(frame)), kept))
        return kept

    def _apply_ingest_online(
        self, spec: FeatureGroupSpec, keys: list[str], entries: list[OnlineEntry], received_us: np.ndarray,
        rows: int, progress: ProgressCallback | None,
    ) -> None:
        """Put the entries of an ingest online (with their record keys), one after another, as
        put_record would, each received at ``received_us``; ``progress`` counts the ingest's ``rows``."""
        nows = (received_us / _MICROS).tolist()
        for start in range(0, len(entries), INGEST_CHUNK):
            stop = min(start + INGEST_CHUNK, len(entries))
            for index in range(start, stop):
                self._online.put(spec.name, keys[index], entries[index], nows[index])
            if progress is not None:
                progress(rows * stop // len(entries), rows)
        if progress is not None and not entries:
            progress(rows, rows)

    def _offline_files(self, location: str) -> list[OfflineFile]:
        """The files below the s3 root (written out first: every acknowledged write is in them
        unless ``offline_delay`` holds it back; those of other groups may still be being written)."""
        folder = s3_path(location)
        with self._lock:
            self.write_out_offline(self._offline.groups_at(folder))
        paths = parquet_files(self.s3_root / folder)
        return [OfflineFile(f"s3://{path.relative_to(self.s3_root).as_posix()}", path.stat().st_size,
                            pq.read_metadata(path).num_rows) for path in paths]

    def _query(self, sql: str, handle: QueryHandle) -> pd.DataFrame:
        """The query sees every write acknowledged before it started, and never blocks writers."""
        with self._lock:
            self.flush()
        return self._db.query(sql, handle=handle, timeout=self.query_timeout)

    def _point_in_time_join(self, request: PointInTimeRequest) -> pd.DataFrame:
        """``point_in_time_method`` "asof" (default): DuckDB ASOF JOIN (local_backend.asof_join);
        "sql": the window-function Athena SQL the AWS backend runs. Tests keep them equal."""
        tables = {"__labels": request.labels_table()}
        with self._lock:
            self.flush()
            if self.point_in_time_method == "sql":
                sql, dialect = point_in_time_sql(request, "__labels", self.offline_table), "athena"
            else:
                sql, dialect = asof_join_sql(request, "__labels", self.offline_table), "duckdb"
        features = self._db.query_arrow(sql, tables, dialect=dialect, timeout=self.query_timeout)
        return request.attach(features)

    def create_external_table(
        self, database: str, table: str, columns: list[tuple[str, str]], rows: pd.DataFrame
    ) -> None:
        """Register ``rows`` as ``database.table`` for queries (the emulator's CREATE EXTERNAL TABLE).

        ``columns`` are (name, DuckDB type); ``rows`` holds text values cast by position.
        """
        with self._lock:
            self._db.create_table(database, table, columns, rows)

    def drop_external_table(self, database: str, table: str, *, if_exists: bool = False) -> None:
        """Drop a table made by :meth:`create_external_table`; ResourceNotFound unless ``if_exists``."""
        with self._lock:
            if not self._db.drop_table(database, table) and not if_exists:
                raise ResourceNotFound(f"Table {database}.{table} does not exist.")

    def athena_relations(self) -> dict[str, dict[str, list[tuple[str, str]]]]:
        """The databases of the Athena catalog, their tables and columns (ListDatabases, ListTableMetadata).

        Database -> table -> [(column, DuckDB type)], as stored: feature groups' tables in
        ``sagemaker_featurestore``, and the tables of :meth:`create_external_table`.
        """
        return self._db.athena_relations()

    def offline_objects_deleted(self, bucket: str, keys: list[str]) -> None:
        """Objects of ``bucket`` were deleted through S3: Athena stops showing the rows of the
        groups' files among them (as Athena reads what S3 holds)."""
        with self._lock:
            self.write_out_offline()
            for group in self._offline.groups_under(bucket, keys):
                self._offline.reindex(group)

    # ---------------------------------------------------------------- writes

    def _next_ait_us(self, count: int = 1) -> int:
        """The first of ``count`` strictly increasing api_invocation_times (epoch µs)."""
        first = max(int(self.clock() * _MICROS), self._last_ait_us + 1)
        self._last_ait_us = first + count - 1
        return first

    def _write(
        self,
        spec: FeatureGroupSpec,
        op: str,
        values: list[Any],
        event_s: float,
        expires: float | None,
        target_stores: tuple[str, ...],
        texts: ExactTexts | None = None,
    ) -> int:
        """Journal one accepted write (durable on return, as ``durability`` says), with the exact
        texts put where they differ from the typed values; returns its api_invocation_time (µs).
        ServiceUnavailable if the journal cannot take it whole."""
        ait_us = self._next_ait_us()
        entry = Write(self._seq + 1, spec.name, op, values, event_s, ait_us, expires,
                      "OnlineStore" in target_stores, "OfflineStore" in target_stores, texts or None)
        self._journal.append(entry)
        self._seq = entry.seq
        self._pending.setdefault(spec.name, []).append(entry)
        if sum(len(rows) for rows in self._pending.values()) >= FLUSH_ROWS:
            self._flush_after_acknowledged_write()
        return ait_us

    def _flush_after_acknowledged_write(self) -> None:
        """Flush, logging a failure instead of raising it: the write is already journaled, and
        its rows stay pending for the next flush."""
        try:
            self.flush()
        except ServiceUnavailable as error:
            pending = sum(len(rows) for rows in self._pending.values())
            logger.warning("Moving %d journaled writes into the offline store failed; they stay pending "
                           "(nothing is lost) and the next write retries. %s", pending, error)


@contextmanager
def _gc_paused() -> Iterator[None]:
    """Pause the cyclic garbage collector (bulk loads of acyclic tuples), restoring its state."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


def _not_found(name: str) -> ResourceNotFound:
    return ResourceNotFound(
        f"Resource Not Found: Amazon SageMaker can't find a FeatureGroup with name {name}"
    )


def _offline_folder(description: dict[str, Any]) -> OfflineFolder | None:
    """Where a group's offline files live below the s3 root; None without an offline store."""
    offline = description.get("OfflineStoreConfig")
    if offline is None:
        return None
    return OfflineFolder(s3_path(offline["S3StorageConfig"]["ResolvedOutputS3Uri"]), description["FeatureGroupName"],
                         iceberg=offline.get("TableFormat") == "Iceberg")


class _Exporter:
    """Writes delayed offline writes out once due, every second or ``offline_delay``, whichever
    is shorter, on a daemon thread (so a store nobody calls still catches up)."""

    def __init__(self, backend: LocalBackend) -> None:
        self._backend, self._stopped = backend, threading.Event()
        self._thread = threading.Thread(target=self._run, name="offline-export", daemon=True)
        self._thread.start()

    def _run(self) -> None:
        interval = min(1.0, self._backend.offline_delay)
        while not self._stopped.wait(interval):
            try:
                self._backend.flush()
            except ServiceUnavailable as error:
                logger.warning("Writing out delayed offline writes failed; retrying. %s", error)

    def stop(self) -> None:
        self._stopped.set()
        self._thread.join()
