"""Query executions through the emulator, with boto3: what GetQueryExecution echoes,
BatchGetQueryExecution, GetQueryRuntimeStatistics, ExecutionParameters and ClientRequestToken."""

from __future__ import annotations

import json
import uuid

import botocore.session
import pytest
from botocore.exceptions import ClientError

from emulator_helpers import (
    ATHENA_OUTPUT,
    athena_call,
    error_code,
    finished,
    output_misfits,
    record,
    run_query,
    send,
    state,
)

MODEL = botocore.session.get_session().get_service_model("athena")
BUCKET = "featurestore-demo-emulator"
SIGNED_FOR_ATHENA = "AWS4-HMAC-SHA256 Credential=KEY/20240101/us-east-1/athena/aws4_request"


@pytest.fixture
def table(sm, runtime, group) -> str:
    runtime.put_record(FeatureGroupName=group, Record=record(id="u1", age=30, score=0.5, event_time=100.0))
    runtime.put_record(FeatureGroupName=group, Record=record(id="u2", age=40, score=1.5, event_time=200.0))
    return sm.describe_feature_group(FeatureGroupName=group)["OfflineStoreConfig"]["DataCatalogConfig"]["TableName"]


def _rows(athena, query_id: str) -> list[list[str | None]]:
    rows = athena.get_query_results(QueryExecutionId=query_id)["ResultSet"]["Rows"]
    return [[datum.get("VarCharValue") for datum in row["Data"]] for row in rows]


def test_get_query_execution_echoes_what_start_query_execution_set_but_the_parameters(athena, table):
    request = {
        "QueryExecutionContext": {"Database": "sagemaker_featurestore", "Catalog": "AwsDataCatalog"},
        "ResultConfiguration": {"OutputLocation": ATHENA_OUTPUT,
                                "EncryptionConfiguration": {"EncryptionOption": "SSE_KMS", "KmsKey": "alias/demo"},
                                "ExpectedBucketOwner": "123456789012",
                                "AclConfiguration": {"S3AclOption": "BUCKET_OWNER_FULL_CONTROL"}},
        "WorkGroup": "primary",
        "ExecutionParameters": ["'u2'"],
        "ResultReuseConfiguration": {"ResultReuseByAgeConfiguration": {"Enabled": True, "MaxAgeInMinutes": 60}},
    }
    execution = run_query(athena, f'SELECT id, age FROM "{table}" WHERE id = ?', **request)
    query_id = execution["QueryExecutionId"]
    assert execution["Status"]["State"] == "SUCCEEDED", execution["Status"]
    assert execution["Query"] == f'SELECT id, age FROM "{table}" WHERE id = ?'
    assert execution["QueryExecutionContext"] == request["QueryExecutionContext"]
    assert execution["ResultConfiguration"] == {**request["ResultConfiguration"],
                                                "OutputLocation": f"{ATHENA_OUTPUT}/{query_id}.csv"}
    assert execution["WorkGroup"] == "primary"
    assert "ExecutionParameters" not in execution  # "The list of parameters is not returned" (the model)
    member = MODEL.shape_for("QueryExecution").members["ExecutionParameters"]
    assert "not returned in the response" in member.documentation
    assert execution["ResultReuseConfiguration"] == request["ResultReuseConfiguration"]
    assert execution["Statistics"]["ResultReuseInformation"] == {"ReusedPreviousResult": False}
    assert execution["EngineVersion"] == {"SelectedEngineVersion": "AUTO",
                                          "EffectiveEngineVersion": "Athena engine version 3"}
    assert _rows(athena, query_id) == [["id", "age"], ["u2", "40"]]


def test_a_bare_query_echoes_an_empty_context_no_parameters_and_no_reuse(athena):
    execution = run_query(athena, "SELECT 1 AS one", QueryExecutionContext={})
    assert execution["QueryExecutionContext"] == {}
    output = f"{ATHENA_OUTPUT}/{execution['QueryExecutionId']}.csv"
    assert execution["ResultConfiguration"] == {"OutputLocation": output}
    assert execution["ResultReuseConfiguration"] == {"ResultReuseByAgeConfiguration": {"Enabled": False}}
    assert "ExecutionParameters" not in execution


def test_execution_parameters_fill_the_question_marks_in_order(athena, table):
    execution = run_query(athena, f"SELECT id, '?' AS mark FROM \"{table}\" WHERE age > ? AND id <> ? ORDER BY id",
                          ExecutionParameters=["10", "'u1'"])
    assert _rows(athena, execution["QueryExecutionId"]) == [["id", "mark"], ["u2", "?"]]


@pytest.mark.parametrize("sql, parameters, reason", [
    ("SELECT ? AS a, ? AS b", ["1"], "the query has 2 parameter(s) (?) but ExecutionParameters holds 1"),
    ("SELECT 1 AS a", ["1"], "the query has 0 parameter(s) (?) but ExecutionParameters holds 1"),
    ("SELECT ? AS a", ["1 FROM sagemaker_featurestore.x"], "is not one SQL value"),
])
def test_parameters_that_do_not_fit_fail_the_query(athena, sql, parameters, reason):
    execution = run_query(athena, sql, ExecutionParameters=parameters)
    assert execution["Status"]["State"] == "FAILED"
    assert execution["Status"]["StateChangeReason"].startswith("INVALID_PARAMETER_USAGE")
    assert reason in execution["Status"]["StateChangeReason"]


def test_batch_get_query_execution_answers_known_ids_and_lists_unknown_ones(athena, table):
    first = run_query(athena, f'SELECT count(*) AS n FROM "{table}"')
    second = run_query(athena, "SELEC nonsense")
    unknown = str(uuid.uuid4())
    answer = athena.batch_get_query_execution(
        QueryExecutionIds=[second["QueryExecutionId"], unknown, first["QueryExecutionId"]])
    assert answer["QueryExecutions"] == [second, first]
    assert answer["UnprocessedQueryExecutionIds"] == [
        {"QueryExecutionId": unknown, "ErrorCode": "InvalidRequestException",
         "ErrorMessage": f"QueryExecution {unknown} was not found"}]


def test_batch_get_query_execution_takes_at_most_the_models_count(athena):
    most = MODEL.shape_for("QueryExecutionIdList").metadata["max"]
    with pytest.raises(ClientError) as raised:
        athena.batch_get_query_execution(QueryExecutionIds=[str(uuid.uuid4()) for _ in range(most + 1)])
    error = raised.value.response["Error"]
    assert error["Code"] == "InvalidRequestException"
    assert error["Message"].endswith(f"Member must have length less than or equal to {most}")


def test_runtime_statistics_give_the_timeline_and_the_results_rows_and_bytes(athena, s3, table):
    execution = run_query(athena, f'SELECT id, age FROM "{table}" ORDER BY id')
    statistics = athena.get_query_runtime_statistics(QueryExecutionId=execution["QueryExecutionId"])
    timeline, rows = statistics["QueryRuntimeStatistics"]["Timeline"], statistics["QueryRuntimeStatistics"]["Rows"]
    assert set(timeline) == {"QueryQueueTimeInMillis", "EngineExecutionTimeInMillis",
                             "ServiceProcessingTimeInMillis", "TotalExecutionTimeInMillis"}
    assert all(isinstance(value, int) and value >= 0 for value in timeline.values())
    assert timeline["TotalExecutionTimeInMillis"] >= timeline["EngineExecutionTimeInMillis"]
    key = execution["ResultConfiguration"]["OutputLocation"].removeprefix(f"s3://{BUCKET}/")
    csv = s3.get_object(Bucket=BUCKET, Key=key)["Body"].read()
    assert rows == {"OutputRows": 2, "OutputBytes": len(csv)}
    assert {k: v for k, v in execution["Statistics"].items() if k in timeline} == timeline


def test_a_failed_query_has_a_timeline_and_no_rows(athena):
    execution = run_query(athena, "SELECT * FROM sagemaker_featurestore.no_such_table")
    assert execution["Status"]["State"] == "FAILED"
    statistics = athena.get_query_runtime_statistics(QueryExecutionId=execution["QueryExecutionId"])
    assert set(statistics["QueryRuntimeStatistics"]) == {"Timeline"}


def test_runtime_statistics_of_an_unknown_query_are_invalid_request(athena):
    with pytest.raises(athena.exceptions.InvalidRequestException):
        athena.get_query_runtime_statistics(QueryExecutionId=str(uuid.uuid4()))


def test_a_client_request_token_starts_one_query_only(emulator, athena, kept):
    token = uuid.uuid4().hex
    request = {"QueryString": "SELECT 1 AS one", "ClientRequestToken": token,
               "ResultConfiguration": {"OutputLocation": ATHENA_OUTPUT}}
    first = athena.start_query_execution(**request)["QueryExecutionId"]
    executions = athena.list_query_executions()["QueryExecutionIds"]
    assert athena.start_query_execution(**request)["QueryExecutionId"] == first
    assert athena.list_query_executions()["QueryExecutionIds"] == executions
    before = state(emulator, kept)
    with pytest.raises(athena.exceptions.InvalidRequestException):
        athena.start_query_execution(**{**request, "QueryString": "SELECT 2 AS two"})
    assert athena.list_query_executions()["QueryExecutionIds"] == executions
    assert state(emulator, kept) == before
    assert finished(athena, first)["Status"]["State"] == "SUCCEEDED"


@pytest.mark.parametrize("change, message", [
    ({"ResultConfiguration": {"OutputLocation": ATHENA_OUTPUT, "EncryptionConfiguration": {"EncryptionOption": "AES"}}},
     "Member must satisfy enum value set: [SSE_S3, SSE_KMS, CSE_KMS]"),
    ({"ResultConfiguration": {"OutputLocation": ATHENA_OUTPUT, "ExpectedBucketOwner": "12345"}},
     "Member must have length greater than or equal to 12"),
    ({"QueryExecutionContext": {"Database": ""}}, "Member must have length greater than or equal to 1"),
    ({"ExecutionParameters": [""]}, "Member must have length greater than or equal to 1"),
])
def test_start_query_execution_checks_its_members_against_the_model(emulator, athena, kept, change, message):
    before, executions = state(emulator, kept), athena.list_query_executions()["QueryExecutionIds"]
    status, answer = athena_call(emulator, "StartQueryExecution", {
        "QueryString": "SELECT 1", "ResultConfiguration": {"OutputLocation": ATHENA_OUTPUT}, **change})
    assert (status, answer["__type"]) == (400, "InvalidRequestException")
    assert answer["Message"].endswith(message)
    assert athena.list_query_executions()["QueryExecutionIds"] == executions
    assert state(emulator, kept) == before


def test_every_execution_answer_fits_the_models_output_shape(emulator, athena, table):
    execution = run_query(athena, f'SELECT id FROM "{table}" WHERE id = ?', ExecutionParameters=["'u1'"],
                          ResultConfiguration={"OutputLocation": ATHENA_OUTPUT,
                                               "EncryptionConfiguration": {"EncryptionOption": "SSE_S3"}})
    query_id = execution["QueryExecutionId"]
    for operation, body in {
        "GetQueryExecution": {"QueryExecutionId": query_id},
        "BatchGetQueryExecution": {"QueryExecutionIds": [query_id, "unknown"]},
        "GetQueryRuntimeStatistics": {"QueryExecutionId": query_id},
        "ListQueryExecutions": {"MaxResults": 2},
    }.items():
        status, answer = athena_call(emulator, operation, body)
        assert status == 200, (operation, answer)
        assert output_misfits("athena", operation, answer) == [], operation


def test_get_query_results_pages_are_at_most_the_models_largest(athena):
    query_id = run_query(athena, "SELECT 1 AS one")["QueryExecutionId"]
    most = MODEL.operation_model("GetQueryResults").input_shape.members["MaxResults"].metadata["max"]
    with pytest.raises(ClientError) as raised:
        athena.get_query_results(QueryExecutionId=query_id, MaxResults=most + 1)
    assert raised.value.response["Error"]["Code"] == "InvalidRequestException"
    assert raised.value.response["Error"]["Message"].endswith(f"Member must have value less than or equal to {most}")
    assert len(athena.get_query_results(QueryExecutionId=query_id)["ResultSet"]["Rows"]) == 2


def test_both_athena_protocols_reach_the_same_execution(emulator, athena, table):
    """botocore 1.44 speaks rest-json to Athena, earlier releases JSON 1.1: one execution, seen by both."""
    query_id = run_query(athena, f'SELECT count(*) AS n FROM "{table}"')["QueryExecutionId"]
    status, answer = athena_call(emulator, "GetQueryExecution", {"QueryExecutionId": query_id})
    assert status == 200 and answer["QueryExecution"]["Status"]["State"] == "SUCCEEDED"
    status, _, body = send(emulator, "GET", f"/query-executions/{query_id}/results?MaxResults=1", b"",
                                 {"Authorization": SIGNED_FOR_ATHENA})
    assert status == 200 and len(json.loads(body)["ResultSet"]["Rows"]) == 1


@pytest.mark.parametrize(("method", "path", "code", "status"), [
    ("GET", "/query-executions/nope/results?MaxResults=ten", "SerializationException", 400),
    ("DELETE", "/query-executions", "UnknownOperationException", 404),
    ("GET", "/no-such-resource", "UnknownOperationException", 404),
])
def test_a_rest_request_the_model_does_not_route_gets_athenas_error(emulator, method, path, code, status):
    answer_status, headers, body = send(emulator, method, path, b"", {"Authorization": SIGNED_FOR_ATHENA})
    assert (answer_status, error_code(headers, body)) == (status, code)
