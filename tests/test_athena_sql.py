"""Athena SQL to DuckDB: what the SageMaker SDK and the Athena console write must run locally."""

from __future__ import annotations

from datetime import datetime, timezone

import duckdb
import pytest

from featurestore_demo.errors import ValidationException
from local_backend.athena_sql import to_duckdb


@pytest.fixture
def duck():
    con = duckdb.connect()
    con.execute("SET TimeZone = 'UTC'")
    con.execute("CREATE SCHEMA sagemaker_featurestore")
    con.execute("CREATE TABLE sagemaker_featurestore.users_1 AS SELECT 'u1' AS user_id, 7 AS n")
    yield con
    con.close()


def run(con, athena_sql: str):
    return con.execute(to_duckdb(athena_sql)).fetchall()


@pytest.mark.parametrize(
    "table",
    ['"AwsDataCatalog"."sagemaker_featurestore"."users_1"', "AwsDataCatalog.sagemaker_featurestore.users_1",
     "awsdatacatalog.sagemaker_featurestore.users_1", '"sagemaker_featurestore"."users_1"'],
)
def test_the_aws_data_catalog_prefix_is_dropped(duck, table):
    assert "awsdatacatalog" not in to_duckdb(f"SELECT n FROM {table}").lower()
    assert run(duck, f"SELECT n FROM {table}") == [(7,)]


def test_teradata_to_timestamp_of_the_sdk_as_of_runs(duck):
    # DatasetBuilder.as_of writes exactly this format (SAGEMAKER_SPEC §4).
    [(value,)] = run(duck, "SELECT to_timestamp('2024-01-02 03:04:05', 'yyyy-mm-dd hh24:mi:ss')")
    assert value.replace(tzinfo=None) == datetime(2024, 1, 2, 3, 4, 5)


def test_from_unixtime_reads_epoch_seconds(duck):
    [(value,)] = run(duck, "SELECT from_unixtime(1704164645.5)")
    assert value.astimezone(timezone.utc) == datetime(2024, 1, 2, 3, 4, 5, 500_000, tzinfo=timezone.utc)


@pytest.mark.parametrize(
    ("text", "expected"),
    [("2024-01-02T03:04:05Z", datetime(2024, 1, 2, 3, 4, 5, tzinfo=timezone.utc)),
     ("2024-01-02T03:04:05.123Z", datetime(2024, 1, 2, 3, 4, 5, 123_000, tzinfo=timezone.utc))],
)
def test_from_iso8601_timestamp_reads_event_times(duck, text, expected):
    [(value,)] = run(duck, f"SELECT from_iso8601_timestamp('{text}')")
    assert value.astimezone(timezone.utc) == expected


def test_the_two_agree_on_an_instant(duck):
    sql = "SELECT from_unixtime(1704164645) = from_iso8601_timestamp('2024-01-02T03:04:05Z')"
    assert run(duck, sql) == [(True,)]


def test_window_functions_and_quoted_dotted_columns_survive(duck):
    sql = ('SELECT n AS "n.1", row_number() OVER (PARTITION BY user_id ORDER BY n DESC) AS r '
           "FROM sagemaker_featurestore.users_1 WHERE NOT false")
    assert run(duck, sql) == [(7, 1)]


@pytest.mark.parametrize(
    ("sql", "fragment"),
    [("SELECT 1; SELECT 2", "one statement per query; this text has 2"), ("SELEC 1 FROM", "could not parse")],
)
def test_bad_sql_is_a_validation_error(sql, fragment):
    with pytest.raises(ValidationException, match=fragment):
        to_duckdb(sql)
