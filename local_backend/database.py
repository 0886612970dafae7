"""The store's DuckDB file: the catalog, the write log and the offline store's index live in it.

:class:`Database` owns the connection and what every part shares: transactions, the Athena
catalog (databases, tables, columns), Athena SQL, and external tables. The connection is a
sandbox: file, URL and extension access are off except below the s3 root (where the offline
store's files live), its configuration is locked, and Athena SQL sees only the Athena catalog
(:mod:`local_backend.athena_guard`). Each query runs on a cursor of its own, so it never
blocks writers and can be stopped (:class:`QueryHandle`).

The catalog is the table ``main.feature_groups`` (name -> description as JSON); ``main.state``
holds how far writes are stored (:meth:`Database.watermarks`), ``main.exported`` how far the
offline store's files are written (:meth:`Database.exported_us`).
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from pathlib import Path
from typing import Any, TypeVar

import duckdb
import pandas as pd
import pyarrow as pa

from featurestore_demo.errors import ResourceInUse, ServiceUnavailable, ValidationException
from featurestore_demo.query_handle import QueryHandle
from featurestore_demo.sql import DEFAULT_DATABASE, quote_identifier
from local_backend.athena_guard import INTERNAL_SCHEMAS, check_relations, check_statement_kind
from local_backend.athena_sql import UNNAMED_COLUMN, duckdb_tree, mark_unnamed_columns
from local_backend.running_query import DEFAULT_QUERY_TIMEOUT, interruptible

__all__ = ["Database", "DATABASE", "SQL_TYPES", "failed_write"]

DATABASE = DEFAULT_DATABASE
SQL_TYPES = {"Integral": "BIGINT", "Fractional": "DOUBLE", "String": "VARCHAR"}
_Result = TypeVar("_Result")
_LOCK_HOLDER = re.compile(r"held in (.+?) \(PID (\d+)\)", re.IGNORECASE)  # paths may hold dots


class Database:
    """The DuckDB file at ``path``; files below ``s3_root`` are the only ones it may read."""

    def __init__(self, path: Path, s3_root: Path) -> None:
        self.path = path
        self._con = _connect(path)
        self._con.execute("SET TimeZone = 'UTC'")
        s3_root.mkdir(parents=True, exist_ok=True)
        # No query may read or write a host file (but the offline store's), a URL or an
        # extension, or change a setting.
        self._con.execute("SET allowed_directories = ?", [[str(s3_root.resolve()) + "/"]])
        self._con.execute("SET enable_external_access = false; SET lock_configuration = true")
        self._con.execute(f"CREATE SCHEMA IF NOT EXISTS {DATABASE}")
        self._con.execute(
            "CREATE TABLE IF NOT EXISTS main.feature_groups (name VARCHAR PRIMARY KEY, description VARCHAR);"
            "CREATE TABLE IF NOT EXISTS main.state (seq BIGINT, ait_us BIGINT);"
            "INSERT INTO main.state SELECT -1, 0 WHERE NOT EXISTS (SELECT * FROM main.state);"
            "CREATE TABLE IF NOT EXISTS main.exported (us BIGINT);"
            "INSERT INTO main.exported SELECT 0 WHERE NOT EXISTS (SELECT * FROM main.exported)"
        )
        self._worker = self._con.cursor()
        """The connection of the offline store's export worker (one thread), beside the callers'."""

    def execute(self, sql: str, parameters: list[Any] | None = None) -> duckdb.DuckDBPyConnection:
        """Run the kit's own SQL (never a user's) on the shared connection."""
        return self._con.execute(sql, parameters)

    def arrow(self, sql: str) -> pa.Table:
        """The result of the kit's own SQL (never a user's) as an Arrow table (read on a cursor of
        its own: DuckDB copies a DB-API result once more to give it as Arrow)."""
        with self._con.cursor() as cursor:
            return _arrow_result(cursor, sql)

    def insert(self, table: str, frame: Any) -> None:
        """Append ``frame`` (pandas or Arrow) to ``table``, its columns matched by name."""
        self._con.register("__incoming", frame)
        try:
            self._con.execute(f"INSERT INTO {table} BY NAME SELECT * FROM __incoming")
        finally:
            self._con.unregister("__incoming")

    def transaction(self) -> _Transaction:
        """``with database.transaction():`` commits on success, rolls back on an exception."""
        return _Transaction(self._con)

    # -- catalog

    def load_catalog(self) -> dict[str, dict[str, Any]]:
        """Feature-group name -> stored description (JSON-safe dict)."""
        rows = self._con.execute("SELECT name, description FROM main.feature_groups").fetchall()
        return {name: json.loads(description) for name, description in rows}

    def add_description(self, name: str, description: dict[str, Any]) -> None:
        self._con.execute("INSERT INTO main.feature_groups VALUES (?, ?)", [name, json.dumps(description)])

    def update_description(self, name: str, description: dict[str, Any]) -> None:
        self._con.execute(
            "UPDATE main.feature_groups SET description = ? WHERE name = ?", [json.dumps(description), name]
        )

    def remove_description(self, name: str) -> None:
        self._con.execute("DELETE FROM main.feature_groups WHERE name = ?", [name])

    def watermarks(self) -> tuple[int, int]:
        """(sequence number up to which every write is stored, its receipt time in epoch µs):
        (-1, 0) at first."""
        return _watermarks(self._con)

    def stored_us(self) -> int:
        """:meth:`watermarks`' receipt time, read on the export worker's connection."""
        return _watermarks(self._worker)[1]

    def set_stored(self, seq: int, ait_us: int) -> None:
        """Record that every write up to ``seq`` (received up to ``ait_us``) is stored."""
        self._con.execute("UPDATE main.state SET seq = ?, ait_us = ?", [seq, ait_us])

    def exported_us(self) -> int:
        """Receipt time (epoch µs) up to which committed offline rows are in files (offline_export)."""
        return int((self._con.execute("SELECT us FROM main.exported").fetchone() or (0,))[0])

    def set_exported(self, us: int) -> None:
        """Move the files' watermark (on the export worker's connection)."""
        self._worker.execute("UPDATE main.exported SET us = ?", [us])

    def worker_query(self, sql: str, parameters: list[Any]) -> pd.DataFrame:
        """The kit's own query, on the export worker's connection."""
        return self._worker.execute(sql, parameters).df()

    def relation_exists(self, schema: str, name: str) -> bool:
        return self._relation_type(schema, name) is not None

    # -- external tables (CREATE EXTERNAL TABLE through the emulator's Athena)

    def create_table(self, schema: str, name: str, columns: list[tuple[str, str]], rows: pd.DataFrame) -> None:
        """Create ``schema.name`` with ``columns`` ((name, DuckDB type)) holding ``rows`` (cast by position).

        ResourceInUse if a table or view of that name exists; ValidationException if a value
        does not cast to its column's type.
        """
        _check_athena_database(schema)
        target = f"{quote_identifier(schema)}.{quote_identifier(name)}"
        if self._relation_type(schema, name) is not None:
            raise ResourceInUse(f"Table {schema}.{name} already exists.")
        definition = ", ".join(f"{quote_identifier(column)} {kind}" for column, kind in columns)
        with self.transaction():
            self._con.execute(f"CREATE SCHEMA IF NOT EXISTS {quote_identifier(schema)}")
            self._con.execute(f"CREATE TABLE {target} ({definition})")
            self._con.register("__incoming", rows)
            try:
                self._con.execute(f"INSERT INTO {target} SELECT * FROM __incoming")
            except duckdb.Error as exc:
                raise ValidationException(f"HIVE_BAD_DATA: {_first_line(exc)}") from None
            finally:
                self._con.unregister("__incoming")

    def drop_table(self, schema: str, name: str) -> bool:
        """Drop the table ``schema.name``; False if there is none. A feature group's view is refused."""
        kind = None if schema.lower() in INTERNAL_SCHEMAS else self._relation_type(schema, name)
        if kind is None:
            return False
        if kind == "VIEW":
            raise ValidationException(
                f"{schema}.{name} is the offline-store table of a feature group; "
                "delete the feature group instead."
            )
        self._con.execute(f"DROP TABLE {quote_identifier(schema)}.{quote_identifier(name)}")
        return True

    def _relation_type(self, schema: str, name: str, con: duckdb.DuckDBPyConnection | None = None) -> str | None:
        rows = (con or self._con).execute(
            "SELECT table_type FROM information_schema.tables "
            "WHERE lower(table_schema) = lower(?) AND lower(table_name) = lower(?)",
            [schema, name],
        ).fetchall()  # fetched to the end: the cursor then runs the query itself
        return rows[0][0] if rows else None

    # -- SQL

    def query(
        self,
        sql: str,
        tables: dict[str, pd.DataFrame] | None = None,
        *,
        handle: QueryHandle | None = None,
        timeout: float = DEFAULT_QUERY_TIMEOUT,
    ) -> pd.DataFrame:
        """Run Athena SQL over the Athena catalog; the result as Athena gives it (:func:`_athena_frame`).

        ``tables`` are registered under their names for this query only. The query runs on a
        cursor of its own (writers go on meanwhile); ``handle`` stops it from another thread,
        and it is interrupted after ``timeout`` seconds. ValidationException if the SQL does
        not parse, is not a query, names anything outside the Athena catalog, fails, is
        stopped or runs out of time.
        """
        return self._run(sql, tables, "athena", handle, timeout, _athena_frame)

    def query_arrow(
        self,
        sql: str,
        tables: dict[str, pd.DataFrame] | None = None,
        *,
        dialect: str = "athena",
        timeout: float = DEFAULT_QUERY_TIMEOUT,
    ) -> pa.Table:
        """The kit's own query (Athena SQL, or DuckDB SQL with ``dialect="duckdb"``), checked and run
        as :meth:`query`, its result as Arrow, columns as the SQL named them (the joins convert it)."""
        return self._run(sql, tables, dialect, None, timeout, _arrow_result)

    def _run(
        self,
        sql: str,
        tables: dict[str, pd.DataFrame] | None,
        dialect: str,
        handle: QueryHandle | None,
        timeout: float,
        fetch: Callable[[duckdb.DuckDBPyConnection, str], _Result],
    ) -> _Result:
        """What :meth:`query` promises, the result read by ``fetch(cursor, duckdb_sql)``."""
        cursor = self._con.cursor()
        try:
            duck_sql = sql if dialect == "duckdb" else self._athena_sql(sql, cursor, tables or {})
            for name, frame in (tables or {}).items():
                cursor.register(name, frame)
            with interruptible(cursor, handle or QueryHandle(), timeout):
                return fetch(cursor, duck_sql)
        except duckdb.Error as exc:
            raise ValidationException(f"Athena query failed: {_first_line(exc)}") from None
        finally:
            cursor.close()

    def _athena_sql(self, sql: str, cursor: duckdb.DuckDBPyConnection, tables: dict[str, pd.DataFrame]) -> str:
        """``sql`` as DuckDB SQL, once :mod:`local_backend.athena_guard` has let it through."""
        tree = duckdb_tree(sql)
        check_statement_kind(tree)
        check_relations(tree, lambda schema, name: self._relation_type(schema, name, cursor) is not None, tables)
        return mark_unnamed_columns(tree).sql(dialect="duckdb")

    def close(self) -> None:
        if self._con is not None:
            self._worker.close()
            self._con.close()
            self._con = None  # type: ignore[assignment]  # closed: never used again

    def athena_relations(self) -> dict[str, dict[str, list[tuple[str, str]]]]:
        """Database -> table -> its columns ((name, DuckDB type), in order): the Athena catalog.

        Every schema of the file but the kit's and the engine's own (``INTERNAL_SCHEMAS``) is a
        database, tables or none; a feature group's table is a view in :data:`DATABASE`, an
        external table a table. Read on a cursor of its own, so writers go on meanwhile.
        """
        cursor = self._con.cursor()
        try:
            schemas = cursor.execute(
                "SELECT schema_name FROM information_schema.schemata WHERE catalog_name = current_database()"
            ).fetchall()
            columns = cursor.execute(
                "SELECT table_schema, table_name, column_name, data_type FROM information_schema.columns "
                "WHERE table_catalog = current_database() ORDER BY table_schema, table_name, ordinal_position"
            ).fetchall()
        finally:
            cursor.close()
        catalog: dict[str, dict[str, list[tuple[str, str]]]] = {
            schema: {} for (schema,) in schemas if schema.lower() not in INTERNAL_SCHEMAS
        }
        for schema, table, column, kind in columns:
            if schema in catalog:
                catalog[schema].setdefault(table, []).append((column, kind))
        return catalog


def _watermarks(con: duckdb.DuckDBPyConnection) -> tuple[int, int]:
    seq, ait_us = con.execute("SELECT seq, ait_us FROM main.state").fetchone() or (-1, 0)  # one row
    return int(seq), int(ait_us)


def _athena_frame(cursor: duckdb.DuckDBPyConnection, sql: str) -> pd.DataFrame:
    """The result of Athena SQL (from :meth:`Database._athena_sql`) as Athena gives it: an unnamed
    column is ``_col<position>``, and DuckDB's HUGEINT (its sum of integers) a bigint, as Trino's
    sum is (a sum beyond the bigint range fails, as there)."""
    relation = cursor.sql(sql)
    kinds = [str(kind) for kind in relation.types]
    if any(name.startswith(UNNAMED_COLUMN) for name in relation.columns) or "HUGEINT" in kinds:
        relation = relation.project(", ".join(
            _athena_column(position, name, kind)
            for position, (name, kind) in enumerate(zip(relation.columns, kinds))
        ))
    return relation.df()


def _athena_column(position: int, name: str, kind: str) -> str:
    """The projection of the result's column at ``position`` (from 0) under its Athena name and type."""
    value = f"#{position + 1}" if kind != "HUGEINT" else f"CAST(#{position + 1} AS BIGINT)"
    return f"{value} AS {quote_identifier(f'_col{position}' if name.startswith(UNNAMED_COLUMN) else name)}"


def _arrow_result(cursor: duckdb.DuckDBPyConnection, sql: str) -> pa.Table:
    return cursor.sql(sql).to_arrow_table()  # not execute(): DuckDB would copy a DB-API result once more


class _Transaction:
    def __init__(self, con: duckdb.DuckDBPyConnection) -> None:
        self._con = con

    def __enter__(self) -> None:
        self._con.execute("BEGIN TRANSACTION")

    def __exit__(self, exc_type: object, *rest: object) -> None:
        self._con.execute("ROLLBACK" if exc_type else "COMMIT")


def _check_athena_database(schema: str) -> None:
    """Refuse an Athena database whose name is one of the kit's or DuckDB's own schemas."""
    if schema.lower() in INTERNAL_SCHEMAS:
        raise ValidationException(
            f"InvalidInputException: the database name '{schema}' is reserved by the local "
            f"engine ({', '.join(sorted(INTERNAL_SCHEMAS))}); choose another database name."
        )


def _connect(path: Path) -> duckdb.DuckDBPyConnection:
    try:
        return duckdb.connect(str(path))
    except duckdb.IOException as exc:
        holder = _LOCK_HOLDER.search(str(exc))
        who = f"process {holder.group(2)} ({holder.group(1)})" if holder and holder.group(2) else "another process"
        raise ResourceInUse(
            f"The local feature store at {path.parent} is in use by {who}. Stop that process, "
            "or set FEATURESTORE_HOME to another folder, or share one store between processes "
            "by running `featurestore-demo emulator` and pointing the AWS backend at it."
        ) from None


def _first_line(error: Exception) -> str:
    text = str(error).strip()
    return text.splitlines()[0] if text else type(error).__name__


def failed_write(path: Path, exc: duckdb.Error) -> ServiceUnavailable:
    """The ServiceUnavailable of a write the DuckDB file refused (disk full, ...)."""
    return ServiceUnavailable(
        f"The store {path} could not be written ({_first_line(exc)}); nothing was stored. "
        "Free disk space and retry."
    )
