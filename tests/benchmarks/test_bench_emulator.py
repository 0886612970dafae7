"""Online latency over the wire: boto3's get_record against the emulator (and real AWS if set).

The reference is the same boto3 call against a trivial keep-alive HTTP server answering the
very bytes the emulator answered (trivial_server.py): what boto3 and loopback HTTP cost with
no server work. Also on the same emulator, the cheapest boto3 call it answers (STS
GetCallerIdentity, served by moto in-process). A second row times GetRecord as a raw keep-alive
HTTP request (no boto3 signing or parsing), against the emulator and the trivial server.
Both rows also time the emulator's own HTTP server answering the same bytes from a one-line
application: the emulator's cost split into its HTTP layer and its application.
"""

from __future__ import annotations

import http.client
import os
from typing import NamedTuple

import boto3
import pytest

from featurestore_demo.schemas import USERS
from scenarios.emulator_backend import emulator_backend, fake_session, running_emulator
from tests.benchmarks.data import users_frame
from tests.benchmarks.trivial_server import (
    FIXED_ANSWER_SERVER,
    TRIVIAL_SERVER,
    FixedAnswerServer,
    TrivialServer,
    captured_response,
)

BOTO3_GROUP = "get_record, boto3 via the emulator"
RAW_GROUP = "raw keep-alive HTTP GetRecord, emulator"
RECORD = "user_0000042"
PATH = f"/FeatureGroup/users?RecordIdentifierValueAsString={RECORD}"
# The emulator reads the service from the credential scope; the signature is not checked.
RAW_HEADERS = {"Authorization": "AWS4-HMAC-SHA256 Credential=testing/20240101/us-east-1/sagemaker/aws4_request, "
                                "SignedHeaders=host, Signature=0"}


class Emulated(NamedTuple):
    runtime: object  # boto3's sagemaker-featurestore-runtime client
    sts: object
    url: str
    session: boto3.Session


@pytest.fixture(scope="module")
def emulated(tmp_path_factory: pytest.TempPathFactory):
    """Clients of an emulator whose users group holds 1,000 users."""
    with running_emulator(tmp_path_factory.mktemp("bench-emulator")) as emulator:
        backend = emulator_backend(emulator)
        backend.create_feature_group(USERS)
        backend.wait_for_status("users", "Created", timeout=30)
        backend.ingest("users", users_frame(1_000, versions=1).drop_duplicates("user_id"))
        session = fake_session(emulator)
        yield Emulated(session.client("sagemaker-featurestore-runtime", endpoint_url=emulator.url),
                       session.client("sts", endpoint_url=emulator.url), emulator.url, session)


def _host_port(url: str) -> tuple[str, int]:
    host, port = url.removeprefix("http://").rsplit(":", 1)
    return host, int(port)


@pytest.fixture(scope="module")
def trivial_server(emulated: Emulated):
    """A trivial keep-alive server answering the bytes of the emulator's GetRecord of RECORD."""
    response = captured_response(*_host_port(emulated.url), "GET", PATH, RAW_HEADERS)
    assert RECORD.encode() in response
    with TrivialServer(response) as server:
        yield server


@pytest.fixture(scope="module")
def fixed_answer_server(trivial_server):
    """The emulator's HTTP server answering the same bytes from a one-line WSGI application."""
    with FixedAnswerServer(trivial_server.response) as server:
        yield server


def test_get_record_via_boto3_against_the_emulator(benchmark, emulated: Emulated) -> None:
    benchmark.group = BOTO3_GROUP
    benchmark.extra_info["role"] = "kit"
    response = benchmark(emulated.runtime.get_record, FeatureGroupName="users", RecordIdentifierValueAsString=RECORD)
    assert {"FeatureName": "user_id", "ValueAsString": RECORD} in response["Record"]


def test_boto3_against_a_trivial_keep_alive_server(benchmark, emulated: Emulated, trivial_server) -> None:
    benchmark.group = BOTO3_GROUP
    benchmark.extra_info["role"] = TRIVIAL_SERVER
    runtime = emulated.session.client("sagemaker-featurestore-runtime", endpoint_url=trivial_server.url)
    response = benchmark(runtime.get_record, FeatureGroupName="users", RecordIdentifierValueAsString=RECORD)
    expected = emulated.runtime.get_record(FeatureGroupName="users", RecordIdentifierValueAsString=RECORD)
    assert response["Record"] == expected["Record"]  # the same answer, parsed by the same boto3


def test_boto3_against_the_emulators_http_server_with_a_fixed_answer(
    benchmark, emulated: Emulated, fixed_answer_server
) -> None:
    benchmark.group = BOTO3_GROUP
    benchmark.extra_info["role"] = FIXED_ANSWER_SERVER
    runtime = emulated.session.client("sagemaker-featurestore-runtime", endpoint_url=fixed_answer_server.url)
    response = benchmark(runtime.get_record, FeatureGroupName="users", RecordIdentifierValueAsString=RECORD)
    expected = emulated.runtime.get_record(FeatureGroupName="users", RecordIdentifierValueAsString=RECORD)
    assert response["Record"] == expected["Record"]


def test_boto3_floor_on_the_same_server(benchmark, emulated: Emulated) -> None:
    benchmark.group = BOTO3_GROUP
    benchmark.extra_info["role"] = "boto3 STS call, same emulator"
    assert benchmark(emulated.sts.get_caller_identity)["Account"]


def _raw_get(url: str):
    """GetRecord as a raw HTTP request on one kept-alive connection (reopened if the server closes it)."""
    connection = http.client.HTTPConnection(*_host_port(url), timeout=10)

    def get() -> bytes:
        connection.request("GET", PATH, headers=RAW_HEADERS)
        return connection.getresponse().read()

    return get, connection


def test_raw_http_get_record_against_the_emulator(benchmark, emulated: Emulated) -> None:
    benchmark.group = RAW_GROUP
    benchmark.extra_info["role"] = "kit"
    get, connection = _raw_get(emulated.url)
    assert RECORD.encode() in benchmark(get)
    connection.close()


def test_raw_http_get_record_against_a_trivial_server(benchmark, trivial_server) -> None:
    benchmark.group = RAW_GROUP
    benchmark.extra_info["role"] = "trivial keep-alive server, same bytes"
    get, connection = _raw_get(trivial_server.url)
    assert RECORD.encode() in benchmark(get)
    connection.close()


def test_raw_http_get_record_against_the_emulators_http_server_with_a_fixed_answer(
    benchmark, fixed_answer_server
) -> None:
    benchmark.group = RAW_GROUP
    benchmark.extra_info["role"] = FIXED_ANSWER_SERVER
    get, connection = _raw_get(fixed_answer_server.url)
    assert RECORD.encode() in benchmark(get)
    connection.close()


def _aws_skip_reason() -> str | None:
    if not os.environ.get("FEATURESTORE_BENCH_AWS_GROUP"):
        return "set FEATURESTORE_BENCH_AWS_GROUP (a group with a record 'user_0000042') to time real AWS"
    if boto3.Session().get_credentials() is None:
        return "FEATURESTORE_BENCH_AWS_GROUP is set but boto3 finds no AWS credentials"
    return None


@pytest.mark.aws
def test_get_record_via_boto3_against_aws(benchmark) -> None:
    reason = _aws_skip_reason()  # read here: the real environment is kept for tests marked aws
    if reason:
        pytest.skip(reason)
    benchmark.group = BOTO3_GROUP
    benchmark.extra_info["role"] = "real AWS"
    runtime = boto3.client("sagemaker-featurestore-runtime")
    group = os.environ["FEATURESTORE_BENCH_AWS_GROUP"]
    benchmark(runtime.get_record, FeatureGroupName=group, RecordIdentifierValueAsString=RECORD)
