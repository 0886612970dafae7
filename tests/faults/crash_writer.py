"""A writer that reports each acknowledged write on stdout, to be killed with SIGKILL.

``python crash_writer.py HOME RUN``: opens the local store at HOME (creating the ``users``
group on first use), prints ``ready``, then loops forever: a few put_record calls (fresh ids
and "hot" ids with rising event times), then one ingest batch. Lines, each printed after the
call returned:

- ``put <user_id> <event_time>``: a put_record was acknowledged;
- ``start <batch>`` before an ingest, ``batch <batch> <rows>`` once it returned.

Ids and event times carry RUN, so the runs of one store never collide.
"""

from __future__ import annotations

import contextlib
import sys

import pandas as pd

from featurestore_demo.errors import ResourceInUse
from featurestore_demo.schemas import USERS
from local_backend import LocalBackend

BATCH_ROWS = 20_000
PUTS_PER_ROUND = 40
HOT_IDS = 5


def batch_frame(run: int, batch: int) -> pd.DataFrame:
    """The rows of one ingest batch: ids ``b<run>_<batch>-<i>``, event time ``run``."""
    return pd.DataFrame({
        "user_id": [f"b{run}_{batch}-{i}" for i in range(BATCH_ROWS)],
        "total_purchases": range(BATCH_ROWS),
        "event_time": [float(run)] * BATCH_ROWS,
    })


def main(home: str, run: int) -> None:
    store = LocalBackend(home)
    with contextlib.suppress(ResourceInUse):  # created by an earlier run
        store.create_feature_group(USERS)
    print("ready", flush=True)
    tick = run * 1_000_000
    for batch in range(1_000_000):
        for _ in range(PUTS_PER_ROUND):
            tick += 1
            user_id = f"hot-{tick % HOT_IDS}" if tick % 2 else f"p{tick}"
            store.put_record("users", {"user_id": user_id, "total_purchases": tick, "event_time": float(tick)})
            print(f"put {user_id} {tick}", flush=True)
        frame = batch_frame(run, batch)
        print(f"start {run}_{batch}", flush=True)
        store.ingest("users", frame)
        print(f"batch {run}_{batch} {len(frame)}", flush=True)


if __name__ == "__main__":
    main(sys.argv[1], int(sys.argv[2]))
