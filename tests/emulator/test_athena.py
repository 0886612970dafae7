"""Athena of the emulator: lifecycle, results in S3, GetQueryResults, external tables (SAGEMAKER_SPEC §5)."""

from __future__ import annotations

import json
import time

import pytest

from emulator_helpers import record

OUTPUT = "s3://featurestore-demo-emulator/athena"


def _run(athena, sql: str, **context) -> dict:
    query_id = athena.start_query_execution(
        QueryString=sql, QueryExecutionContext={"Database": "sagemaker_featurestore", **context},
        ResultConfiguration={"OutputLocation": OUTPUT},
    )["QueryExecutionId"]
    states = []
    for _ in range(200):
        execution = athena.get_query_execution(QueryExecutionId=query_id)["QueryExecution"]
        states.append(execution["Status"]["State"])
        if states[-1] in ("SUCCEEDED", "FAILED", "CANCELLED"):
            execution["seen_states"] = states
            return execution
        time.sleep(0.01)
    raise AssertionError(f"query never finished: {states}")


@pytest.fixture
def table(sm, runtime, group) -> str:
    runtime.put_record(FeatureGroupName=group, Record=record(id="u1", age=30, score=0.5, event_time=100.0))
    runtime.put_record(FeatureGroupName=group, Record=record(id="u2", age=40, event_time=200.0))
    return sm.describe_feature_group(FeatureGroupName=group)["OfflineStoreConfig"]["DataCatalogConfig"]["TableName"]


def test_query_runs_queued_running_succeeded_and_writes_csv(athena, s3, table):
    execution = _run(athena, f'SELECT id, age FROM "{table}" ORDER BY id')
    assert execution["seen_states"][0] in ("QUEUED", "RUNNING") and execution["seen_states"][-1] == "SUCCEEDED"
    location = execution["ResultConfiguration"]["OutputLocation"]
    assert location == f"{OUTPUT}/{execution['QueryExecutionId']}.csv"
    key = location.removeprefix("s3://featurestore-demo-emulator/")
    body = s3.get_object(Bucket="featurestore-demo-emulator", Key=key)["Body"].read().decode()
    assert body == '"id","age"\n"u1","30"\n"u2","40"\n'
    metadata = s3.get_object(Bucket="featurestore-demo-emulator", Key=key + ".metadata")["Body"].read()
    # Departure from Athena (binary there): JSON of the result's ColumnInfo.
    assert [column["Name"] for column in json.loads(metadata)["ColumnInfo"]] == ["id", "age"]


def test_get_query_results_header_row_types_and_pages(athena, table):
    execution = _run(athena, f'SELECT id, age, score, is_deleted, write_time FROM "{table}" ORDER BY id')
    query_id = execution["QueryExecutionId"]
    first = athena.get_query_results(QueryExecutionId=query_id, MaxResults=2)
    info = first["ResultSet"]["ResultSetMetadata"]["ColumnInfo"]
    assert [(c["Name"], c["Type"]) for c in info] == [
        ("id", "varchar"), ("age", "bigint"), ("score", "double"), ("is_deleted", "boolean"),
        ("write_time", "timestamp"),
    ]
    rows = first["ResultSet"]["Rows"]
    assert [d["VarCharValue"] for d in rows[0]["Data"]] == ["id", "age", "score", "is_deleted", "write_time"]
    assert rows[1]["Data"][:4] == [{"VarCharValue": "u1"}, {"VarCharValue": "30"}, {"VarCharValue": "0.5"},
                                   {"VarCharValue": "false"}]
    second = athena.get_query_results(QueryExecutionId=query_id, MaxResults=2, NextToken=first["NextToken"])
    assert [row["Data"][0]["VarCharValue"] for row in second["ResultSet"]["Rows"]] == ["u2"]
    assert second["ResultSet"]["Rows"][0]["Data"][2] == {}  # NULL score: no VarCharValue
    assert "NextToken" not in second


@pytest.mark.parametrize(
    ("select", "columns"),
    [
        ("count(*), sum(age), avg(age), max(age) AS oldest, id, t.age",
         [("_col0", "bigint", "1"), ("_col1", "bigint", "30"), ("_col2", "double", "30.0"), ("oldest", "bigint", "30"),
          ("id", "varchar", "u1"), ("age", "bigint", "30")]),
        ("age + 1, 'x', (age)", [("_col0", "bigint", "31"), ("_col1", "varchar", "x"), ("age", "bigint", "30")]),
    ],
    ids=["aggregates", "expressions"],
)
def test_unnamed_columns_are_col_n_and_sums_of_integers_bigint_as_in_athena(athena, table, select, columns):
    execution = _run(athena, f"SELECT {select} FROM \"{table}\" t WHERE id = 'u1' GROUP BY id, t.age")
    result = athena.get_query_results(QueryExecutionId=execution["QueryExecutionId"])["ResultSet"]
    info = result["ResultSetMetadata"]["ColumnInfo"]
    values = [datum.get("VarCharValue") for datum in result["Rows"][1]["Data"]]
    assert [(c["Name"], c["Type"], value) for c, value in zip(info, values)] == columns


def test_a_star_over_a_subquery_counts_its_unnamed_columns_by_their_output_position(athena, table):
    execution = _run(athena, f'SELECT *, 1 FROM (SELECT count(*), 2 FROM "{table}") UNION ALL SELECT 7, 8, 9')
    result = athena.get_query_results(QueryExecutionId=execution["QueryExecutionId"])["ResultSet"]
    assert [c["Name"] for c in result["ResultSetMetadata"]["ColumnInfo"]] == ["_col0", "_col1", "_col2"]
    rows = [[datum["VarCharValue"] for datum in row["Data"]] for row in result["Rows"][1:]]
    assert rows == [["2", "2", "1"], ["7", "8", "9"]]


def test_a_sum_beyond_bigint_fails_as_an_overflow(athena, table):
    execution = _run(athena, f'SELECT sum(9223372036854775807) FROM "{table}"')
    assert execution["Status"]["State"] == "FAILED"
    assert "out of range" in execution["Status"]["StateChangeReason"]


def test_empty_result_still_has_its_header(athena, s3, table):
    execution = _run(athena, f"SELECT id FROM \"{table}\" WHERE id = 'nobody'")
    key = execution["ResultConfiguration"]["OutputLocation"].removeprefix("s3://featurestore-demo-emulator/")
    assert s3.get_object(Bucket="featurestore-demo-emulator", Key=key)["Body"].read() == b'"id"\n'


def test_failed_query_reports_reason_and_has_no_results(athena):
    execution = _run(athena, "SELEC nonsense")
    assert execution["Status"]["State"] == "FAILED"
    assert execution["Status"]["StateChangeReason"]
    with pytest.raises(athena.exceptions.InvalidRequestException):
        athena.get_query_results(QueryExecutionId=execution["QueryExecutionId"])


def test_unknown_query_execution_is_invalid_request(athena):
    with pytest.raises(athena.exceptions.InvalidRequestException) as excinfo:
        athena.get_query_execution(QueryExecutionId="00000000-0000-0000-0000-000000000000")
    assert "was not found" in excinfo.value.response["Error"]["Message"]


def test_create_external_table_reads_csv_from_s3_and_drop_removes_it(athena, s3):
    s3.put_object(Bucket="featurestore-demo-emulator", Key="ext/labels/part-0.csv", Body=b'"1","a,b"\n"2",""\n')
    ddl = _run(athena, "CREATE EXTERNAL TABLE labels_ext (`n` bigint, `s` string) ROW FORMAT SERDE "
                       "'org.apache.hadoop.hive.serde2.OpenCSVSerde' LOCATION 's3://featurestore-demo-emulator/ext/labels/'")
    assert (ddl["Status"]["State"], ddl["StatementType"]) == ("SUCCEEDED", "DDL")
    assert ddl["ResultConfiguration"]["OutputLocation"].endswith(".txt")
    query = _run(athena, "SELECT n + 1 AS m, s FROM labels_ext ORDER BY n")
    rows = athena.get_query_results(QueryExecutionId=query["QueryExecutionId"])["ResultSet"]["Rows"]
    assert [[d.get("VarCharValue") for d in row["Data"]] for row in rows] == [["m", "s"], ["2", "a,b"], ["3", ""]]
    assert _run(athena, "DROP TABLE labels_ext")["Status"]["State"] == "SUCCEEDED"
    assert _run(athena, "SELECT * FROM labels_ext")["Status"]["State"] == "FAILED"


def test_stop_and_list_query_executions(athena, table):
    execution = _run(athena, f'SELECT count(*) AS n FROM "{table}"')
    athena.stop_query_execution(QueryExecutionId=execution["QueryExecutionId"])  # finished: no change
    state = athena.get_query_execution(QueryExecutionId=execution["QueryExecutionId"])["QueryExecution"]["Status"]
    assert state["State"] == "SUCCEEDED"
    assert athena.list_query_executions(MaxResults=1)["QueryExecutionIds"] == [execution["QueryExecutionId"]]
