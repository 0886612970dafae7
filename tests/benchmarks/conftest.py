"""Benchmark fixtures, and the one comparison table `make bench` prints and writes as JSON.

Each benchmark sets ``benchmark.group`` to the comparison it belongs to and
``benchmark.extra_info["role"]`` to "kit" or to the name of its reference, so the kit and its
references are measured in the same run and their ratio holds on a noisy machine. Benchmarks
report; they never fail on time. The targets are issue 14's; a row's "met" column says whether
this run met each of them.
"""

from __future__ import annotations

import json
import os
import platform
from dataclasses import dataclass
from pathlib import Path

import pytest

from featurestore_demo.schemas import PRODUCTS, USERS
from local_backend import LocalBackend
from tests.benchmarks.data import products_frame, users_frame
from tests.benchmarks.trivial_server import TRIVIAL_SERVER

PIT_GROUP_PREFIX = "point_in_time_join, "
FEAST = "Feast"  # the Feast references' roles start with it (their role names Feast's version)
LOAD_TODAY = 319  # requests/s of the emulator's load row before issue 14 (README, 30 s, 4 clients)


@dataclass(frozen=True)
class Target:
    """A target as the issue states it, the measure it applies to and its limit.

    ``measure`` is "median" (the kit's, in seconds), a key of the kit's ``extra_info``, or
    "ratio:<role>": the kit's median over that of the reference whose role starts with <role>.
    """

    text: str
    measure: str
    limit: float
    at_least: bool = False

    def met(self, row: dict) -> bool | None:
        """Whether this run met it (None: not measured in this run)."""
        if self.measure == "median":
            value = row["kit_median_s"]
        elif self.measure.startswith("ratio:"):
            role = self.measure.removeprefix("ratio:")
            value = next((ratio for name, ratio in row["ratios"].items() if name.startswith(role)), None)
        else:
            value = row["extra"].get(self.measure)
        if not isinstance(value, (int, float)):
            return None
        return value >= self.limit if self.at_least else value <= self.limit


TARGETS: dict[str, tuple[Target, ...]] = {
    "get_record, local": (Target("p50 ≤ 3 µs", "median", 3e-6),),
    "get_record, local, a reopened store": (Target("p50 ≤ 3 µs", "median", 3e-6),),
    "batch_get_record, 100 ids, local": (Target("p50 ≤ 100 µs", "median", 100e-6),),
    "batch_get_record, 100 ids, local, a reopened store": (Target("p50 ≤ 100 µs", "median", 100e-6),),
    "get_record, boto3 via the emulator": (
        Target("≤ 1.15x the trivial server", f"ratio:{TRIVIAL_SERVER}", 1.15),),
    "raw keep-alive HTTP GetRecord, emulator": (Target("p50 ≤ 150 µs", "median", 150e-6),),
    "put_record, local": (Target("p50 ≤ 200 µs", "median", 200e-6),),  # issue 6's; issue 14 sets none
    "ingest, 1M user rows, online and offline": (Target("≥ 1,000,000 records/s", "median", 1.0),),
    "open a store of 1M records": (Target("≤ 0.5 s", "median", 0.5),),
    "online store memory per user record": (Target("≤ 300 bytes per user record", "bytes_per_record", 300),),
    "make demo, after set-up": (Target("≤ 5 s", "median", 5.0),),
    "emulator load, 4 boto3 clients, mixed operations": (
        Target(f"≥ {2 * LOAD_TODAY} requests/s (2x {LOAD_TODAY})", "requests_per_s", 2 * LOAD_TODAY, at_least=True),),
}
PIT_TARGETS = (
    Target("≤ 1.2x DuckDB ASOF", "ratio:DuckDB ASOF JOIN", 1.2),
    Target("≥ 3x faster than Feast", f"ratio:{FEAST}", 1 / 3),
)


def targets_of(group: str) -> tuple[Target, ...]:
    return PIT_TARGETS if group.startswith(PIT_GROUP_PREFIX) else TARGETS.get(group, ())


@pytest.fixture(scope="session")
def users_store(tmp_path_factory: pytest.TempPathFactory) -> LocalBackend:
    """A local store holding 100k users (1M user rows, ~10 versions each) and 10k products."""
    backend = LocalBackend(tmp_path_factory.mktemp("bench-store"))
    backend.create_feature_group(USERS)
    backend.create_feature_group(PRODUCTS)
    backend.ingest("users", users_frame(1_000_000))
    backend.ingest("products", products_frame(100_000))
    backend.write_out_offline()  # the offline files are written: no export competes with the reads
    yield backend
    backend.close()


@pytest.fixture(scope="session")
def reopened_users_store(tmp_path_factory: pytest.TempPathFactory) -> LocalBackend:
    """The users of :func:`users_store` in a store closed and opened again: a process that reads
    what another wrote (its online store rebuilt from the write log)."""
    home = tmp_path_factory.mktemp("bench-reopened")
    with LocalBackend(home) as backend:
        backend.create_feature_group(USERS)
        backend.ingest("users", users_frame(1_000_000))
    backend = LocalBackend(home)
    yield backend
    backend.close()


def _rows(benchmarks: list) -> list[dict]:
    groups: dict[str, dict] = {}
    for bench in benchmarks:
        role = bench.extra_info.get("role", "kit")
        entry = groups.setdefault(bench.group or bench.name, {"references": {}, "extra": {}, "references_extra": {}})
        extra = {key: value for key, value in bench.extra_info.items() if key != "role"}
        if role == "kit":
            entry["kit"] = bench.stats.median
            entry["extra"].update(extra)
        else:
            entry["references"][role] = bench.stats.median
            if extra:
                entry["references_extra"][role] = extra
    rows = []
    for group, entry in groups.items():
        kit = entry.get("kit")
        row = {
            "what": group,
            "kit_median_s": kit,
            "references_median_s": entry["references"],
            "ratios": {name: kit / ref for name, ref in entry["references"].items() if kit and ref},
            "extra": entry["extra"],
            "references_extra": entry["references_extra"],
        }
        targets = targets_of(group)
        row["target"] = "; ".join(target.text for target in targets)
        row["met"] = [target.met(row) for target in targets]
        rows.append(row)
    return rows


def _seconds(value: float | None) -> str:
    if value is None:
        return "-"
    for unit, scale in (("s", 1), ("ms", 1e-3), ("µs", 1e-6)):
        if value >= scale:
            return f"{value / scale:,.2f} {unit}"
    return f"{value * 1e9:,.0f} ns"


def _extras(extra: dict) -> str:
    return "; ".join(f"{key.replace('_', ' ')} {value}" for key, value in extra.items())


def _kit_cell(row: dict) -> str:
    """The kit's median, or the measure its target is about (e.g. bytes per record), with extras."""
    measures = [target.measure for target in targets_of(row["what"])]
    for measure in measures:
        if measure != "median" and not measure.startswith("ratio:") and measure in row["extra"]:
            others = {key: value for key, value in row["extra"].items() if key != measure}
            cell = f"{row['extra'][measure]} {measure.replace('_', ' ')}"
            return cell + (f" ({_extras(others)})" if others else "")
    extra = _extras(row["extra"])
    return _seconds(row["kit_median_s"]) + (f" ({extra})" if extra else "")


def _references_cell(row: dict) -> str:
    cells = []
    for name, value in row["references_median_s"].items():
        extra = _extras(row["references_extra"].get(name, {}))
        cells.append(f"{name} {_seconds(value)}" + (f" ({extra})" if extra else ""))
    return ", ".join(cells) or "-"


def _ratio(ratio: float) -> str:
    """kit / reference, and how many times faster the kit is when it is faster."""
    return f"{ratio:.2f}x" + (f" (kit {1 / ratio:.1f}x faster)" if 0 < ratio < 1 else "")


def _met_cell(met: list[bool | None]) -> str:
    return "; ".join({None: "-", True: "yes", False: "no"}[value] for value in met) if any(
        value is not None for value in met) else ""


def pytest_terminal_summary(terminalreporter: pytest.TerminalReporter, config: pytest.Config) -> None:
    session = getattr(config, "_benchmarksession", None)
    if session is None or not session.benchmarks:
        return
    rows = _rows(session.benchmarks)
    machine = f"{platform.machine()}, {os.cpu_count()} cores, Python {platform.python_version()}"
    terminalreporter.section(f"featurestore-demo benchmarks ({machine})")
    terminalreporter.write_line("| what | kit (median) | reference (median) | kit / reference | target | met |")
    terminalreporter.write_line("|---|---|---|---|---|---|")
    for row in rows:
        ratios = ", ".join(_ratio(ratio) for ratio in row["ratios"].values()) or "-"
        terminalreporter.write_line(
            f"| {row['what']} | {_kit_cell(row)} | {_references_cell(row)} | {ratios} | {row['target']} "
            f"| {_met_cell(row['met'])} |"
        )
    path = Path(config.getoption("bench_summary"))
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps({"machine": machine, "rows": rows}, indent=2, default=str))
    terminalreporter.write_line(f"written to {path}")
