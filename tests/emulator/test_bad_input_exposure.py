"""The emulator is reachable from this machine only unless told otherwise, and its logs never
carry credentials or signatures (nor the presigned-URL query strings that hold them)."""

from __future__ import annotations

import logging
import urllib.request

import boto3
import pytest

from emulator_helpers import create_request, record, unique_name, wait_created
from featurestore_demo.cli import build_parser
from local_backend.emulator import Emulator

SECRETS = ("AKIDLOGCHECK", "SECRETLOGCHECK", "TOKENLOGCHECK")
SIGNATURE_MARKS = ("Signature=", "X-Amz-Signature", "X-Amz-Credential", "Credential=", "AWS4-HMAC-SHA256")
CLIENT_LOGGERS = ("botocore", "boto3", "urllib3", "s3transfer")


def test_the_emulator_binds_loopback_unless_an_address_is_given(tmp_path):
    with Emulator(tmp_path, port=0) as emulator:
        assert emulator.host == "127.0.0.1"
        assert emulator._server.socket.getsockname()[0] == "127.0.0.1"
    assert build_parser().parse_args(["emulator"]).host == "127.0.0.1"


def test_the_emulator_never_logs_credentials_or_signatures(emulator, caplog):
    session = boto3.Session(aws_access_key_id=SECRETS[0], aws_secret_access_key=SECRETS[1],
                            aws_session_token=SECRETS[2], region_name="us-east-1")
    sm, runtime, s3 = (session.client(name, endpoint_url=emulator.url)
                       for name in ("sagemaker", "sagemaker-featurestore-runtime", "s3"))
    caplog.set_level(logging.DEBUG)
    name = unique_name("log")
    sm.create_feature_group(**create_request(name))
    wait_created(sm, name)
    runtime.put_record(FeatureGroupName=name, Record=record(id="r", age=1, score=1.0, event_time=1.0))
    runtime.get_record(FeatureGroupName=name, RecordIdentifierValueAsString="r")
    with pytest.raises(sm.exceptions.ClientError):
        sm.describe_feature_group(FeatureGroupName="no-such-group")
    s3.put_object(Bucket="featurestore-demo-emulator", Key="log-check.txt", Body=b"x")
    url = s3.generate_presigned_url("get_object", Params={"Bucket": "featurestore-demo-emulator",
                                                          "Key": "log-check.txt"})
    assert "Signature=" in url and SECRETS[2] in url
    assert urllib.request.urlopen(url, timeout=10).read() == b"x"

    server_side = [r for r in caplog.records if not r.name.startswith(CLIENT_LOGGERS)]
    assert any(r.name.startswith("local_backend") for r in server_side)  # it did log the requests
    text = "\n".join(f"{r.name} {r.getMessage()} {r.exc_text or ''}" for r in server_side)
    for mark in SECRETS + SIGNATURE_MARKS:
        assert mark not in text, mark

