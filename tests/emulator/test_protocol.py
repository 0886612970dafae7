"""What every emulated service does with bad requests, and what moto serves beside them."""

from __future__ import annotations

import json

import botocore.session
import pytest
from werkzeug.test import Client

from emulator_helpers import raw_post, served_operations
from featurestore_demo.errors import FeatureStoreError, ServiceUnavailable, from_aws_code
from local_backend.emulator.athena import AthenaService
from local_backend.emulator.router import Router
from local_backend.emulator.runtime import RuntimeService
from local_backend.emulator.sagemaker import Deletions, SageMakerService
from local_backend.emulator.wire import MAX_BODY_BYTES

JSON11 = "application/x-amz-json-1.1"
RUNTIME_MODEL = botocore.session.get_session().get_service_model("sagemaker-featurestore-runtime")


def modeled_status(code: str) -> int:
    """The HTTP status the runtime's service model gives the error ``code``."""
    return RUNTIME_MODEL.shape_for(code).metadata["error"]["httpStatusCode"]


def runtime_errors() -> list[str]:
    """Every error the runtime's model gives an operation the emulator serves, once each."""
    served = served_operations("sagemaker-featurestore-runtime")
    return sorted({shape.name for name in served for shape in RUNTIME_MODEL.operation_model(name).error_shapes})


def test_malformed_json_is_serialization_exception(emulator):
    status, _, body = raw_post(emulator, "/", b"{not json", {"X-Amz-Target": "SageMaker.ListFeatureGroups",
                                                             "Content-Type": JSON11})
    assert status == 400 and body["__type"] == "SerializationException"


@pytest.mark.parametrize("target", ["SageMaker.CreateEndpoint", "AmazonAthena.Bogus"])
def test_unknown_operation_is_unknown_operation_exception(emulator, target):
    status, _, body = raw_post(emulator, "/", b"{}", {"X-Amz-Target": target, "Content-Type": JSON11})
    assert status == 400 and body["__type"] == "UnknownOperationException"


def test_body_over_350_kb_is_refused_on_both_protocols(emulator):
    big = b'{"x": "' + b"a" * MAX_BODY_BYTES + b'"}'
    status, _, body = raw_post(emulator, "/", big, {"X-Amz-Target": "SageMaker.ListFeatureGroups"})
    assert status == 400 and body["__type"] == "ValidationException" and "350 KB" in body["message"]
    status, headers, body = raw_post(emulator, "/BatchGetRecord", big, {"Content-Type": "application/json"})
    assert status == 400 and headers["x-amzn-ErrorType"] == "ValidationError"


def test_unknown_runtime_path_is_404(emulator):
    status, headers, _ = raw_post(emulator, "/FeatureGroupz", b"{}", {
        "Authorization": "AWS4-HMAC-SHA256 Credential=k/20240101/us-east-1/sagemaker/aws4_request, Signature=x"})
    assert status == 404 and headers["x-amzn-ErrorType"] == "UnknownOperationException"


class _Broken:
    def list_feature_groups(self, *args, **kwargs):
        raise RuntimeError("boom")

    def get_record(self, *args, **kwargs):
        raise KeyError("boom")


def test_unexpected_errors_are_internal_failure_500_not_a_crash(caplog):
    router = Router(SageMakerService(_Broken(), Deletions(0)), RuntimeService(_Broken()), None, fallback=None)
    client = Client(router)
    response = client.post("/", data=b"{}", headers={"X-Amz-Target": "SageMaker.ListFeatureGroups"})
    assert response.status_code == 500 and json.loads(response.data)["__type"] == "InternalFailure"
    response = client.get("/FeatureGroup/g?RecordIdentifierValueAsString=1")
    assert response.status_code == 500 and response.headers["x-amzn-ErrorType"] == "InternalFailure"
    assert "Unexpected error" in caplog.text


def test_s3_and_sts_are_served_by_moto(clients):
    clients["s3"].put_object(Bucket="featurestore-demo-emulator", Key="hello.txt", Body=b"hi")
    assert clients["s3"].get_object(Bucket="featurestore-demo-emulator", Key="hello.txt")["Body"].read() == b"hi"
    assert clients["sts"].get_caller_identity()["Account"] == "123456789012"


def test_kit_errors_keep_their_code_on_the_wire():
    response = SageMakerService.error(FeatureStoreError("x"))
    assert (response.status, json.loads(response.body)) == (400, {"__type": "InternalFailure", "message": "x"})


def test_service_unavailable_is_503_on_every_emulated_protocol():
    error = ServiceUnavailable("The disk is full.")
    statuses = [service.error(error).status for service in (SageMakerService, RuntimeService, AthenaService)]
    assert statuses == [modeled_status("ServiceUnavailable")] * 3


@pytest.mark.parametrize("code", runtime_errors())
def test_the_runtime_sends_each_modeled_error_with_the_models_status(code):
    response = RuntimeService.error(from_aws_code(code, "what went wrong"))
    assert (response.status, response.headers["x-amzn-ErrorType"]) == (modeled_status(code), code)
