"""Settings shared by every test: the ``--backend`` option, offline AWS credentials, Hypothesis,
and the benchmarks' options (``--benchmark`` and others, in ``tests/benchmarks/plugin.py``).

Offline tests must never reach a real AWS account, whatever the shell that runs them has set:
the autouse fixture below removes the real credentials, profile, config files and endpoint
overrides, and puts fake ones in their place. Tests marked ``aws`` (``make test-aws``) keep
the real environment. ``HYPOTHESIS_PROFILE`` picks the Hypothesis profile
(``hypothesis_profiles.py``: ``dev`` by default, ``ci`` in ``.ci/run``).
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterator
from contextlib import AbstractContextManager, contextmanager

import pytest

from hypothesis_profiles import load_profile

BACKEND_CHOICES = ("local", "aws", "all")

FAKE_AWS_ENVIRONMENT = {
    "AWS_ACCESS_KEY_ID": "testing",
    "AWS_SECRET_ACCESS_KEY": "testing",
    "AWS_DEFAULT_REGION": "us-east-1",
    "AWS_EC2_METADATA_DISABLED": "true",  # never ask an instance-metadata endpoint either
}
REAL_AWS_VARIABLES = ("AWS_PROFILE", "AWS_DEFAULT_PROFILE", "AWS_SESSION_TOKEN", "AWS_SECURITY_TOKEN")

load_profile()

# --benchmark (the latency comparison), --pit-sizes and --bench-summary: see the module
pytest_plugins = ["tests.benchmarks.plugin"]


def pytest_addoption(parser: pytest.Parser) -> None:
    parser.addoption(
        "--backend",
        choices=BACKEND_CHOICES,
        default=None,
        help="backends the scenarios run on: local, aws or all (default: every offline backend)",
    )


def _fake_aws(monkeypatch: pytest.MonkeyPatch, tmp_path_factory: pytest.TempPathFactory) -> None:
    """Remove the real AWS credentials, profile and endpoints; set fake ones and empty config paths."""
    for name in list(os.environ):
        if name in REAL_AWS_VARIABLES or name.startswith("AWS_ENDPOINT_URL"):
            monkeypatch.delenv(name)
    for name, value in FAKE_AWS_ENVIRONMENT.items():
        monkeypatch.setenv(name, value)
    nowhere = tmp_path_factory.getbasetemp() / "no-aws-config"
    monkeypatch.setenv("AWS_CONFIG_FILE", str(nowhere / "config"))
    monkeypatch.setenv("AWS_SHARED_CREDENTIALS_FILE", str(nowhere / "credentials"))


@pytest.fixture(autouse=True)
def offline_aws_environment(
    request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch, tmp_path_factory: pytest.TempPathFactory
) -> None:
    """Replace real AWS credentials and config with fakes, except in tests marked ``aws``."""
    if request.node.get_closest_marker("aws") is None:
        _fake_aws(monkeypatch, tmp_path_factory)


@pytest.fixture(scope="session")
def offline_aws(tmp_path_factory: pytest.TempPathFactory) -> Callable[[], AbstractContextManager[None]]:
    """``with offline_aws():`` the same fakes until the block ends, for fixtures wider than a test."""

    @contextmanager
    def faked() -> Iterator[None]:
        with pytest.MonkeyPatch.context() as monkeypatch:
            _fake_aws(monkeypatch, tmp_path_factory)
            yield

    return faked
