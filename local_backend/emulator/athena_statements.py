"""One Athena statement, run by the local backend: a query, CREATE EXTERNAL TABLE, CREATE TABLE AS
SELECT (:mod:`.athena_ctas`) or DROP TABLE.

Execution parameters (StartQueryExecution's ``ExecutionParameters``) are SQL literals that
take the places of the statement's ``?`` in order, as Athena applies them. Queries go through the
backend's query path (Athena SQL translated to DuckDB), with
unqualified table names resolved in the execution's database, as Athena does.
``CREATE EXTERNAL TABLE ... LOCATION 's3://...'`` reads the CSV objects under the location
from the in-process S3 into a table of the declared column types; ``DROP TABLE`` drops a table
from Athena and from Glue (its objects stay in S3, as on AWS).

Departures from AWS: an external table is a snapshot of its S3 objects when it is created, not
a live view of the location; only CSV data is read (any ROW FORMAT / SERDE is read as CSV with
``"`` quotes); other DDL and DML (INSERT, SHOW, DESCRIBE...) fail with NOT_SUPPORTED.
"""

from __future__ import annotations

import csv
import io
from typing import TYPE_CHECKING, Any, NamedTuple

import pandas as pd
import sqlglot
from sqlglot import exp
from sqlglot.dialects.athena import Athena
from sqlglot.tokens import TokenType

from featurestore_demo.errors import ResourceInUse, ResourceNotFound, ValidationException
from featurestore_demo.query_handle import QueryHandle
from local_backend.athena_sql import athena_statement
from local_backend.emulator.athena_ctas import CtasPlace, create_table_as_select, ctas_query
from local_backend.emulator.athena_results import ResultSet
from local_backend.emulator.s3_objects import split_s3_uri

if TYPE_CHECKING:
    from local_backend.emulator.glue_tables import GlueTables

__all__ = ["Outcome", "run_statement"]

SKIP_HEADER = "skip.header.line.count"


class Outcome(NamedTuple):
    """What a statement did: its StatementType (DDL or DML) and SubstatementType, its result set,
    and for a CTAS the rows it wrote (UpdateCount) and the objects of its data manifest."""

    statement_type: str
    result: ResultSet
    substatement_type: str | None = None
    update_count: int | None = None
    written: list[str] | None = None
    written_bytes: int = 0


def run_statement(place: CtasPlace, sql: str, database: str | None, handle: QueryHandle,
                  parameters: list[str] | None = None) -> Outcome:
    """Run ``sql`` with its ``?`` bound to ``parameters`` on ``place.backend``, in ``database``;
    ``handle`` stops a query.

    ValidationException (the query's failure reason) if it cannot run.
    """
    backend = place.backend
    tree = athena_statement(_bound(sql, parameters) if parameters else sql)
    if isinstance(tree, exp.Create) and str(tree.args.get("kind", "")).upper() == "TABLE":
        if ctas_query(tree) is not None:
            written = create_table_as_select(
                place, tree, database, lambda query: backend.query(_qualified(query, database), handle=handle))
            return Outcome("DML", ResultSet(["rows"], ["bigint"]), "CREATE_TABLE_AS_SELECT", written.rows,
                           written.objects, written.bytes)
        _create_external_table(place, tree, database)
        return Outcome("DDL", ResultSet())
    if isinstance(tree, exp.Drop) and str(tree.args.get("kind", "")).upper() == "TABLE":
        for table in tree.args.get("tables") or [tree.this]:
            _drop_table(backend, place.glue, table.db or database or "default", table.name,
                        bool(tree.args.get("exists")))
        return Outcome("DDL", ResultSet())
    if isinstance(tree, exp.Query):
        return Outcome("DML", ResultSet.from_frame(backend.query(_qualified(tree, database), handle=handle)), "SELECT")
    raise ValidationException(f"NOT_SUPPORTED: the emulator runs queries, CREATE EXTERNAL TABLE, CREATE TABLE "
                              f"AS SELECT and DROP TABLE only, not {tree.key.upper()}.")


def _drop_table(backend: Any, glue: GlueTables | None, database: str, name: str, if_exists: bool) -> None:
    """DROP TABLE: the Athena table (a live feature group's is refused) and the Glue table go."""
    dropped = True
    try:
        backend.drop_external_table(database, name)
    except ResourceNotFound:
        dropped = False
    if glue is not None:
        in_glue = glue.delete_table(database, name) or glue.delete_table(database.lower(), name.lower())
        dropped = dropped or in_glue
    if not dropped and not if_exists:
        raise ResourceNotFound(f"Table {database}.{name} does not exist.")


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


def _create_external_table(place: CtasPlace, tree: exp.Create, database: str | None) -> None:
    backend, s3 = place.backend, place.s3
    schema = tree.this
    if not isinstance(schema, exp.Schema):
        raise ValidationException("NOT_SUPPORTED: CREATE TABLE needs a column list and LOCATION "
                                  "(CREATE EXTERNAL TABLE (...) LOCATION 's3://...'), or AS SELECT.")
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
