"""The SDK's telemetry is switched off by its documented opt-out, so no test waits on it.

Telemetry is a raw ``requests.get`` to an AWS host with no timeout, after an STS call, on every
decorated SDK method (SAGEMAKER_SPEC §5). The compat conftest opts out with
``SageMaker.PythonSDK.Modules.TelemetryOptOut: true`` in the file named by
``SAGEMAKER_USER_CONFIG_OVERRIDE``; the second test shows the spy below does see telemetry
when the opt-out is missing, so the first one can fail.
"""

from __future__ import annotations

import boto3
import pytest

from compat_clients import require_sdk

require_sdk()

import sagemaker  # noqa: E402
from sagemaker.feature_store.feature_store import FeatureStore  # noqa: E402
from sagemaker.telemetry import telemetry_logging  # noqa: E402


@pytest.fixture
def sent(monkeypatch: pytest.MonkeyPatch) -> list[tuple]:
    """The telemetry requests the SDK tries to send (none leaves the machine)."""
    calls: list[tuple] = []
    monkeypatch.setattr(telemetry_logging, "_send_telemetry_request", lambda *args, **kwargs: calls.append(args))
    return calls


def test_opt_out_file_stops_telemetry(session, sent) -> None:
    FeatureStore(sagemaker_session=session).list_feature_groups()
    assert session.sagemaker_config["SageMaker"]["PythonSDK"]["Modules"]["TelemetryOptOut"] is True
    assert sent == []


def test_without_the_opt_out_the_sdk_would_send_telemetry(sent) -> None:
    plain = sagemaker.Session(boto_session=boto3.Session(), sagemaker_config={"SchemaVersion": "1.0"})
    FeatureStore(sagemaker_session=plain).list_feature_groups()
    assert len(sent) == 1
