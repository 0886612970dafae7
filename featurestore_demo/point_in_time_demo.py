"""Step 5: the naive join beside the point-in-time join, and the leakage it prevents.

Run it alone with ``python -m featurestore_demo.point_in_time_demo`` or
``featurestore-demo point-in-time``.
"""

from __future__ import annotations

import argparse
import sys
from datetime import datetime, timezone

import pandas as pd
from rich.table import Table

from featurestore_demo.console import format_value, frame_table, step_header
from featurestore_demo.sql import quote_literal
from featurestore_demo.step import StepContext

NUMBER, TITLE = 5, "point-in-time correctness"
LESSON = (
    "Training rows must see features as they were when the label happened. Joining today's "
    "values leaks the future: the model looks great in training and fails in production."
)
USER_FEATURES = ["membership_tier", "total_purchases", "avg_order_value", "event_time"]
FEATURE_TIME = "users.event_time"  # the user's event_time, renamed beside the label's


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--timeline-user", default=None, help="user whose timeline to show (default: a frequent buyer)")


def load_labels(ctx: StepContext) -> pd.DataFrame:
    """The transactions, read back from their offline store, in time order."""
    sql = (
        "SELECT transaction_id, user_id, product_id, purchase_amount, event_time "
        f"FROM {ctx.athena_table(ctx.transactions)} WHERE NOT is_deleted ORDER BY event_time, transaction_id"
    )
    return ctx.backend.query(sql)


def naive_join(ctx: StepContext, labels: pd.DataFrame) -> pd.DataFrame:
    """Each label joined to the user's *latest* features from the online store, ignoring time."""
    ids = labels["user_id"].drop_duplicates().tolist()
    latest: dict[str, dict] = {}
    for start in range(0, len(ids), 100):
        latest.update(ctx.backend.batch_get_record(ctx.users.name, ids[start : start + 100], USER_FEATURES))
    features = pd.DataFrame.from_dict(latest, orient="index").rename(columns={"event_time": FEATURE_TIME})
    return labels.join(features, on="user_id")


def point_in_time_join(ctx: StepContext, labels: pd.DataFrame) -> pd.DataFrame:
    """Each label joined to the user's features as they were at the label's event time.

    The user's event time comes back as ``FEATURE_TIME`` whatever the group's (prefixed) name.
    """
    joined = ctx.backend.point_in_time_join(
        labels, [ctx.users.name], features={ctx.users.name: USER_FEATURES}
    )
    return joined.rename(columns={f"{ctx.users.name}.event_time": FEATURE_TIME})


def future_rows(joined: pd.DataFrame) -> pd.Series:
    """True where a label row received features stamped after the label itself."""
    return (joined[FEATURE_TIME] > joined["event_time"]).fillna(False).astype(bool)


def run(ctx: StepContext) -> None:
    step_header(ctx.console, NUMBER, TITLE, LESSON)
    labels = load_labels(ctx)
    if labels.empty:
        ctx.console.print("[yellow]No transactions in the offline store: run the ingest step first.[/]")
        return
    naive, correct = naive_join(ctx, labels), point_in_time_join(ctx, labels)
    user = ctx.options.timeline_user or _typical_buyer(labels)
    ctx.console.print(_side_by_side(labels, naive, correct, user))
    leaked, pit_leaked = int(future_rows(naive).sum()), int(future_rows(correct).sum())
    ctx.console.print(
        f"Naive join: [bold red]{leaked:,} of {len(labels):,}[/] transactions "
        f"({leaked / len(labels):.0%}) got features from their own future.\n"
        f"Point-in-time join: [bold green]{pit_leaked:,}[/] did."
    )
    _timeline(ctx, labels, correct, naive, user)


def _side_by_side(labels: pd.DataFrame, naive: pd.DataFrame, correct: pd.DataFrame, user: str) -> Table:
    rows = labels.index[labels["user_id"] == user][:8]
    frame = pd.DataFrame(
        {
            "transaction": labels.loc[rows, "transaction_id"],
            "time (UTC)": [_when(t) for t in labels.loc[rows, "event_time"]],
            "amount": labels.loc[rows, "purchase_amount"],
            "naive purchases": naive.loc[rows, "total_purchases"],
            "naive avg": naive.loc[rows, "avg_order_value"],
            "PIT purchases": correct.loc[rows, "total_purchases"],
            "PIT avg": correct.loc[rows, "avg_order_value"],
        }
    )
    return frame_table(frame, f"Transactions of {user}: naive join vs point-in-time join")


def _typical_buyer(labels: pd.DataFrame) -> str:
    """A user with a median number of purchases among those with at least three."""
    counts = labels["user_id"].value_counts()
    frequent = counts[counts >= 3] if (counts >= 3).any() else counts
    return str(frequent.sort_values(kind="stable").index[len(frequent) // 2])


def _timeline(ctx: StepContext, labels: pd.DataFrame, correct: pd.DataFrame, naive: pd.DataFrame, user: str) -> None:
    """One transaction of ``user`` among the versions of that user's features around it."""
    mine = labels.index[labels["user_id"] == user]
    label = mine[len(mine) // 2]
    at = labels.loc[label, "event_time"]
    picked = {correct.loc[label, FEATURE_TIME]: "point-in-time join", naive.loc[label, FEATURE_TIME]: "naive join"}
    versions = ctx.backend.query(
        "SELECT total_purchases, avg_order_value, event_time "
        f"FROM {ctx.athena_table(ctx.users)} WHERE user_id = {quote_literal(user)} ORDER BY event_time"
    )
    rows = [(t, f"version: {p} purchases, avg {format_value(a)}") for p, a, t in versions.itertuples(index=False)]
    rows.append((at, f"[bold]● {labels.loc[label, 'transaction_id']}, amount {format_value(labels.loc[label, 'purchase_amount'])}[/]"))
    rows.sort(key=lambda row: (row[0], "●" in row[1]))
    centre = next(i for i, row in enumerate(rows) if "●" in row[1])
    keep = set(range(centre - 2, centre + 3)) | {i for i, row in enumerate(rows) if row[0] in picked and "●" not in row[1]}
    table = Table(title=f"Timeline of {user} around {labels.loc[label, 'transaction_id']}", title_justify="left")
    for column in ("time (UTC)", "event", "used by"):
        table.add_column(column)
    previous = -1
    for index in sorted(i for i in keep if 0 <= i < len(rows)):
        if index > previous + 1:
            table.add_row("...", f"[dim]{index - previous - 1} more versions[/]", "")
        when, text = rows[index]
        used = "" if "●" in text else picked.get(when, "")
        if used == "naive join" and when > at:
            used = "[red]naive join: from the future![/]"
        table.add_row(_when(when), text, used)
        previous = index
    ctx.console.print(table)


def _when(seconds: float) -> str:
    return datetime.fromtimestamp(float(seconds), tz=timezone.utc).strftime("%Y-%m-%d %H:%M:%S")


if __name__ == "__main__":
    from featurestore_demo.cli import main

    sys.exit(main(["point-in-time", *sys.argv[1:]]))
