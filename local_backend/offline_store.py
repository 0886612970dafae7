"""The offline store: append-only history in a DuckDB file, queried with Athena SQL.

Each feature group has a history table ``history."<group>"`` holding every accepted put and
delete (so the online store can be rebuilt from it), and a view
``sagemaker_featurestore."<table>"`` showing what Athena shows: the features, then
``write_time``, ``api_invocation_time`` and ``is_deleted``, for the rows sent to the offline
store. The same file holds the feature-group catalog.

Athena SQL sees only the Athena catalog (:mod:`local_backend.athena_guard`): the connection
has file, URL and extension access off and its configuration locked, and each query runs on
a cursor of its own, so it never blocks writers and can be stopped (:class:`QueryHandle`).
"""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import duckdb
import pandas as pd

from featurestore_demo.errors import ResourceInUse, ServiceUnavailable, ValidationException
from featurestore_demo.query_handle import QueryHandle
from featurestore_demo.schemas import FeatureGroupSpec
from featurestore_demo.sql import DEFAULT_DATABASE, quote_identifier
from local_backend.athena_guard import INTERNAL_SCHEMAS, check_relations, check_statement_kind
from local_backend.athena_sql import duckdb_tree
from local_backend.history import ATHENA_COLUMNS, HISTORY_COLUMNS
from local_backend.running_query import DEFAULT_QUERY_TIMEOUT, interruptible

__all__ = ["OfflineStore", "DATABASE"]

DATABASE = DEFAULT_DATABASE
SQL_TYPES = {"Integral": "BIGINT", "Fractional": "DOUBLE", "String": "VARCHAR"}
_LOCK_HOLDER = re.compile(r"held in (.+?) \(PID (\d+)\)", re.IGNORECASE)  # paths may hold dots


class OfflineStore:
    """A DuckDB database file holding the catalog and every group's history."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self._con = _connect(path)
        self._con.execute("SET TimeZone = 'UTC'")
        # No query may read or write a host file, a URL or an extension, or change a setting.
        self._con.execute("SET enable_external_access = false; SET lock_configuration = true")
        self._con.execute(f"CREATE SCHEMA IF NOT EXISTS history; CREATE SCHEMA IF NOT EXISTS {DATABASE}")
        self._con.execute(
            "CREATE TABLE IF NOT EXISTS main.feature_groups (name VARCHAR PRIMARY KEY, description VARCHAR)"
        )

    # -- catalog

    def load_catalog(self) -> dict[str, dict[str, Any]]:
        """Feature-group name -> stored description (JSON-safe dict)."""
        rows = self._con.execute("SELECT name, description FROM main.feature_groups").fetchall()
        return {name: json.loads(description) for name, description in rows}

    def add_group(self, spec: FeatureGroupSpec, table: str, description: dict[str, Any]) -> None:
        """Create the group's history table and Athena view, and record it, in one transaction.

        ResourceInUse if the Athena table exists already (kept by a deleted group of that name
        created in the same second, or created through Athena).
        """
        if table and self._relation_type(DATABASE, table) is not None:
            raise ResourceInUse(
                f"Table {DATABASE}.{table} already exists: a deleted group kept its offline data there "
                "(keep_offline_data=True), or Athena created it. Drop it, or create the group a second later."
            )
        history = _history_table(spec.name)
        columns = [f"{quote_identifier(f.name)} {SQL_TYPES[f.type]}" for f in spec.features]
        columns += [f"{quote_identifier(column.name)} {column.sql_type}" for column in HISTORY_COLUMNS]
        with self._transaction():
            self._con.execute(f"CREATE TABLE {history} ({', '.join(columns)})")
            self._create_view(spec, table)
            self._con.execute(
                "INSERT INTO main.feature_groups VALUES (?, ?)", [spec.name, json.dumps(description)]
            )

    def add_features(self, spec: FeatureGroupSpec, table: str, added: tuple[str, ...]) -> None:
        """Add the ``added`` features of ``spec`` (already in it) as NULL columns, and show them."""
        with self._transaction():
            for name in added:
                kind = SQL_TYPES[spec.types[name]]
                self._con.execute(
                    f"ALTER TABLE {_history_table(spec.name)} ADD COLUMN {quote_identifier(name)} {kind}"
                )
            self._create_view(spec, table)

    def _create_view(self, spec: FeatureGroupSpec, table: str) -> None:
        """Show the group's offline rows as Athena's ``table``; an online-only group ("") has none."""
        if not table:
            return
        visible = ", ".join(quote_identifier(name) for name in spec.feature_names + list(ATHENA_COLUMNS))
        self._con.execute(
            f"CREATE OR REPLACE VIEW {DATABASE}.{quote_identifier(table)} AS SELECT {visible} "
            f"FROM {_history_table(spec.name)} WHERE __offline"
        )

    def drop_group(self, name: str, table: str, *, keep_rows: bool = False) -> None:
        """Remove the group's view, history and catalog entry, in one transaction.

        ``keep_rows`` keeps what the view shows as a plain table of the same name.
        """
        view = f"{DATABASE}.{quote_identifier(table)}"
        with self._transaction():
            if table and keep_rows:
                kept = quote_identifier(f"__kept_{table}")
                self._con.execute(f"CREATE TABLE {DATABASE}.{kept} AS SELECT * FROM {view}")
                self._con.execute(f"DROP VIEW {view}")
                self._con.execute(f"ALTER TABLE {DATABASE}.{kept} RENAME TO {quote_identifier(table)}")
            elif table:
                self._con.execute(f"DROP VIEW IF EXISTS {view}")
            self._con.execute(f"DROP TABLE IF EXISTS {_history_table(name)}")
            self._con.execute("DELETE FROM main.feature_groups WHERE name = ?", [name])

    def update_description(self, name: str, description: dict[str, Any]) -> None:
        self._con.execute(
            "UPDATE main.feature_groups SET description = ? WHERE name = ?",
            [json.dumps(description), name],
        )

    # -- history

    def append(self, rows: dict[str, pd.DataFrame]) -> None:
        """Append history rows (group -> frame; columns by name, absent ones NULL) in one transaction.

        ServiceUnavailable, with nothing appended, if the file cannot be written (disk full, ...).
        """
        try:
            with self._transaction():
                for group, frame in rows.items():
                    self._con.register("__incoming", frame)
                    try:
                        self._con.execute(f"INSERT INTO {_history_table(group)} BY NAME SELECT * FROM __incoming")
                    finally:
                        self._con.unregister("__incoming")
        except (duckdb.IOException, duckdb.TransactionException) as exc:  # a failed write, or commit
            raise ServiceUnavailable(
                f"The offline store {self.path} could not be written ({_first_line(exc)}); nothing "
                "was appended. Free disk space and retry."
            ) from exc

    def watermarks(self, groups: list[str]) -> tuple[int, int]:
        """(highest sequence number, latest api_invocation_time in epoch µs) over ``groups``.

        (-1, 0) when nothing is stored: where numbering and the write clock resume.
        """
        seq, ait_us = -1, 0
        for group in groups:
            top_seq, top_ait = self._con.execute(
                f"SELECT max(__seq), epoch_us(max(api_invocation_time)) FROM {_history_table(group)}"
            ).fetchone() or (None, None)  # an aggregate: always one row
            seq, ait_us = max(seq, -1 if top_seq is None else int(top_seq)), max(ait_us, top_ait or 0)
        return seq, ait_us

    def online_winners(self, spec: FeatureGroupSpec, equal_overwrites: bool) -> dict[str, Any]:
        """The winning put of each id whose online history is plain puts without a TTL.

        For such ids the replayed online state is simply the put with the newest event time
        (on a tie, the last one if equal event times overwrite, else the first), so it is
        computed in one vectorised query. Columns: the features and ``__event_seconds``.
        """
        history, rid = _history_table(spec.name), quote_identifier(spec.record_identifier_name)
        order = "DESC" if equal_overwrites else "ASC"
        select = ", ".join(quote_identifier(name) for name in spec.feature_names)
        return self._con.execute(
            f"SELECT {select}, __event_seconds FROM {history} WHERE __online AND {rid} NOT IN "
            f"(SELECT {rid} FROM {history} WHERE __online AND (__op <> 'put' OR __expires_at IS NOT NULL)) "
            f"QUALIFY row_number() OVER (PARTITION BY {rid} ORDER BY __event_seconds DESC, __seq {order}) = 1"
        ).fetchnumpy()

    def online_history(self, spec: FeatureGroupSpec) -> dict[str, Any]:
        """In sequence order, the online history of the ids that have a delete or a TTL.

        Columns: the features, ``__op``, ``__event_seconds``, ``__expires_at`` and
        ``api_invocation_time`` as epoch microseconds (the "now" of each write, for TTL).
        """
        history, rid = _history_table(spec.name), quote_identifier(spec.record_identifier_name)
        names = [*spec.feature_names, "__op", "__event_seconds", "__expires_at"]
        select = ", ".join(quote_identifier(name) for name in names)
        return self._con.execute(
            f"SELECT {select}, epoch_us(api_invocation_time) AS api_invocation_time FROM {history} "
            f"WHERE __online AND {rid} IN (SELECT {rid} FROM {history} "
            "WHERE __online AND (__op <> 'put' OR __expires_at IS NOT NULL)) ORDER BY __seq"
        ).fetchnumpy()

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
        with self._transaction():
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
        dialect: str = "athena",
        handle: QueryHandle | None = None,
        timeout: float = DEFAULT_QUERY_TIMEOUT,
    ) -> pd.DataFrame:
        """Run Athena SQL over the Athena catalog, or the kit's own DuckDB SQL (``dialect="duckdb"``).

        ``tables`` are registered under their names for this query only. The query runs on a
        cursor of its own (writers go on meanwhile); ``handle`` stops it from another thread,
        and it is interrupted after ``timeout`` seconds. ValidationException if the SQL does
        not parse, is not a query, names anything outside the Athena catalog, fails, is
        stopped or runs out of time.
        """
        cursor = self._con.cursor()
        try:
            duck_sql = sql if dialect == "duckdb" else self._athena_sql(sql, cursor, tables or {})
            for name, frame in (tables or {}).items():
                cursor.register(name, frame)
            with interruptible(cursor, handle or QueryHandle(), timeout):
                return cursor.execute(duck_sql).df()
        except duckdb.Error as exc:
            raise ValidationException(f"Athena query failed: {_first_line(exc)}") from None
        finally:
            cursor.close()

    def _athena_sql(self, sql: str, cursor: duckdb.DuckDBPyConnection, tables: dict[str, pd.DataFrame]) -> str:
        """``sql`` as DuckDB SQL, once :mod:`local_backend.athena_guard` has let it through."""
        tree = duckdb_tree(sql)
        check_statement_kind(tree)
        check_relations(tree, lambda schema, name: self._relation_type(schema, name, cursor) is not None, tables)
        return tree.sql(dialect="duckdb")

    def close(self) -> None:
        if self._con is not None:
            self._con.close()
            self._con = None  # type: ignore[assignment]  # closed: never used again

    def _transaction(self) -> _Transaction:
        return _Transaction(self._con)

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


def _history_table(group: str) -> str:
    return f"history.{quote_identifier(group)}"


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
