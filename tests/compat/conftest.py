"""Real clients, unmodified, against one emulator: the SageMaker Python SDK v2, the AWS CLI, boto3,
awswrangler and PyAthena.

These tests need the ``compat`` extra, which lives in its own virtualenv (``make test-compat``
makes ``.venv-compat``); in ``.venv`` every module here is skipped with the reason.

Each test gets only what a user would set: the emulator's ``AWS_ENDPOINT_URL`` and fake
credentials (``Emulator.environment()``), plus the SDK's own telemetry opt-out. The SDK sends
telemetry with a raw ``requests.get`` to an AWS host and no timeout (SAGEMAKER_SPEC §5), which
endpoint variables do not redirect; it is switched off the documented way, by
``SageMaker.PythonSDK.Modules.TelemetryOptOut: true`` in an SDK config file named by
``SAGEMAKER_USER_CONFIG_OVERRIDE`` (:data:`SDK_CONFIG`). As a second guard, HTTP(S) proxies
point at a closed local port (``NO_PROXY`` for the emulator), so any request that still tried to
leave the machine would fail at once instead of hanging.
"""

from __future__ import annotations

import os
import socket
from collections.abc import Iterator
from pathlib import Path

import pytest

from local_backend.emulator import Emulator

# The SDK warns on import that v2 is on the path of deprecation; warnings are errors here.
os.environ.setdefault("SAGEMAKER_SUPPRESS_V2_WARNING", "1")

UNSET = ("AWS_PROFILE", "AWS_DEFAULT_PROFILE", "AWS_SESSION_TOKEN", "AWS_SECURITY_TOKEN")
SDK_CONFIG = """\
SchemaVersion: '1.0'
SageMaker:
  PythonSDK:
    Modules:
      TelemetryOptOut: true
"""


def _closed_port() -> int:
    """A local TCP port with nothing listening on it (connections are refused at once)."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@pytest.fixture(scope="session")
def emulator(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Emulator]:
    """One emulator for the session. Queries finish before StartQueryExecution returns: the SDK
    checks a query at once and then sleeps 5 s between checks."""
    with Emulator(tmp_path_factory.mktemp("compat-emulator"), port=0, creating_seconds=0.1,
                  deleting_seconds=0.1, query_seconds=0) as running:
        yield running


@pytest.fixture(scope="session")
def sdk_config(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The SDK config file that opts out of telemetry."""
    path = tmp_path_factory.mktemp("sagemaker-config") / "config.yaml"
    path.write_text(SDK_CONFIG)
    return path


@pytest.fixture(scope="session")
def client_environment(emulator: Emulator, sdk_config: Path) -> dict[str, str]:
    """Every variable a user sets to point the real clients at the emulator (and no AWS config
    file of the machine's)."""
    nowhere = f"http://127.0.0.1:{_closed_port()}"
    no_files = sdk_config.parent / "no-aws-config"
    return {
        **emulator.environment(),
        "SAGEMAKER_USER_CONFIG_OVERRIDE": str(sdk_config),
        "AWS_CONFIG_FILE": str(no_files / "config"),
        "AWS_SHARED_CREDENTIALS_FILE": str(no_files / "credentials"),
        "HTTP_PROXY": nowhere,
        "HTTPS_PROXY": nowhere,
        "NO_PROXY": "127.0.0.1,localhost",
    }


def _apply(patch: pytest.MonkeyPatch, environment: dict[str, str]) -> None:
    for name in ("http_proxy", "https_proxy", "no_proxy", *UNSET):
        patch.delenv(name, raising=False)
    for name, value in environment.items():
        patch.setenv(name, value)


@pytest.fixture(scope="session", autouse=True)
def _session_environment(client_environment: dict[str, str]) -> Iterator[None]:
    """The environment for module-scoped fixtures too (they run before a test's own fixtures)."""
    with pytest.MonkeyPatch.context() as patch:
        _apply(patch, client_environment)
        yield


@pytest.fixture(autouse=True)
def _point_clients_at_emulator(client_environment: dict[str, str], monkeypatch: pytest.MonkeyPatch) -> None:
    """Again per test: the top-level conftest strips endpoint variables before each test."""
    _apply(monkeypatch, client_environment)


@pytest.fixture(scope="module")
def session():
    """A ``sagemaker.Session`` built the ordinary way, from the environment."""
    import boto3
    import sagemaker

    return sagemaker.Session(boto_session=boto3.Session())


@pytest.fixture(scope="session")
def s3_uri(client_environment: dict[str, str]) -> str:
    """The offline-store and query-output prefix in the emulator's S3."""
    return client_environment["FEATURESTORE_S3_URI"]


@pytest.fixture(scope="session")
def role_arn(client_environment: dict[str, str]) -> str:
    return client_environment["FEATURESTORE_ROLE_ARN"]
