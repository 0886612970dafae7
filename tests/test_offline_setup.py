"""The test set-up itself: offline tests see no real AWS, and --backend selects the backends."""

from __future__ import annotations

import os

import boto3
import pytest

from scenarios.backend_registry import backend_params


def test_offline_tests_see_fake_credentials_and_no_aws_config():
    assert os.environ["AWS_DEFAULT_REGION"] == "us-east-1"
    assert not [name for name in os.environ if name.startswith("AWS_ENDPOINT_URL") or name == "AWS_PROFILE"]
    assert not os.path.exists(os.environ["AWS_CONFIG_FILE"])
    assert not os.path.exists(os.environ["AWS_SHARED_CREDENTIALS_FILE"])
    credentials = boto3.Session().get_credentials()
    assert (credentials.access_key, credentials.secret_key, credentials.token) == ("testing", "testing", None)


def ids(params) -> list[str]:
    return [param.id for param in params]


def skip_reasons(params) -> list[str]:
    return [mark.kwargs["reason"] for param in params for mark in param.marks if mark.name == "skip"]


def test_by_default_every_offline_backend_runs():
    params = backend_params(None)
    assert ids(params) == ["local", "aws-emulator"]
    assert "local" in ids(params) and skip_reasons(params) == []


def test_all_selects_every_registered_backend():
    assert ids(backend_params("all")) == ["local", "aws-emulator", "aws"]


@pytest.mark.parametrize("name", ["aws", "local", "nosuch"])
def test_one_backend_can_be_chosen_and_shows_even_when_missing(name):
    params = backend_params(name)
    assert ids(params) == [name]
    if name == "nosuch":
        assert skip_reasons(params) == ["no 'nosuch' backend is registered in scenarios/backend_registry.py yet"]
    elif name == "aws":  # offline tests carry fake credentials but no role or bucket
        assert len(skip_reasons(params)) == 1 and "FEATURESTORE_ROLE_ARN" in skip_reasons(params)[0]
    else:
        assert skip_reasons(params) == []
