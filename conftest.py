"""Settings shared by every test: the ``--backend`` option, offline AWS credentials, Hypothesis,
and the benchmarks' options.

Offline tests must never reach a real AWS account, whatever the shell that runs them has set:
the autouse fixture below removes the real credentials, profile, config files and endpoint
overrides, and puts fake ones in their place. Tests marked ``aws`` (``make test-aws``) keep
the real environment. ``HYPOTHESIS_PROFILE`` picks the Hypothesis profile
(``hypothesis_profiles.py``: ``dev`` by default, ``ci`` in ``.ci/run``).

``pytest --benchmark`` runs the online latency comparison the kit promises (the local store,
boto3 through the emulator beside a trivial keep-alive server, Feast's online store when
``.venv-feast`` exists, real AWS when ``FEATURESTORE_BENCH_AWS_GROUP`` and credentials are set)
and prints the comparison table (``tests/benchmarks/conftest.py``). Given paths, it runs the
benchmarks among them instead (``pytest --benchmark tests/benchmarks`` is ``make bench``). Plain
``pytest`` never runs a benchmark: ``pyproject.toml`` ignores ``tests/benchmarks`` unless
``--benchmark`` is given, and a benchmark named on the command line is skipped, saying so, unless
``--benchmark`` (or pytest-benchmark's ``--benchmark-only``) asks for benchmarks. These options
live here, not in a plugin module under ``tests/``: another virtualenv (``.venv-compat``) holds
a distribution's own top-level ``tests`` package, which would shadow ours.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterator
from contextlib import AbstractContextManager, contextmanager
from pathlib import Path

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

ROOT = Path(__file__).resolve().parent
BENCHMARKS = Path("tests") / "benchmarks"
LATENCY_MODULES = (BENCHMARKS / "test_bench_online.py", BENCHMARKS / "test_bench_emulator.py")

load_profile()


def pytest_addoption(parser: pytest.Parser) -> None:
    parser.addoption(
        "--backend",
        choices=BACKEND_CHOICES,
        default=None,
        help="backends the scenarios run on: local, aws or all (default: every offline backend)",
    )
    group = parser.getgroup("featurestore-demo benchmarks")
    group.addoption(
        "--benchmark",
        action="store_true",
        default=False,
        help="run the online latency comparison (local, emulator, Feast if installed, real AWS when "
        "FEATURESTORE_BENCH_AWS_GROUP is set) and print its table; with paths, only the benchmarks among them",
    )
    group.addoption(
        "--pit-sizes",
        default="S,M,L",
        help="sizes of the point-in-time benchmark, comma-separated among S, M, L, XL (default S,M,L; "
        "make bench-xl: S,M,L,XL)",
    )
    group.addoption(
        "--bench-summary",
        default=str(Path(".benchmarks") / "summary.json"),
        help="where the benchmarks' comparison table is written as JSON (default .benchmarks/summary.json)",
    )


def _is_benchmarks(path: str) -> bool:
    return (Path(path) if Path(path).is_absolute() else ROOT / path).resolve() == (ROOT / BENCHMARKS).resolve()


@pytest.hookimpl(tryfirst=True)  # before pytest-benchmark reads --benchmark-only in its own pytest_configure
def pytest_configure(config: pytest.Config) -> None:
    if not config.getoption("benchmark"):
        return
    if not config.pluginmanager.hasplugin("benchmark"):
        raise pytest.UsageError("--benchmark needs pytest-benchmark: pip install -e '.[dev]'")
    config.option.ignore = [path for path in config.option.ignore or [] if not _is_benchmarks(path)]
    config.option.benchmark_only = True
    if config.args_source is not pytest.Config.ArgsSource.ARGS:  # no paths given: the latency comparison
        config.args[:] = [str(ROOT / module) for module in LATENCY_MODULES]


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """Without --benchmark (or --benchmark-only), a benchmark is skipped, saying how to run it."""
    if config.getoption("benchmark") or config.getoption("benchmark_only", default=False):
        return
    skip = pytest.mark.skip(reason="a benchmark: run it with pytest --benchmark (or make bench)")
    for item in items:
        if "benchmark" in getattr(item, "fixturenames", ()):
            item.add_marker(skip)


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
