"""Step 2: ingest the sample data (every user and product version, and the transactions).

Run it alone with ``python -m featurestore_demo.ingest_features`` or ``featurestore-demo ingest``.
"""

from __future__ import annotations

import argparse
import sys
import time

from rich.table import Table

from featurestore_demo.demo.console import progress_bar, step_header
from featurestore_demo.demo.sample_data import generate
from featurestore_demo.demo.step import StepContext

NUMBER, TITLE = 2, "ingest features"
LESSON = (
    "Each row is a PutRecord: the online store keeps it only if its event time is the newest for "
    "that id; the offline store appends it, with write_time, api_invocation_time and is_deleted."
)


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--users", type=int, default=100, help="number of users (default 100)")
    parser.add_argument("--products", type=int, default=50, help="number of products (default 50)")
    parser.add_argument("--transactions", type=int, default=1000, help="number of transactions (default 1000)")
    parser.add_argument("--seed", type=int, default=42, help="random seed of the sample data (default 42)")


def run(ctx: StepContext) -> None:
    step_header(ctx.console, NUMBER, TITLE, LESSON)
    options = ctx.options
    data = generate(options.users, options.products, options.transactions, seed=options.seed)
    summary = Table(title="Ingested", title_justify="left")
    for column in ("feature group", "rows", "ids", "seconds", "rows/s"):
        summary.add_column(column, justify="left" if column == "feature group" else "right")
    for spec, frame in (
        (ctx.users, data.users),
        (ctx.products, data.products),
        (ctx.transactions, data.transactions),
    ):
        started = time.perf_counter()
        with progress_bar(ctx.console, f"{spec.name:>14}", len(frame)) as progress:
            rows = ctx.backend.ingest(spec.name, frame, progress=progress)
        seconds = time.perf_counter() - started
        ids = frame[spec.record_identifier_name].nunique()
        summary.add_row(spec.name, f"{rows:,}", f"{ids:,}", f"{seconds:.2f}", f"{rows / max(seconds, 1e-9):,.0f}")
    ctx.console.print(summary)
    ctx.console.print(
        "Users have several versions each: one at sign-up, and one five minutes after every "
        "purchase, when their features are recomputed.",
        style="dim",
    )


if __name__ == "__main__":
    from featurestore_demo.cli import main

    sys.exit(main(["ingest", *sys.argv[1:]]))
