"""The benchmarks' command-line options, loaded by the root conftest for every pytest run.

``pytest --benchmark`` runs the online latency comparison the kit promises (the local store,
boto3 through the emulator beside a trivial keep-alive server, Feast's online store when
``.venv-feast`` exists, real AWS when ``FEATURESTORE_BENCH_AWS_GROUP`` and credentials are set)
and prints the comparison table. Given paths, it runs the benchmarks among them instead
(``pytest --benchmark tests/benchmarks`` is ``make bench``). Plain ``pytest`` never runs a
benchmark: ``pyproject.toml`` ignores ``tests/benchmarks`` unless ``--benchmark`` is given, and
a benchmark named on the command line is skipped, saying so, unless ``--benchmark`` (or
pytest-benchmark's ``--benchmark-only``) asks for benchmarks.

Kept light (no numpy, pandas or kit import): every pytest process loads it.
"""

from __future__ import annotations

from pathlib import Path

import pytest

__all__ = ["LATENCY_MODULES", "SUMMARY_DEFAULT"]

ROOT = Path(__file__).resolve().parents[2]
BENCHMARKS = Path("tests") / "benchmarks"
LATENCY_MODULES = (BENCHMARKS / "test_bench_online.py", BENCHMARKS / "test_bench_emulator.py")
SUMMARY_DEFAULT = Path(".benchmarks") / "summary.json"


def pytest_addoption(parser: pytest.Parser) -> None:
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
        default=str(SUMMARY_DEFAULT),
        help=f"where the comparison table is written as JSON (default {SUMMARY_DEFAULT})",
    )


def _is_benchmarks(path: str) -> bool:
    resolved = Path(path) if Path(path).is_absolute() else ROOT / path
    return resolved.resolve() == (ROOT / BENCHMARKS).resolve()


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
    if config.getoption("benchmark") or config.getoption("benchmark_only", default=False):
        return
    skip = pytest.mark.skip(reason="a benchmark: run it with pytest --benchmark (or make bench)")
    for item in items:
        if "benchmark" in getattr(item, "fixturenames", ()):
            item.add_marker(skip)
