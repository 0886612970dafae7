"""awswrangler (AWS SDK for pandas), unmodified, reads a feature group's offline store through
the emulator's Athena: GetWorkGroup, StartQueryExecution, GetQueryExecution, GetQueryResults
and the result CSV in S3, as on AWS (``ctas_approach=False``); and, with ``ctas_approach=True``
(its default), CREATE TABLE AS SELECT to Parquet in S3, the data manifest, the Parquet objects
read back, and the temporary table deleted through Glue.
"""

from __future__ import annotations

import io

import boto3
import pandas as pd
import pyarrow.parquet as pq
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


# ---------------------------------------------------------------- ctas_approach=True (awswrangler's default)

QUERY = 'SELECT user_id, age, score, event_time, is_deleted, write_time FROM "{table}" ORDER BY user_id, is_deleted'


def _objects(prefix: str) -> list[str]:
    bucket, _, key = prefix.removeprefix("s3://").partition("/")
    listing = boto3.client("s3").list_objects_v2(Bucket=bucket, Prefix=key)
    return [item["Key"] for item in listing.get("Contents", [])]


def test_ctas_approach_returns_the_frame_of_the_plain_approach(table, output):
    """CREATE TABLE AS SELECT to Parquet, the manifest, the Parquet read back, then the temporary
    table dropped through Glue and (keep_files=False) the objects the manifest lists deleted: the
    frame is the one ctas_approach=False returns, row for row and dtype for dtype, but for the
    timestamp's unit (Athena writes Parquet timestamps as INT96, which pyarrow reads in
    nanoseconds; the CSV path parses microseconds)."""
    plain = wr.athena.read_sql_query(QUERY.format(table=table), database=DATABASE, ctas_approach=False,
                                     s3_output=output)
    ctas = wr.athena.read_sql_query(QUERY.format(table=table), database=DATABASE, ctas_approach=True,
                                    s3_output=output, keep_files=False)

    execution = ctas.query_metadata
    assert (execution["StatementType"], execution["SubstatementType"]) == ("DML", "CREATE_TABLE_AS_SELECT")
    assert execution["Statistics"]["DataManifestLocation"].endswith(f"{execution['QueryExecutionId']}-manifest.csv")
    assert {column: str(dtype) for column, dtype in ctas.dtypes.items()} == {
        "user_id": "string", "age": "Int64", "score": "float64", "event_time": "float64",
        "is_deleted": "boolean", "write_time": "datetime64[ns]"}
    assert str(plain["write_time"].dtype) == "datetime64[us]"
    pd.testing.assert_frame_equal(ctas, plain, check_dtype=False)
    pd.testing.assert_frame_equal(ctas.drop(columns="write_time"), plain.drop(columns="write_time"))

    temporary = execution["Query"].split('"')[3]
    assert temporary.startswith("temp_table_")
    assert not wr.catalog.does_table_exist(database=DATABASE, table=temporary)
    with pytest.raises(wr.exceptions.QueryFailed, match="TABLE_NOT_FOUND"):
        wr.athena.read_sql_query(f'SELECT * FROM "{temporary}"', database=DATABASE, ctas_approach=False,
                                 s3_output=output)
    assert _objects(f"{output}{temporary}/") == []  # the data file, read then deleted
    assert [key for key in _objects(output) if execution["QueryExecutionId"] in key] == []  # manifest, metadata


def test_ctas_approach_with_an_empty_result_reads_the_types_from_glue(table, output):
    frame = wr.athena.read_sql_query(f"SELECT user_id, age, write_time FROM \"{table}\" WHERE user_id = 'nobody'",
                                     database=DATABASE, ctas_approach=True, s3_output=output)
    assert frame.empty  # no Parquet object was written: awswrangler casts the Glue table's types
    assert {column: str(dtype) for column, dtype in frame.dtypes.items() if column != "write_time"} == {
        "user_id": "string", "age": "Int64"}
    assert pd.api.types.is_datetime64_any_dtype(frame["write_time"])


def test_ctas_approach_with_parameters_and_a_kept_table(table, output):
    frame = wr.athena.read_sql_query(f'SELECT user_id, age FROM "{table}" WHERE age > :least', params={"least": 35},
                                     database=DATABASE, ctas_approach=True, s3_output=output,
                                     ctas_parameters={"temp_table_name": "kept_ctas", "compression": "snappy"})
    assert frame.values.tolist() == [["u2", 40]]
    assert not wr.catalog.does_table_exist(database=DATABASE, table="kept_ctas")  # the table goes in any case
    files = _objects(f"{output}kept_ctas/")
    assert len(files) == 1  # keep_files (True by default): the Parquet object stays
    body = boto3.client("s3").get_object(Bucket=output.split("/")[2], Key=files[0])["Body"].read()
    metadata = pq.ParquetFile(io.BytesIO(body)).metadata
    assert metadata.num_rows == 1 and metadata.row_group(0).column(0).compression == "SNAPPY"


def test_create_ctas_table_partitioned_lands_in_glue_and_athena(table, output):
    created = wr.athena.create_ctas_table(
        sql=f'SELECT user_id, age, is_deleted FROM "{table}"', database=DATABASE, ctas_table="by_deleted",
        s3_output=output, partitioning_info=["is_deleted"], wait=True)
    assert created["ctas_query_metadata"].raw_payload["Status"]["State"] == "SUCCEEDED"
    assert wr.catalog.get_table_types(database=DATABASE, table="by_deleted") == {
        "user_id": "string", "age": "bigint", "is_deleted": "boolean"}
    assert sorted(wr.catalog.get_partitions(database=DATABASE, table="by_deleted").values()) == [["false"], ["true"]]
    counted = wr.athena.read_sql_query('SELECT is_deleted, count(*) AS n FROM by_deleted GROUP BY 1 ORDER BY 1',
                                       database=DATABASE, ctas_approach=False, s3_output=output)
    assert counted.values.tolist() == [[False, 2], [True, 1]]
    assert wr.catalog.delete_table_if_exists(database=DATABASE, table="by_deleted") is True
    with pytest.raises(wr.exceptions.QueryFailed, match="HIVE_PATH_ALREADY_EXISTS"):  # Athena leaves the data
        wr.athena.create_ctas_table(sql="SELECT 1 AS one", database=DATABASE, ctas_table="by_deleted",
                                    s3_output=output, wait=True)
