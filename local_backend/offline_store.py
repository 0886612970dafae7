"""The offline store: every write sent to it, as Parquet files in SageMaker's S3 layout.

:class:`OfflineStore` is the seam; :class:`ParquetOfflineStore` keeps a group's rows as files
under its ``ResolvedOutputS3Uri`` (:mod:`local_backend.parquet_layout`; an Iceberg table for
``TableFormat: Iceberg``, :mod:`local_backend.iceberg_tables`) below the store's s3 root, where
pandas, pyarrow, DuckDB or Spark read them as they are and the emulator's S3 serves them.
Athena SQL reads the same rows from an index in the DuckDB file (one table per group,
``offline_index."<group>"``), so a query does not open thousands of hourly files. Rows are
acknowledged once committed to the index; their files follow on a worker thread
(:mod:`local_backend.offline_export`), and the index is rebuilt from the files when files are
deleted through S3 (:meth:`ParquetOfflineStore.reindex`).

With ``delay`` seconds, writes wait in a buffer table (durable, invisible to Athena and S3) and
move to the index and their files once they are ``delay`` seconds old, with ``write_time`` the
time they moved, like AWS's buffering (up to 15 minutes there): :meth:`ParquetOfflineStore.export_due`.
"""

from __future__ import annotations

import abc
import shutil
from collections.abc import Collection, Iterable
from pathlib import Path

import numpy as np
import pyarrow as pa

from featurestore_demo.frames import event_seconds
from featurestore_demo.schemas import FeatureGroupSpec
from featurestore_demo.sql import quote_identifier
from local_backend.database import DATABASE, SQL_TYPES, Database
from local_backend.history import ATHENA_COLUMNS, OFFLINE_COLUMNS
from local_backend.iceberg_tables import IcebergTables
from local_backend.offline_export import Exporter, OfflineRows, latest_receipt_us
from local_backend.parquet_layout import OfflineFolder, parquet_files

__all__ = ["OfflineRows", "OfflineStore", "ParquetOfflineStore", "arrow_schema", "arrow_table"]

ARROW_TYPES = {"Integral": pa.int64(), "Fractional": pa.float64(), "String": pa.string()}
SYSTEM_ARROW_TYPES = {"write_time": pa.timestamp("us"), "api_invocation_time": pa.timestamp("us"),
                      "is_deleted": pa.bool_()}
INDEX, BUFFER = "offline_index", "offline_buffer"


class OfflineStore(abc.ABC):
    """Append-only history of the account's feature groups, as Athena and S3 see it.

    Rows carry a group's features, then ``write_time``, ``api_invocation_time`` and
    ``is_deleted``; nothing else. Times are UTC. Rows :meth:`append`ed in the caller's
    transaction are durable, and Athena sees them, once it commits; :meth:`write_out` then asks
    for their files, which appear asynchronously (as on AWS), and :meth:`wait` returns once
    every committed row is in files.
    """

    @abc.abstractmethod
    def add_group(self, spec: FeatureGroupSpec, folder: OfflineFolder | None, table: str) -> None:
        """Make room for a new group's rows: in ``folder`` (None: the group has no offline
        store), shown as the Athena table ``table`` ("" for none)."""

    @abc.abstractmethod
    def append(self, rows: list[OfflineRows]) -> None:
        """Add ``rows`` within the caller's transaction (never rewriting earlier rows)."""

    @abc.abstractmethod
    def write_out(self, rows: list[OfflineRows]) -> None:
        """After the transaction that appended ``rows`` committed: write their files."""

    @abc.abstractmethod
    def wait(self, groups: Collection[str] | None = None) -> None:
        """Return once every committed row (of ``groups`` only, if given) is in files;
        ServiceUnavailable if they cannot be written."""

    @abc.abstractmethod
    def relation(self, group: str) -> str:
        """The DuckDB relation Athena's table of ``group`` reads."""

    @abc.abstractmethod
    def drop(self, group: str, table: str, *, keep: bool) -> None:
        """Forget the group's rows; ``keep`` leaves its files, and its Athena table as a plain table."""


class ParquetOfflineStore(OfflineStore):
    """Parquet files below ``s3_root``, indexed in ``database`` (see the module docstring)."""

    def __init__(
        self, database: Database, s3_root: Path, staging: Path, *, iceberg: IcebergTables, delay: float = 0.0
    ) -> None:
        """``staging`` holds batches of files being written; call :meth:`register` for every
        existing group, then :meth:`recover`."""
        self._db, self.s3_root, self.delay = database, s3_root, delay
        self._iceberg = iceberg
        self._folders: dict[str, OfflineFolder] = {}
        self._specs: dict[str, FeatureGroupSpec] = {}
        database.execute(f"CREATE SCHEMA IF NOT EXISTS {INDEX}; CREATE SCHEMA IF NOT EXISTS {BUFFER}")
        self._exporter = Exporter(
            s3_root, staging, database.exported_us(), folder_of=self._folders.get,
            append_iceberg=self._append_iceberg, committed_since=self._committed_since,
            set_exported=database.set_exported, to_arrow=arrow_table,
        )

    # -- groups

    def register(self, spec: FeatureGroupSpec, folder: OfflineFolder) -> None:
        """Know an existing group's folder and columns (when the store opens)."""
        self._folders[spec.name] = folder
        self._specs[spec.name] = spec

    def add_group(self, spec: FeatureGroupSpec, folder: OfflineFolder | None, table: str) -> None:
        columns = [f"{quote_identifier(f.name)} {SQL_TYPES[f.column_type]}" for f in spec.features]
        columns += [f"{quote_identifier(column.name)} {column.sql_type}" for column in OFFLINE_COLUMNS]
        self._db.execute(f"CREATE TABLE {self.relation(spec.name)} ({', '.join(columns)})")
        self._db.execute(f"CREATE TABLE {_buffer(spec.name)} ({', '.join(columns)}, __event_seconds DOUBLE)")
        self._create_view(spec, table)
        if folder is not None:
            self.register(spec, folder)
            if folder.iceberg:
                self._iceberg.create(spec, folder, arrow_schema(spec))

    def add_features(self, spec: FeatureGroupSpec, table: str, added: tuple[str, ...]) -> None:
        """Add the ``added`` features of ``spec`` (already in it) as NULL columns, and show them."""
        for name in added:
            kind = SQL_TYPES[spec.column_types[name]]
            for relation in (self.relation(spec.name), _buffer(spec.name)):
                self._db.execute(f"ALTER TABLE {relation} ADD COLUMN {quote_identifier(name)} {kind}")
        self._create_view(spec, table)
        folder = self._folders.get(spec.name)
        if folder is not None:
            self.register(spec, folder)
            if folder.iceberg:
                self._iceberg.add_features(spec, added)

    def _create_view(self, spec: FeatureGroupSpec, table: str) -> None:
        """Show the group's offline rows as Athena's ``table``; an online-only group ("") has none."""
        if not table:
            return
        visible = ", ".join(quote_identifier(name) for name in spec.feature_names + list(ATHENA_COLUMNS))
        self._db.execute(
            f"CREATE OR REPLACE VIEW {DATABASE}.{quote_identifier(table)} AS SELECT {visible} "
            f"FROM {self.relation(spec.name)}"
        )

    def relation(self, group: str) -> str:
        return f"{INDEX}.{quote_identifier(group)}"

    def drop(self, group: str, table: str, *, keep: bool) -> None:
        view = f"{DATABASE}.{quote_identifier(table)}"
        if table and keep:
            kept = quote_identifier(f"__kept_{table}")
            self._db.execute(f"CREATE TABLE {DATABASE}.{kept} AS SELECT * FROM {view}")
            self._db.execute(f"DROP VIEW {view}")
            self._db.execute(f"ALTER TABLE {DATABASE}.{kept} RENAME TO {quote_identifier(table)}")
        elif table:
            self._db.execute(f"DROP VIEW IF EXISTS {view}")
        self._db.execute(f"DROP TABLE IF EXISTS {self.relation(group)}; DROP TABLE IF EXISTS {_buffer(group)}")
        folder = self._folders.pop(group, None)
        self._specs.pop(group, None)
        if folder is not None and folder.iceberg:
            self._iceberg.drop(group)  # the catalog entry; the table's files stay if kept
        if folder is not None and not keep:
            shutil.rmtree(self.s3_root / (folder.path.removesuffix("/data") if folder.iceberg else folder.path),
                          ignore_errors=True)

    # -- appending

    def append(self, rows: list[OfflineRows]) -> None:
        for part in rows:
            if not len(part.frame):
                continue
            if self.delay > 0:
                self._db.insert(_buffer(part.spec.name), part.frame.assign(__event_seconds=part.event_seconds))
            else:
                self._db.insert(self.relation(part.spec.name), arrow_table(part))

    def write_out(self, rows: list[OfflineRows]) -> None:
        if self.delay == 0:  # delayed rows are written out when due (export_due)
            self._exporter.submit(rows)

    def wait(self, groups: Collection[str] | None = None) -> None:
        self._exporter.wait(groups)

    def recover(self) -> None:
        """At opening, once every group is registered: finish what a crash interrupted."""
        self._recover_iceberg()
        self._exporter.recover()

    def close(self) -> None:
        self._exporter.close()

    def _append_iceberg(self, rows: OfflineRows) -> None:
        self._iceberg.append(rows.spec.name, arrow_table(rows), latest_receipt_us(rows.frame))

    def _committed_since(self, exported_us: int) -> list[OfflineRows]:
        """The committed rows of Glue-format groups received after ``exported_us`` (export worker);
        none without looking if the store's commits end at ``exported_us``."""
        parts: list[OfflineRows] = []
        if exported_us >= self._db.stored_us():
            return parts
        for group, spec in list(self._specs.items()):
            folder = self._folders.get(group)
            if folder is None or folder.iceberg:
                continue
            frame = self._db.worker_query(
                f"SELECT * FROM {self.relation(group)} WHERE epoch_us(api_invocation_time) > ? "
                "ORDER BY api_invocation_time", [exported_us])
            if len(frame):
                parts.append(OfflineRows(spec, frame, event_seconds(spec, frame[spec.event_time_feature_name])))
        return parts

    def _recover_iceberg(self) -> None:
        """Append to each Iceberg table the committed rows a crash kept from it."""
        for group, folder in self._folders.items():
            if not folder.iceberg:
                continue
            since = self._iceberg.last_appended_us(group)
            missing = self._db.execute(
                f"SELECT * FROM {self.relation(group)} WHERE epoch_us(api_invocation_time) > ? "
                "ORDER BY api_invocation_time", [since]).df()
            if len(missing):
                self._append_iceberg(OfflineRows(self._specs[group], missing, np.empty(0)))

    # -- the delay

    def export_due(self, now: float) -> int:
        """Move the buffered rows at least ``delay`` seconds old to the index, with ``write_time``
        now, and write them out; returns how many. The caller holds the store's lock."""
        cutoff_us = int((now - self.delay) * 1_000_000)
        due = [self._due(spec, cutoff_us, now) for spec in list(self._specs.values())]
        due = [part for part in due if len(part.frame)]
        if not due:
            return 0
        with self._db.transaction():
            for part in due:
                self._db.insert(self.relation(part.spec.name), arrow_table(part))
                self._db.execute(f"DELETE FROM {_buffer(part.spec.name)} WHERE epoch_us(api_invocation_time) <= ?",
                                 [cutoff_us])
        self._exporter.submit(due)
        return sum(len(part.frame) for part in due)

    def _due(self, spec: FeatureGroupSpec, cutoff_us: int, now: float) -> OfflineRows:
        frame = self._db.execute(
            f"SELECT * FROM {_buffer(spec.name)} WHERE epoch_us(api_invocation_time) <= ? "
            "ORDER BY api_invocation_time", [cutoff_us]
        ).df()
        seconds = frame.pop("__event_seconds").to_numpy(dtype="float64")
        written = np.datetime64(int(now * 1000), "ms").astype("datetime64[us]")
        return OfflineRows(spec, frame.assign(write_time=written), seconds)

    # -- files changed from outside

    def files(self, group: str) -> list[Path]:
        """The group's Parquet files, as S3 lists them (no hidden files)."""
        return parquet_files(self.s3_root / self._folders[group].path)

    def groups_at(self, path: str) -> set[str]:
        """The groups whose files may lie below ``path`` (below the s3 root): those whose folder
        is in it, or holds it."""
        return {group for group, folder in self._folders.items()
                if _within(folder.path, path) or _within(path, folder.path)}

    def groups_under(self, bucket: str, keys: Iterable[str]) -> set[str]:
        """The groups whose folder holds any of ``keys`` of ``bucket`` (not Iceberg ones: deleting
        an Iceberg table's data files through S3 breaks the table, on AWS as here)."""
        paths = [f"{bucket}/{key}" for key in keys]
        return {group for group, folder in self._folders.items()
                if not folder.iceberg and any(path.startswith(folder.path + "/") for path in paths)}

    def reindex(self, group: str) -> None:
        """Make Athena's rows of ``group`` those of its files again (after files were deleted)."""
        files = [str(path) for path in self.files(group)]
        with self._db.transaction():
            self._db.execute(f"DELETE FROM {self.relation(group)}")
            if files:
                self._db.execute(f"INSERT INTO {self.relation(group)} BY NAME SELECT * FROM "
                                 "read_parquet(?, union_by_name = true, hive_partitioning = false)", [files])


def _within(path: str, folder: str) -> bool:
    return path == folder or path.startswith(folder + "/")


def _buffer(group: str) -> str:
    return f"{BUFFER}.{quote_identifier(group)}"


def arrow_schema(spec: FeatureGroupSpec) -> pa.Schema:
    """The offline store's columns and types for ``spec``: its features (a collection as its JSON
    text), then the system columns."""
    fields = [pa.field(f.name, ARROW_TYPES[f.column_type]) for f in spec.features]
    fields += [pa.field(name, kind) for name, kind in SYSTEM_ARROW_TYPES.items()]
    return pa.schema(fields)


def arrow_table(rows: OfflineRows) -> pa.Table:
    """The rows as an Arrow table with the offline store's columns and types; a feature the
    frame leaves out is all null."""
    schema = arrow_schema(rows.spec)
    present = pa.schema([field for field in schema if field.name in rows.frame.columns])
    table = pa.Table.from_pandas(rows.frame, schema=present, preserve_index=False)
    columns = [table[field.name] if field.name in present.names else pa.nulls(len(table), field.type)
               for field in schema]
    return pa.Table.from_arrays(columns, schema=schema)
