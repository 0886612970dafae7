"""Online latency over the wire: boto3's get_record against the emulator (and real AWS if set).

References on the same server: the same GetRecord as a raw HTTP request (what the server and
loopback cost without boto3's signing and parsing), and the cheapest boto3 call it answers
(STS GetCallerIdentity, served by moto in-process).
"""

from __future__ import annotations

import http.client
import os

import boto3
import pytest

from featurestore_demo.schemas import USERS
from scenarios.emulator_backend import emulator_backend, fake_session, running_emulator
from tests.benchmarks.data import users_frame


@pytest.fixture(scope="module")
def emulated(tmp_path_factory: pytest.TempPathFactory):
    """(runtime client, sts client) of an emulator whose users group holds 1,000 users."""
    with running_emulator(tmp_path_factory.mktemp("bench-emulator")) as emulator:
        backend = emulator_backend(emulator)
        backend.create_feature_group(USERS)
        backend.wait_for_status("users", "Created", timeout=30)
        backend.ingest("users", users_frame(1_000, versions=1).drop_duplicates("user_id"))
        session = fake_session(emulator)
        yield (session.client("sagemaker-featurestore-runtime", endpoint_url=emulator.url),
               session.client("sts", endpoint_url=emulator.url), emulator.url)


def test_get_record_via_boto3_against_the_emulator(benchmark, emulated) -> None:
    runtime, _, _ = emulated
    benchmark.group = "get_record, boto3 via the emulator"
    benchmark.extra_info["role"] = "kit"
    response = benchmark(runtime.get_record, FeatureGroupName="users", RecordIdentifierValueAsString="user_0000042")
    assert {"FeatureName": "user_id", "ValueAsString": "user_0000042"} in response["Record"]


def test_boto3_floor_on_the_same_server(benchmark, emulated) -> None:
    _, sts, _ = emulated
    benchmark.group = "get_record, boto3 via the emulator"
    benchmark.extra_info["role"] = "boto3 STS call, same server"
    assert benchmark(sts.get_caller_identity)["Account"]


def test_raw_http_get_record_on_the_same_server(benchmark, emulated) -> None:
    _, _, url = emulated
    benchmark.group = "get_record, boto3 via the emulator"
    benchmark.extra_info["role"] = "raw keep-alive HTTP GetRecord, same server"
    host, port = url.removeprefix("http://").split(":")
    # The emulator reads the service from the credential scope; the signature is not checked.
    headers = {"Authorization": "AWS4-HMAC-SHA256 Credential=testing/20240101/us-east-1/sagemaker/aws4_request, "
                                "SignedHeaders=host, Signature=0"}
    connection = http.client.HTTPConnection(host, int(port))  # one connection, reused as boto3's pool does

    def get() -> bytes:
        connection.request("GET", "/FeatureGroup/users?RecordIdentifierValueAsString=user_0000042", headers=headers)
        return connection.getresponse().read()

    try:
        assert b"user_0000042" in benchmark(get)
    finally:
        connection.close()


@pytest.mark.aws
@pytest.mark.skipif(not os.environ.get("FEATURESTORE_BENCH_AWS_GROUP"),
                    reason="set FEATURESTORE_BENCH_AWS_GROUP (a group with a record 'user_0000042') to time real AWS")
def test_get_record_via_boto3_against_aws(benchmark) -> None:
    benchmark.group = "get_record, boto3 via the emulator"
    benchmark.extra_info["role"] = "real AWS"
    runtime = boto3.client("sagemaker-featurestore-runtime")
    group = os.environ["FEATURESTORE_BENCH_AWS_GROUP"]
    benchmark(runtime.get_record, FeatureGroupName=group, RecordIdentifierValueAsString="user_0000042")
