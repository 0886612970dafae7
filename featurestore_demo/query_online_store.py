"""Step 3: read the latest features of one user and one product from the online store.

Run it alone with ``python -m featurestore_demo.query_online_store`` or
``featurestore-demo query-online``.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time

import pandas as pd

from featurestore_demo.demo.console import frame_table, record_table, step_header
from featurestore_demo.demo.step import StepContext

NUMBER, TITLE = 3, "query the online store"
LESSON = (
    "GetRecord returns the latest record of one id, for real-time inference. A missing id is "
    "not an error: the answer simply has no record."
)


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--user-id", default="user_0001", help="user to look up (default user_0001)")
    parser.add_argument("--product-id", default="prod_0001", help="product to look up (default prod_0001)")
    parser.add_argument("--repeat", type=int, default=200, help="reads timed for the median latency (default 200)")


def run(ctx: StepContext) -> None:
    step_header(ctx.console, NUMBER, TITLE, LESSON)
    options = ctx.options
    for spec, record_id in ((ctx.users, options.user_id), (ctx.products, options.product_id)):
        record, first, median = _timed_get(ctx, spec.name, record_id, options.repeat)
        if record is None:
            ctx.console.print(f"[yellow]{spec.name}: no record for {record_id}[/] (ingest first?)")
            continue
        ctx.console.print(record_table(record, f"GetRecord {spec.name} / {record_id}"))
        ctx.console.print(
            f"  latency: first read {first * 1e3:.3f} ms, median of {options.repeat} reads "
            f"{median * 1e6:,.1f} µs ({ctx.backend.name} backend)"
        )
    ids = [f"user_{i:04d}" for i in range(1, 6)] + ["user_missing"]
    found = ctx.backend.batch_get_record(ctx.users.name, ids, ["user_id", "membership_tier", "total_purchases"])
    ctx.console.print(frame_table(pd.DataFrame(list(found.values())), f"BatchGetRecord of {len(ids)} ids"))
    ctx.console.print(f"  {len(ids) - len(found)} of {len(ids)} ids had no record (user_missing does not exist).")


def _timed_get(ctx: StepContext, group: str, record_id: str, repeat: int) -> tuple[dict | None, float, float]:
    """The record, the latency of the first read and the median of ``repeat`` reads, in seconds."""
    started = time.perf_counter()
    record = ctx.backend.get_record(group, record_id)
    first = time.perf_counter() - started
    samples = []
    for _ in range(max(repeat, 1)):
        started = time.perf_counter()
        ctx.backend.get_record(group, record_id)
        samples.append(time.perf_counter() - started)
    return record, first, statistics.median(samples)


if __name__ == "__main__":
    from featurestore_demo.cli import main

    sys.exit(main(["query-online", *sys.argv[1:]]))
