"""Athena (Trino) SQL to DuckDB SQL, so the offline store answers the SQL of the Athena console.

sqlglot does most of the work; this module adds what it leaves out: the ``AwsDataCatalog``
catalog prefix, and Teradata-style ``to_timestamp(text, 'yyyy-mm-dd hh24:mi:ss')`` that the
SageMaker SDK writes for ``as_of``.
"""

from __future__ import annotations

import functools
import itertools

import sqlglot
from sqlglot import exp

from featurestore_demo.errors import ValidationException
from featurestore_demo.sql import DEFAULT_CATALOG

__all__ = ["to_duckdb", "duckdb_tree", "athena_statement", "mark_unnamed_columns", "UNNAMED_COLUMN"]

UNNAMED_COLUMN = "__athena_unnamed_"
"""The alias prefix :func:`mark_unnamed_columns` gives an unnamed output column."""

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


def mark_unnamed_columns(tree: exp.Expr) -> exp.Expr:
    """``tree`` with each column Athena leaves unnamed aliased ``UNNAMED_COLUMN<n>`` (in place).

    Trino names a column after its alias, or its column (``age``, ``t.age``), and calls any other
    expression ``_col<position>`` in the output (``count(*)``, ``age + 1``, ``'a'``); DuckDB would
    name it after its text (``count_star()``). Subqueries are marked too: their unnamed columns
    reach the output through a ``*`` unnamed. The caller renames the marked columns of the result
    after their positions there.
    """
    marks = (f"{UNNAMED_COLUMN}{number}" for number in itertools.count())
    for select in tree.find_all(exp.Select):
        select.set("expressions", [
            expression if _is_named(expression) else exp.alias_(expression, next(marks), quoted=True)
            for expression in select.expressions
        ])
    return tree


def _is_named(expression: exp.Expr) -> bool:
    """Whether Trino names this output column itself: an alias, a column, ``*`` or a field of a row."""
    if isinstance(expression, exp.Paren):
        expression = expression.unnest()
    return isinstance(expression, (exp.Alias, exp.Column, exp.Star, exp.Dot))


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
