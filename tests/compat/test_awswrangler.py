"""awswrangler (AWS SDK for pandas), unmodified, reads a feature group's offline store through
the emulator's Athena: GetWorkGroup, StartQueryExecution, GetQueryExecution, GetQueryResults
and the result CSV in S3, as on AWS.

``ctas_approach=True`` (awswrangler's default) is not tested: it runs CREATE TABLE AS SELECT to
Parquet in S3 and reads the table back through Glue, which the emulator does not do (the query
fails with NOT_SUPPORTED); every call here passes ``ctas_approach=False``.
"""

from __future__ import annotations

import boto3
import pandas as pd
import pytest

from compat_clients import require_client
from feature_tables import DATABASE, ROWS, users_table

wr = require_client("awswrangler")

# awswrangler 3.x passes pandas 3's deprecated ``copy=`` to ``pd.concat``; that is its own business.
pytestmark = pytest.mark.filterwarnings("ignore:The copy keyword is deprecated:DeprecationWarning")


@pytest.fixture(scope="module")
def table(s3_uri: str, role_arn: str) -> str:
    return users_table(s3_uri, role_arn, "wrangler")


@pytest.fixture(scope="module")
def output(s3_uri: str) -> str:
    return f"{s3_uri}/awswrangler/"


def test_read_sql_query_returns_the_offline_rows_with_their_types(table, output):
    frame = wr.athena.read_sql_query(
        f'SELECT user_id, age, score, event_time, is_deleted, write_time FROM "{table}" ORDER BY user_id, is_deleted',
        database=DATABASE, ctas_approach=False, s3_output=output)
    rows = [(r.user_id, None if pd.isna(r.age) else int(r.age), None if pd.isna(r.score) else r.score,
             r.event_time, bool(r.is_deleted)) for r in frame.itertuples()]
    assert rows == ROWS
    assert {column: str(dtype) for column, dtype in frame.dtypes.items()} == {
        "user_id": "string", "age": "Int64", "score": "float64", "event_time": "float64",
        "is_deleted": "boolean", "write_time": "datetime64[us]"}
    assert frame["write_time"].notna().all()


def test_read_sql_table_reads_the_whole_table(table, output):
    frame = wr.athena.read_sql_table(table=table, database=DATABASE, ctas_approach=False, s3_output=output)
    assert list(frame.columns) == ["user_id", "age", "score", "event_time", "write_time", "api_invocation_time",
                                   "is_deleted"]
    assert sorted(frame["user_id"]) == ["u1", "u2", "u2"]


def test_named_and_qmark_parameters(table, output):
    named = wr.athena.read_sql_query(f'SELECT user_id FROM "{table}" WHERE age > :least', params={"least": 35},
                                     database=DATABASE, ctas_approach=False, s3_output=output)
    assert named["user_id"].tolist() == ["u2"]
    qmark = wr.athena.read_sql_query(f'SELECT user_id, age FROM "{table}" WHERE user_id = ? AND NOT is_deleted',
                                     params=["'u1'"], paramstyle="qmark",
                                     database=DATABASE, ctas_approach=False, s3_output=output)
    assert qmark.values.tolist() == [["u1", 30]]


def test_without_s3_output_results_go_to_the_default_athena_bucket(table):
    with pytest.warns(UserWarning, match="No `s3_output` was provided"):
        frame = wr.athena.read_sql_query(f'SELECT count(*) AS n FROM "{table}"', database=DATABASE,
                                         ctas_approach=False)
    assert frame["n"].tolist() == [3]
    bucket = "aws-athena-query-results-123456789012-us-east-1"
    assert boto3.client("s3").list_objects_v2(Bucket=bucket)["KeyCount"] >= 2  # <id>.csv and .csv.metadata


def test_a_failing_query_raises_awswranglers_query_failed(output):
    with pytest.raises(wr.exceptions.QueryFailed, match="TABLE_NOT_FOUND"):
        wr.athena.read_sql_query("SELECT * FROM no_such_table", database=DATABASE, ctas_approach=False,
                                 s3_output=output)


def test_start_query_execution_wait_and_the_workgroup(output):
    execution = wr.athena.start_query_execution("SELECT 1 AS one", s3_output=output, wait=True)
    assert execution["Status"]["State"] == "SUCCEEDED"
    assert execution["WorkGroup"] == "primary"
    assert wr.athena.get_work_group(workgroup="primary")["WorkGroup"]["State"] == "ENABLED"


def test_catalog_table_describes_the_groups_glue_table(table):
    """The Glue table CreateFeatureGroup made: the features, then the offline store's own columns."""
    columns = wr.catalog.table(database=DATABASE, table=table)
    assert columns[["Column Name", "Type", "Partition"]].values.tolist() == [
        ["user_id", "string", False], ["age", "bigint", False], ["score", "double", False],
        ["event_time", "double", False], ["write_time", "timestamp", False],
        ["api_invocation_time", "timestamp", False], ["is_deleted", "boolean", False]]
    location = wr.catalog.get_table_location(database=DATABASE, table=table)
    assert location.endswith("/data") and "/sagemaker/us-east-1/offline-store/" in location


def test_catalog_delete_table_if_exists_takes_a_deleted_groups_athena_table_with_it(s3_uri, role_arn, output):
    kept = users_table(s3_uri, role_arn, "wrangler-kept")
    group = kept.rsplit("_", 1)[0].replace("_", "-")  # the generated name: the group's, lowercase, "_<epoch>"
    boto3.client("sagemaker").delete_feature_group(FeatureGroupName=group)
    rows = wr.athena.read_sql_query(f'SELECT count(*) AS n FROM "{kept}"', database=DATABASE,
                                    ctas_approach=False, s3_output=output)
    assert rows["n"].tolist() == [3]  # DeleteFeatureGroup leaves the offline data, as on AWS

    assert wr.catalog.delete_table_if_exists(database=DATABASE, table=kept) is True

    assert not wr.catalog.does_table_exist(database=DATABASE, table=kept)
    with pytest.raises(wr.exceptions.QueryFailed, match="TABLE_NOT_FOUND"):
        wr.athena.read_sql_query(f'SELECT count(*) FROM "{kept}"', database=DATABASE, ctas_approach=False,
                                 s3_output=output)
