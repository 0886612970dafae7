"""One Athena statement, run by the local backend: a query, CREATE EXTERNAL TABLE or DROP TABLE.

Execution parameters (StartQueryExecution's ``ExecutionParameters``) are SQL literals that
take the places of the statement's ``?`` in order, as Athena applies them. Queries go through the
backend's query path (Athena SQL translated to DuckDB), with
unqualified table names resolved in the execution's database, as Athena does.
``CREATE EXTERNAL TABLE ... LOCATION 's3://...'`` reads the CSV objects under the location
from the in-process S3 into a table of the declared column types; ``DROP TABLE`` drops it.

Departures from AWS: an external table is a snapshot of its S3 objects when it is created, not
a live view of the location; only CSV data is read (any ROW FORMAT / SERDE is read as CSV with
``"`` quotes); other DDL and DML (CTAS, INSERT, SHOW, DESCRIBE...) fail with
NOT_SUPPORTED.
"""

from __future__ import annotations

import csv
import io
from typing import Any

import pandas as pd
import sqlglot
from sqlglot import exp
from sqlglot.dialects.athena import Athena
from sqlglot.tokens import TokenType

from featurestore_demo.errors import ResourceInUse, ValidationException
from featurestore_demo.query_handle import QueryHandle
from local_backend.athena_sql import athena_statement
from local_backend.emulator.athena_results import ResultSet
from local_backend.emulator.s3_objects import S3Objects, split_s3_uri

__all__ = ["run_statement"]

SKIP_HEADER = "skip.header.line.count"


def run_statement(
    backend: Any, s3: S3Objects, sql: str, database: str | None, handle: QueryHandle,
    parameters: list[str] | None = None,
) -> tuple[str, ResultSet]:
    """Run ``sql`` with its ``?`` bound to ``parameters``; returns its StatementType (DDL or DML)
    and its result set. ``handle`` stops a query.

    ValidationException (the query's failure reason) if it cannot run.
    """
    tree = athena_statement(_bound(sql, parameters) if parameters else sql)
    if isinstance(tree, exp.Create) and str(tree.args.get("kind", "")).upper() == "TABLE":
        _create_external_table(backend, s3, tree, database)
        return "DDL", ResultSet()
    if isinstance(tree, exp.Drop) and str(tree.args.get("kind", "")).upper() == "TABLE":
        for table in tree.args.get("tables") or [tree.this]:
            backend.drop_external_table(table.db or database or "default", table.name,
                                        if_exists=bool(tree.args.get("exists")))
        return "DDL", ResultSet()
    if isinstance(tree, exp.Query):
        return "DML", ResultSet.from_frame(backend.query(_qualified(tree, database), handle=handle))
    raise ValidationException(f"NOT_SUPPORTED: the emulator runs queries, CREATE EXTERNAL TABLE and "
                              f"DROP TABLE only, not {tree.key.upper()}.")


def _bound(sql: str, parameters: list[str]) -> str:
    """``sql`` with its ``?`` (outside strings, quoted names and comments) replaced, in order,
    by the SQL literals ``parameters``."""
    try:
        places = [token for token in Athena().tokenize(sql) if token.token_type == TokenType.PLACEHOLDER
                  and token.text == "?"]
    except sqlglot.errors.TokenError as exc:
        raise ValidationException(f"SYNTAX_ERROR: {str(exc).strip().splitlines()[0]}") from None
    if len(places) != len(parameters):
        raise ValidationException(f"INVALID_PARAMETER_USAGE: the query has {len(places)} parameter(s) (?) "
                                  f"but ExecutionParameters holds {len(parameters)}.")
    values = []
    for text in parameters:
        value = athena_statement(f"SELECT {text}")
        if not isinstance(value, exp.Select) or len(value.expressions) != 1 or any(
                key != "expressions" and arg is not None for key, arg in value.args.items()):
            raise ValidationException(f"INVALID_PARAMETER_USAGE: the execution parameter {text!r} is not "
                                      "one SQL value (a string is quoted: 'text').")
        values.append(value.expressions[0].sql(dialect="athena"))  # a trailing -- comment is closed
    for token, text in reversed(list(zip(places, values))):
        sql = f"{sql[:token.start]}{text}{sql[token.end + 1:]}"
    return sql


def _qualified(tree: exp.Expr, database: str | None) -> str:
    """The query's SQL with unqualified table names put in ``database`` (CTE names left alone)."""
    if database:
        ctes = {cte.alias_or_name.lower() for cte in tree.find_all(exp.CTE)}
        for table in tree.find_all(exp.Table):
            if not table.db and table.name.lower() not in ctes and table.name:
                table.set("db", exp.to_identifier(database))
    return tree.sql(dialect="athena")


def _create_external_table(backend: Any, s3: S3Objects, tree: exp.Create, database: str | None) -> None:
    schema = tree.this
    if not isinstance(schema, exp.Schema):
        raise ValidationException("NOT_SUPPORTED: CREATE TABLE AS SELECT is not emulated; "
                                  "use CREATE EXTERNAL TABLE (...) LOCATION 's3://...'.")
    table = schema.this
    columns = [(column.name, column.args["kind"]) for column in schema.expressions
               if isinstance(column, exp.ColumnDef)]
    location, skip = _properties(tree)
    bucket, prefix = split_s3_uri(location)
    frame = _csv_frame(s3.read_prefix(bucket, prefix), columns, skip)
    duck_columns = [(name, kind.sql(dialect="duckdb")) for name, kind in columns]
    try:
        backend.create_external_table(table.db or database or "default", table.name, duck_columns, frame)
    except ResourceInUse:
        if not tree.args.get("exists"):  # IF NOT EXISTS
            raise ValidationException(f"AlreadyExistsException: Table {table.name} already exists.") from None


def _properties(tree: exp.Create) -> tuple[str, int]:
    location, skip = None, 0
    for prop in (tree.args.get("properties") or exp.Properties(expressions=[])).expressions:
        if isinstance(prop, exp.LocationProperty):
            location = prop.this.name
        elif isinstance(prop, exp.Property) and prop.name == SKIP_HEADER:
            skip = int(prop.args["value"].name)
    if location is None:
        raise ValidationException("SYNTAX_ERROR: CREATE EXTERNAL TABLE needs LOCATION 's3://bucket/prefix/'.")
    return location, skip


def _csv_frame(bodies: list[bytes], columns: list[tuple[str, exp.DataType]], skip: int) -> pd.DataFrame:
    """The CSV rows of every object as text columns; empty fields of non-text columns are NULL."""
    width = len(columns)
    rows: list[list[Any]] = []
    for body in bodies:
        lines = list(csv.reader(io.StringIO(body.decode("utf-8"))))[skip:]
        rows.extend((line + [""] * width)[:width] for line in lines if line)
    frame = pd.DataFrame(rows, columns=[name for name, _ in columns], dtype=object)
    for name, kind in columns:
        if not kind.is_type(*exp.DataType.TEXT_TYPES):
            frame[name] = frame[name].map(lambda text: None if text == "" else text).astype(object)
    return frame
