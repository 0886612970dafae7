"""The Feast rows, from the kit's side: hand Feast the same data, run it in its own virtualenv,
and put its times in the same pytest-benchmark run beside the kit's.

Feast lives in ``.venv-feast`` (``make bench-feast`` builds it; ``make bench`` tries to), so its
pins never touch the kit's virtualenv and ``make test`` never needs it. Without it the Feast
benchmarks are skipped, saying how to get it (``FEATURESTORE_BENCH_FEAST_PYTHON`` may name
another interpreter that has Feast). Feast times its own calls in its own process
(``feast_worker.py``): a round trip to another process per online read would cost more than
the read. Those times enter the run through :func:`record_external_times`.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pytest

__all__ = [
    "FEAST_PYTHON",
    "feast_python",
    "write_feast_inputs",
    "run_feast",
    "record_external_times",
]

ROOT = Path(__file__).resolve().parents[2]
FEAST_PYTHON = ROOT / ".venv-feast" / "bin" / "python"
FEAST_STAMPS = ".installed-*"  # make's stamp names the Feast version it installed
FEAST_TIMEOUT = 1_800  # seconds: a worker that takes longer has hung


def feast_python() -> Path:
    """Feast's interpreter, or skip the test saying how to install it."""
    override = os.environ.get("FEATURESTORE_BENCH_FEAST_PYTHON")
    if override:
        return Path(override)
    if not any(FEAST_PYTHON.parents[1].glob(FEAST_STAMPS)):
        pytest.skip("Feast is not installed: `make bench-feast` builds .venv-feast (from PyPI) "
                    "and runs the Feast comparison")
    return FEAST_PYTHON


def _timestamps(seconds: pd.Series) -> pd.Series:
    """Epoch seconds (rounded to the millisecond, as the benchmark data is) as UTC timestamps."""
    millis = np.round(seconds.to_numpy(dtype="float64") * 1000).astype("int64")
    return pd.Series(pd.to_datetime(millis, unit="ms", utc=True), index=seconds.index)


def write_feast_inputs(folder: Path, users: pd.DataFrame, products: pd.DataFrame,
                       labels: pd.DataFrame | None = None) -> None:
    """The benchmark's frames as Feast reads them: Parquet with an ``event_timestamp`` column."""
    folder.mkdir(parents=True, exist_ok=True)
    frames = {"users": users, "products": products} | ({} if labels is None else {"labels": labels})
    for name, frame in frames.items():
        out = frame.drop(columns="event_time")
        out["event_timestamp"] = _timestamps(frame["event_time"])
        out.to_parquet(folder / f"{name}.parquet", index=False)


def run_feast(mode: str, folder: Path, *args: object) -> dict[str, Any]:
    """Run ``feast_worker.py <mode> <folder> <args>`` in Feast's virtualenv; its JSON result."""
    command = [str(feast_python()), "-m", "tests.benchmarks.feast_worker", mode, str(folder), *map(str, args)]
    env = {key: value for key, value in os.environ.items() if key != "PYTHONPATH"}
    env.update(PYTHONPATH=str(ROOT), FEAST_USAGE="False")  # no usage telemetry from the benchmark
    done = subprocess.run(command, cwd=ROOT, env=env, capture_output=True, text=True, timeout=FEAST_TIMEOUT)
    if done.returncode != 0:
        sys.stderr.write(done.stderr[-5_000:])
        raise RuntimeError(f"Feast's worker failed ({mode}, exit {done.returncode}); its stderr is above")
    return json.loads((folder / f"{mode}.json").read_text())


def record_external_times(benchmark: Any, seconds: list[float]) -> None:
    """Enter times measured in another process as this benchmark's rounds (one call each).

    pytest-benchmark has no public way to add outside measurements; this is what its
    ``pedantic`` does after timing each round (``_make_stats``, then ``update`` per round).
    """
    if not seconds:
        raise ValueError("no times to record")
    benchmark._mode = "times measured in another process"  # the fixture counts as used
    stats = benchmark._make_stats(1)
    for duration in seconds:
        stats.update(duration)
