"""Athena (Trino) SQL to DuckDB SQL, so the offline store answers the SQL of the Athena console.

sqlglot does most of the work; this module adds what it leaves out: the ``AwsDataCatalog``
catalog prefix, and Teradata-style ``to_timestamp(text, 'yyyy-mm-dd hh24:mi:ss')`` that the
SageMaker SDK writes for ``as_of``.
"""

from __future__ import annotations

import functools

import sqlglot
from sqlglot import exp

from featurestore_demo.errors import ValidationException
from featurestore_demo.sql import DEFAULT_CATALOG

__all__ = ["to_duckdb", "duckdb_tree", "athena_statement"]

_TERADATA_TO_STRPTIME = (
    ("yyyy", "%Y"),
    ("mm", "%m"),
    ("dd", "%d"),
    ("hh24", "%H"),
    ("mi", "%M"),
    ("ss", "%S"),
)


@functools.lru_cache(maxsize=256)
def to_duckdb(sql: str) -> str:
    """One Athena statement as DuckDB SQL; ValidationException if it does not parse.

    Remembered: the point-in-time join translates the same pieces on every call (~5 ms each)."""
    return duckdb_tree(sql).sql(dialect="duckdb")


def duckdb_tree(sql: str) -> exp.Expr:
    """One Athena statement, parsed and rewritten for DuckDB; ValidationException if it does not parse."""
    return athena_statement(sql).transform(_rewrite)


def athena_statement(sql: str) -> exp.Expr:
    """One Athena statement, parsed as Athena wrote it; ValidationException (``SYNTAX_ERROR``) if
    it does not parse or the text holds more or fewer than one statement."""
    try:
        statements = [s for s in sqlglot.parse(sql, read="athena") if s is not None]
    except sqlglot.errors.ParseError as exc:
        raise ValidationException(f"SYNTAX_ERROR: Athena could not parse the query: {_first_line(exc)}") from None
    if len(statements) != 1:
        raise ValidationException(
            f"SYNTAX_ERROR: Athena runs one statement per query; this text has {len(statements)}."
        )
    return statements[0]


def _rewrite(node: exp.Expr) -> exp.Expr:
    if isinstance(node, exp.Table) and node.catalog.lower() == DEFAULT_CATALOG.lower():
        node = node.copy()
        node.set("catalog", None)
        return node
    if isinstance(node, exp.Anonymous) and node.name.lower() == "to_timestamp" and len(node.expressions) == 2:
        text, pattern = node.expressions
        if isinstance(pattern, exp.Literal) and pattern.is_string:
            return exp.func("strptime", text, exp.Literal.string(_strptime_format(pattern.this)))
    return node


def _strptime_format(teradata: str) -> str:
    result = teradata.lower()
    for source, target in _TERADATA_TO_STRPTIME:
        result = result.replace(source, target)
    return result


def _first_line(error: Exception) -> str:
    return str(error).strip().splitlines()[0] if str(error).strip() else type(error).__name__
