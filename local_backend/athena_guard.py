"""What Athena's SQL may touch: the Athena catalog, and nothing of the host or of the kit.

The DuckDB connection that runs Athena SQL already has file, URL and extension access off and
its configuration locked (:mod:`local_backend.offline_store`); this module is the second wall,
on the statement itself, before DuckDB sees it:

- only queries run (SELECT, WITH, VALUES, set operations); DDL, DML, SET, PRAGMA, ATTACH,
  COPY, INSTALL and LOAD are refused as Athena refuses what it does not support;
- every table a query names is a relation of the Athena catalog (a feature group's table in
  ``sagemaker_featurestore``, or an external table created through Athena), a CTE of the
  query, or a frame the kit registered for this query; no table functions (``read_text``,
  ``read_csv``, ``glob``, ``query_table``, ``duckdb_settings``...);
- no function that reads the engine's settings or variables.
"""

from __future__ import annotations

from collections.abc import Callable, Collection

from sqlglot import exp

from featurestore_demo.errors import ValidationException

__all__ = ["check_statement_kind", "check_relations", "INTERNAL_SCHEMAS"]

INTERNAL_SCHEMAS = frozenset({
    "main", "log", "offline_index", "offline_buffer", "information_schema", "pg_catalog", "temp", "system",
})
"""DuckDB schemas that hold the kit's own state or the engine's; never an Athena database."""
FORBIDDEN_FUNCTIONS = frozenset({"current_setting", "getvariable", "setvariable"})
FORBIDDEN_PREFIXES = ("duckdb_", "pragma_")


def check_statement_kind(tree: exp.Expr) -> None:
    """Refuse anything but a query, with Athena's NOT_SUPPORTED error."""
    if not isinstance(tree, exp.Query):
        raise ValidationException(
            f"NOT_SUPPORTED: only queries (SELECT, WITH, VALUES) run here, not {tree.key.upper()}. "
            "Create and drop external tables through Athena's StartQueryExecution."
        )


def check_relations(
    tree: exp.Expr, is_athena_table: Callable[[str, str], bool], registered: Collection[str] = ()
) -> None:
    """Refuse a query naming a relation outside the Athena catalog, a table function or a settings function.

    ``is_athena_table(database, table)`` says whether a relation is in the Athena catalog;
    ``registered`` are the names of frames registered for this query alone.
    """
    ctes = {cte.alias_or_name.lower() for cte in tree.find_all(exp.CTE)}
    local = ctes | {name.lower() for name in registered}
    for table in tree.find_all(exp.Table):
        _check_table(table, is_athena_table, local)
    for function in tree.find_all(exp.Func):
        name = (function.name if isinstance(function, exp.Anonymous) else function.sql_name()).lower()
        if name in FORBIDDEN_FUNCTIONS or name.startswith(FORBIDDEN_PREFIXES):
            raise ValidationException(f"FUNCTION_NOT_FOUND: Function '{name}' not registered.")


def _check_table(table: exp.Table, is_athena_table: Callable[[str, str], bool], local: set[str]) -> None:
    if not isinstance(table.this, exp.Identifier):
        raise ValidationException(
            f"NOT_SUPPORTED: table functions are not available in Athena queries ({table.sql()[:80]}). "
            "Query the feature groups' tables in sagemaker_featurestore, or an external table."
        )
    database, name = table.db.lower(), table.name.lower()
    if table.catalog or (not database and name not in local) or (
        database and (database in INTERNAL_SCHEMAS or not is_athena_table(database, name))
    ):
        where = ".".join(part for part in (table.catalog, table.db, table.name) if part)
        raise ValidationException(
            f"TABLE_NOT_FOUND: Table '{where}' does not exist. Name a table of the Athena catalog "
            "as \"sagemaker_featurestore\".\"<table>\" (DescribeFeatureGroup's "
            "OfflineStoreConfig.DataCatalogConfig.TableName) or database.table of an external table."
        )
