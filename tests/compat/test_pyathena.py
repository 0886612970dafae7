"""PyAthena (the DB-API driver for Athena), unmodified, against the emulator: its cursor, its
PandasCursor, parameters in both of its styles, and its metadata calls (ListDatabases,
GetTableMetadata, ListTableMetadata)."""

from __future__ import annotations

from datetime import datetime

import pytest

from compat_clients import require_client
from feature_tables import DATABASE, ROWS, users_table

pyathena = require_client("pyathena")
from pyathena.pandas.cursor import PandasCursor  # noqa: E402 - only once pyathena is known to be there

SELECT = 'SELECT user_id, age, score, event_time, is_deleted FROM "{table}" ORDER BY user_id, is_deleted'


@pytest.fixture(scope="module")
def table(s3_uri: str, role_arn: str) -> str:
    return users_table(s3_uri, role_arn, "pyathena")


@pytest.fixture
def connect(s3_uri: str):
    def connection(**options):
        return pyathena.connect(s3_staging_dir=f"{s3_uri}/pyathena/", schema_name=DATABASE, **options)
    return connection


def test_the_cursor_fetches_typed_rows(connect, table):
    with connect() as connection, connection.cursor() as cursor:
        assert cursor.execute(SELECT.format(table=table)).fetchall() == ROWS
        assert [(column[0], column[1]) for column in cursor.description] == [
            ("user_id", "varchar"), ("age", "bigint"), ("score", "double"), ("event_time", "double"),
            ("is_deleted", "boolean")]
        assert cursor.state == "SUCCEEDED" and cursor.output_location.endswith(f"{cursor.query_id}.csv")
        written = cursor.execute(f'SELECT write_time FROM "{table}" LIMIT 1').fetchone()[0]
        assert isinstance(written, datetime)


def test_pyformat_and_qmark_parameters(connect, table):
    with connect() as connection, connection.cursor() as cursor:
        older = cursor.execute(f'SELECT user_id FROM "{table}" WHERE age > %(least)s', {"least": 35}).fetchall()
        assert older == [("u2",)]
        one = cursor.execute(f'SELECT age FROM "{table}" WHERE user_id = ? AND NOT is_deleted', ["'u1'"],
                             paramstyle="qmark").fetchall()
        assert one == [(30,)]


def test_the_pandas_cursor_reads_the_result_csv(connect, table):
    with connect(cursor_class=PandasCursor) as connection, connection.cursor() as cursor:
        frame = cursor.execute(SELECT.format(table=table)).as_pandas()
    assert frame["user_id"].tolist() == ["u1", "u2", "u2"]
    assert frame["age"].tolist()[:2] == [30, 40] and frame["age"].isna().tolist() == [False, False, True]
    assert frame["is_deleted"].tolist() == [False, False, True]
    assert str(frame["age"].dtype) == "Int64" and str(frame["score"].dtype) == "float64"


def test_a_failing_query_raises_operational_error(connect):
    with connect() as connection, connection.cursor() as cursor, \
            pytest.raises(pyathena.error.OperationalError, match="TABLE_NOT_FOUND"):
        cursor.execute("SELECT * FROM no_such_table")


def test_metadata_calls_see_the_feature_groups_table(connect, table):
    with connect() as connection, connection.cursor() as cursor:
        databases = [database.name for database in cursor.list_databases(None)]
        assert {"default", DATABASE} <= set(databases)
        metadata = cursor.get_table_metadata(table)
        assert (metadata.name, metadata.table_type) == (table, "EXTERNAL_TABLE")
        assert [(column.name, column.type) for column in metadata.columns] == [
            ("user_id", "string"), ("age", "bigint"), ("score", "double"), ("event_time", "double"),
            ("write_time", "timestamp"), ("api_invocation_time", "timestamp"), ("is_deleted", "boolean")]
        assert metadata.partition_keys == []
        assert table in [listed.name for listed in cursor.list_table_metadata()]
