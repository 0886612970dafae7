"""The offline store: every write sent to it, as Parquet files in SageMaker's S3 layout.

:class:`OfflineStore` is the seam; :class:`ParquetOfflineStore` keeps a group's rows as files
under its ``ResolvedOutputS3Uri`` (:mod:`local_backend.parquet_layout`) below the store's s3
root, where pandas, pyarrow, DuckDB or Spark read them as they are and the emulator's S3 serves
them. Athena SQL reads the same rows from an index in the DuckDB file (one table per group,
``offline."<group>"``), so a query does not open thousands of hourly files; the index is
rebuilt from the files when files are deleted through S3 (:meth:`ParquetOfflineStore.reindex`).

With ``delay`` seconds, writes wait in a buffer table (durable, invisible to Athena and S3) and
are written out once they are ``delay`` seconds old, with ``write_time`` the time they were
written, like AWS's buffering (up to 15 minutes there): :meth:`ParquetOfflineStore.export_due`.
"""

from __future__ import annotations

import abc
import shutil
from collections.abc import Iterable
from pathlib import Path
from typing import NamedTuple

import numpy as np
import pandas as pd
import pyarrow as pa

from featurestore_demo.schemas import FeatureGroupSpec
from featurestore_demo.sql import quote_identifier
from local_backend.database import DATABASE, SQL_TYPES, Database
from local_backend.history import ATHENA_COLUMNS, OFFLINE_COLUMNS
from local_backend.iceberg_tables import IcebergTables
from local_backend.parquet_layout import OfflineFolder, parquet_files, publish, stage

__all__ = ["OfflineRows", "OfflineStore", "ParquetOfflineStore", "Prepared", "arrow_schema"]

ARROW_TYPES = {"Integral": pa.int64(), "Fractional": pa.float64(), "String": pa.string()}
SYSTEM_ARROW_TYPES = {"write_time": pa.timestamp("us"), "api_invocation_time": pa.timestamp("us"),
                      "is_deleted": pa.bool_()}
INDEX, BUFFER = "offline_index", "offline_buffer"


class OfflineRows(NamedTuple):
    """Rows for one group's offline store: its features then ``write_time``,
    ``api_invocation_time``, ``is_deleted``; and each row's event time in epoch seconds."""

    spec: FeatureGroupSpec
    frame: pd.DataFrame
    event_seconds: np.ndarray


class Prepared(NamedTuple):
    """A batch between :meth:`OfflineStore.prepare` and :meth:`OfflineStore.publish`."""

    rows: list[OfflineRows]
    staging: Path | None


class OfflineStore(abc.ABC):
    """Append-only history of the account's feature groups, as Athena and S3 see it.

    Rows carry a group's features, then ``write_time``, ``api_invocation_time`` and
    ``is_deleted``; nothing else. Times are UTC. A batch is appended in three steps, so that it
    commits together with the write log: :meth:`prepare` (durable, not yet visible),
    :meth:`commit` (inside the caller's transaction: Athena sees the rows once it commits),
    :meth:`publish` (after it: the files appear), or :meth:`discard` if the commit failed. A
    batch prepared but never committed leaves nothing visible; one committed but not published
    is published by :meth:`recover`.
    """

    @abc.abstractmethod
    def add_group(self, spec: FeatureGroupSpec, folder: OfflineFolder, table: str) -> None:
        """Make room for a new group's rows; ``table`` ("" for none) is its Athena table."""

    @abc.abstractmethod
    def prepare(self, rows: list[OfflineRows], batch: int) -> Prepared:
        """Write ``rows`` durably where nobody sees them yet; ``batch`` names the attempt."""

    @abc.abstractmethod
    def commit(self, prepared: Prepared) -> None:
        """Make the prepared rows visible to Athena when the caller's transaction commits."""

    @abc.abstractmethod
    def publish(self, prepared: Prepared) -> None:
        """Make the committed rows' files visible."""

    @abc.abstractmethod
    def discard(self, prepared: Prepared) -> None:
        """Forget a prepared batch whose commit failed."""

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
        self._db, self.s3_root, self.staging, self.delay = database, s3_root, staging, delay
        self._iceberg = iceberg
        self._folders: dict[str, OfflineFolder] = {}
        self._schemas: dict[str, pa.Schema] = {}
        database.execute(f"CREATE SCHEMA IF NOT EXISTS {INDEX}; CREATE SCHEMA IF NOT EXISTS {BUFFER}")

    # -- groups

    def register(self, spec: FeatureGroupSpec, folder: OfflineFolder) -> None:
        """Know an existing group's folder and columns (when the store opens)."""
        self._folders[spec.name] = folder
        self._schemas[spec.name] = arrow_schema(spec)

    def add_group(self, spec: FeatureGroupSpec, folder: OfflineFolder, table: str) -> None:
        columns = [f"{quote_identifier(f.name)} {SQL_TYPES[f.type]}" for f in spec.features]
        columns += [f"{quote_identifier(column.name)} {column.sql_type}" for column in OFFLINE_COLUMNS]
        self._db.execute(f"CREATE TABLE {self.relation(spec.name)} ({', '.join(columns)})")
        self._db.execute(f"CREATE TABLE {_buffer(spec.name)} ({', '.join(columns)}, __event_seconds DOUBLE)")
        self._create_view(spec, table)
        self.register(spec, folder)
        if folder.iceberg:
            self._iceberg.create(spec, folder, arrow_schema(spec))

    def add_features(self, spec: FeatureGroupSpec, table: str, added: tuple[str, ...]) -> None:
        """Add the ``added`` features of ``spec`` (already in it) as NULL columns, and show them."""
        for name in added:
            kind = SQL_TYPES[spec.types[name]]
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
        self._schemas.pop(group, None)
        if folder is not None and folder.iceberg:
            self._iceberg.drop(group)  # the catalog entry; the table's files stay if kept
        if folder is not None and not keep:
            shutil.rmtree(self.s3_root / (folder.path.removesuffix("/data") if folder.iceberg else folder.path),
                          ignore_errors=True)

    # -- appending

    def prepare(self, rows: list[OfflineRows], batch: int) -> Prepared:
        rows = [part for part in rows if len(part.frame)]
        if self.delay > 0 or not rows:
            return Prepared(rows, None)
        return Prepared(rows, self._stage(rows, str(batch), batch))

    def _stage(self, rows: list[OfflineRows], name: str, batch: int) -> Path:
        staging = self.staging / name
        shutil.rmtree(staging, ignore_errors=True)  # an earlier attempt that never committed
        for part in rows:
            folder = self._folders[part.spec.name]
            if not folder.iceberg:  # an Iceberg table takes its rows when published
                stage(_arrow(part), part.event_seconds, folder, batch, staging)
        return staging

    def commit(self, prepared: Prepared) -> None:
        for part in prepared.rows:
            if prepared.staging is None:
                self._db.insert(_buffer(part.spec.name), part.frame.assign(__event_seconds=part.event_seconds))
            else:
                self._db.insert(self.relation(part.spec.name), _arrow(part))

    def publish(self, prepared: Prepared) -> None:
        if prepared.staging is None:  # buffered: written out when due
            return
        publish(prepared.staging, self.s3_root)
        for part in prepared.rows:
            if self._folders[part.spec.name].iceberg:
                self._iceberg.append(part.spec.name, _arrow(part), _latest_us(part.frame))

    def discard(self, prepared: Prepared) -> None:
        if prepared.staging is not None:
            shutil.rmtree(prepared.staging, ignore_errors=True)

    def recover(self, stored_seq: int, exported_us: int) -> None:
        """Publish the batch that committed just before a crash, if any; discard the others.

        A batch is published right after it commits, so at most one staged batch can be
        committed: the last one, named by the watermark that its commit set.
        """
        self._recover_iceberg()
        if not self.staging.exists():
            return
        committed = {str(stored_seq), f"x{exported_us}"}
        for batch in sorted(self.staging.iterdir()):
            if batch.name in committed:
                publish(batch, self.s3_root)
            else:
                shutil.rmtree(batch, ignore_errors=True)

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
                rows = pa.Table.from_pandas(missing, schema=self._schemas[group], preserve_index=False)
                self._iceberg.append(group, rows, _latest_us(missing))

    # -- the delay

    def export_due(self, specs: Iterable[FeatureGroupSpec], now: float) -> int:
        """Write out the buffered rows at least ``delay`` seconds old, with ``write_time`` now;
        returns how many. The caller holds the store's lock."""
        cutoff_us = int((now - self.delay) * 1_000_000)
        due = [self._due(spec, cutoff_us, now) for spec in specs]
        due = [part for part in due if len(part.frame)]
        if not due:
            return 0
        prepared = Prepared(due, self._stage(due, f"x{cutoff_us}", cutoff_us))
        with self._db.transaction():
            self.commit(prepared)
            for part in due:
                self._db.execute(f"DELETE FROM {_buffer(part.spec.name)} WHERE epoch_us(api_invocation_time) <= ?",
                                 [cutoff_us])
            self._db.execute("UPDATE main.state SET exported_us = ?", [cutoff_us])
        self.publish(prepared)
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


def _latest_us(rows: pd.DataFrame) -> int:
    """The latest api_invocation_time of ``rows``, in epoch µs."""
    return int(rows["api_invocation_time"].to_numpy().astype("datetime64[us]").astype("int64").max())


def _buffer(group: str) -> str:
    return f"{BUFFER}.{quote_identifier(group)}"


def arrow_schema(spec: FeatureGroupSpec) -> pa.Schema:
    """The offline store's columns and types for ``spec``: its features, then the system columns."""
    fields = [pa.field(f.name, ARROW_TYPES[f.type]) for f in spec.features]
    fields += [pa.field(name, kind) for name, kind in SYSTEM_ARROW_TYPES.items()]
    return pa.schema(fields)


def _arrow(rows: OfflineRows) -> pa.Table:
    """The rows as an Arrow table with the offline store's columns and types; a feature the
    frame leaves out is all null."""
    schema = arrow_schema(rows.spec)
    present = pa.schema([field for field in schema if field.name in rows.frame.columns])
    table = pa.Table.from_pandas(rows.frame, schema=present, preserve_index=False)
    columns = [table[field.name] if field.name in present.names else pa.nulls(len(table), field.type)
               for field in schema]
    return pa.Table.from_arrays(columns, schema=schema)
