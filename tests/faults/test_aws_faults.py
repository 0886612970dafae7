"""The AWS backend under faults: throttling and transient errors are retried, a cleanup that
meets missing or half-deleted resources finishes, and a wait that times out says what it waited for.

Everything runs on 127.0.0.1: a scripted HTTP server that fails a few times, or the emulator.
"""

from __future__ import annotations

import argparse
import json
from dataclasses import replace

import boto3
import pytest
from botocore.retries.standard import ExponentialBackoff

from featurestore_demo import cleanup_feature_store
from featurestore_demo.aws.backend import AwsBackend
from featurestore_demo.config import Settings
from featurestore_demo.demo.console import make_console
from featurestore_demo.demo.step import StepContext
from featurestore_demo.errors import FeatureStoreError
from featurestore_demo.runtime_types import WriteEntry
from featurestore_demo.schemas import DEMO_GROUPS, USERS
from featurestore_demo.wire_format import to_wire_record
from local_backend.emulator import Emulator
from scenarios.emulator_backend import emulator_backend, fake_session, running_emulator
from tests.robustness import ScriptedServer

ROLE, S3_URI = "arn:aws:iam::123456789012:role/r", "s3://bucket/prefix"
THROTTLED = (400, {"Content-Type": "application/x-amz-json-1.1"},
             b'{"__type": "ThrottlingException", "message": "Rate exceeded"}')
UNAVAILABLE = (503, {"x-amzn-ErrorType": "ServiceUnavailable"}, b'{"message": "Service Unavailable"}')
PUT_OK = (200, {"Content-Type": "application/json"}, b"{}")
DESCRIBED = (200, {"Content-Type": "application/x-amz-json-1.1"}, json.dumps({
    **USERS.to_create_request(role_arn=ROLE, s3_uri=S3_URI),
    "FeatureGroupArn": "arn:aws:sagemaker:us-east-1:123456789012:feature-group/users",
    "FeatureGroupStatus": "Created", "CreationTime": 1_700_000_000}).encode())


@pytest.fixture(autouse=True)
def _no_backoff(monkeypatch):
    """Retries without botocore's random back-off sleeps (up to seconds each)."""
    monkeypatch.setattr(ExponentialBackoff, "delay_amount", lambda self, context: 0.0)


def backend_at(url: str, max_attempts: int = 5) -> AwsBackend:
    session = boto3.Session(aws_access_key_id="k", aws_secret_access_key="s", region_name="us-east-1")
    return AwsBackend(settings=Settings(backend="aws"), session=session, endpoint_url=url,
                      role_arn=ROLE, s3_uri=S3_URI, max_attempts=max_attempts)


def test_throttled_control_plane_calls_are_retried_until_they_succeed():
    with ScriptedServer([THROTTLED, THROTTLED, DESCRIBED]) as server:
        described = backend_at(server.url).describe_feature_group("users")
    assert described["FeatureGroupName"] == "users"
    assert [target for _, _, target in server.requests] == ["SageMaker.DescribeFeatureGroup"] * 3


def test_unavailable_runtime_calls_are_retried_until_they_succeed():
    with ScriptedServer([DESCRIBED, UNAVAILABLE, UNAVAILABLE, PUT_OK]) as server:
        backend_at(server.url).put_record("users", {"user_id": "u1", "total_purchases": 1, "event_time": 1.0})
    assert [(method, path) for method, path, _ in server.requests[1:]] == [("PUT", "/FeatureGroup/users")] * 3


def test_retries_stop_at_max_attempts_with_the_service_error():
    with ScriptedServer([DESCRIBED, UNAVAILABLE]) as server, pytest.raises(FeatureStoreError) as raised:
        backend_at(server.url, max_attempts=3).put_record(
            "users", {"user_id": "u1", "total_purchases": 1, "event_time": 1.0})
    assert raised.value.code == "ServiceUnavailable" and "Service Unavailable" in str(raised.value)
    assert len(server.requests) == 1 + 3


def test_cleanup_finishes_over_missing_half_created_and_deleting_groups(tmp_path):
    """users: created, its offline bucket since removed; products: never created;
    transactions: deleted by another client a moment ago (still Deleting)."""
    with Emulator(tmp_path, port=0, creating_seconds=0.1, deleting_seconds=1.0, query_seconds=0.02) as emulator:
        backend = emulator_backend(emulator)
        settings = replace(backend.settings, prefix="c-")
        ctx = StepContext(backend, make_console(quiet=True), settings, argparse.Namespace())
        users, _, transactions = (ctx.spec(base) for base in DEMO_GROUPS)
        bucket = "half-created"
        s3 = fake_session(emulator).client("s3", endpoint_url=emulator.url)
        s3.create_bucket(Bucket=bucket)
        backend.create_feature_group(users, offline_s3_uri=f"s3://{bucket}/offline")
        backend.create_feature_group(transactions)
        for name in (users.name, transactions.name):
            backend.wait_for_status(name, timeout=30)
        s3.delete_bucket(Bucket=bucket)
        fake_session(emulator).client("sagemaker", endpoint_url=emulator.url).delete_feature_group(
            FeatureGroupName=transactions.name)

        cleanup_feature_store.run(ctx)

        backend.wait_for_status(transactions.name, "Deleted", timeout=30)
        assert backend.list_feature_groups("c-") == []


def test_a_feature_group_wait_that_times_out_says_what_it_waited_for(tmp_path):
    with running_emulator(tmp_path) as emulator:
        emulator.backend.lifecycle_seconds = 30.0
        backend = emulator_backend(emulator)
        backend.create_feature_group(USERS)
        with pytest.raises(TimeoutError) as raised:
            backend.wait_for_status("users", "Created", timeout=0.2)
    assert str(raised.value) == "Feature group 'users' was still Creating after 0.2 s (waited for Created)."


def test_an_athena_wait_that_times_out_names_the_query_and_stops_it(tmp_path):
    with running_emulator(tmp_path) as emulator:
        emulator.athena.min_seconds = 1.0  # stopping the emulator waits for the query's worker
        backend = emulator_backend(emulator)
        backend._athena.timeout = 0.2
        with pytest.raises(TimeoutError) as raised:
            backend.query("SELECT 1 AS one")
        query_id = str(raised.value).split()[2]
        athena = fake_session(emulator).client("athena", endpoint_url=emulator.url)
        state = athena.get_query_execution(QueryExecutionId=query_id)["QueryExecution"]["Status"]["State"]
    assert "(SELECT 1 AS one) still RUNNING after 0.2 s; stopped it." in str(raised.value)
    assert state == "CANCELLED"


def _batch_answer(errors: list, unprocessed: list) -> tuple[int, dict[str, str], bytes]:
    return 200, {"Content-Type": "application/json"}, json.dumps({"Errors": errors,
                                                                 "UnprocessedEntries": unprocessed}).encode()


def test_batch_write_maps_errors_back_by_entry_and_retries_the_unprocessed_ones():
    records = [{"user_id": f"u{i}", "total_purchases": i, "event_time": 1.0} for i in range(3)]
    sent = [{"FeatureGroupName": "users", "Record": to_wire_record(record),
             "TargetStores": ["OnlineStore", "OfflineStore"]} for record in records]
    first = _batch_answer([{"Entry": sent[1], "ErrorCode": "ValidationError", "ErrorMessage": "bad value"}],
                          [sent[2]])
    with ScriptedServer([DESCRIBED, first, _batch_answer([], [])]) as server:
        result = backend_at(server.url).batch_write_record([WriteEntry("users", record) for record in records])

    assert [(failure.position, failure.error.code, str(failure.error)) for failure in result.errors] == [
        (1, "ValidationException", "bad value")]
    assert result.unprocessed == []
    assert [path for _, path, _ in server.requests] == ["/", "/BatchWriteRecord", "/BatchWriteRecord"]


def test_batch_write_reports_entries_still_unprocessed_after_its_attempts():
    record = {"user_id": "u1", "total_purchases": 1, "event_time": 1.0}
    sent = {"FeatureGroupName": "users", "Record": to_wire_record(record),
            "TargetStores": ["OnlineStore", "OfflineStore"]}
    with ScriptedServer([DESCRIBED, _batch_answer([], [sent])]) as server:
        result = backend_at(server.url).batch_write_record([WriteEntry("users", record)])

    assert result.errors == [] and result.unprocessed == [0]
    assert len(server.requests) == 1 + 3  # the describe, then BATCH_ATTEMPTS calls
