"""Step 5: the naive join beside the point-in-time join, and the leakage it prevents.

Run it alone with ``python -m featurestore_demo.point_in_time_demo`` or
``featurestore-demo point-in-time`` (``--plot timeline.png`` also draws one user's timeline).
"""

from __future__ import annotations

import argparse
import sys
from typing import Any

import pandas as pd
from rich.markup import escape
from rich.table import Table

from featurestore_demo.demo import leakage
from featurestore_demo.demo.console import frame_table, step_header
from featurestore_demo.demo.step import StepContext
from featurestore_demo.demo.timeline import Timeline, timeline_table, utc_text
from featurestore_demo.sql import quote_literal

NUMBER, TITLE = 5, "point-in-time correctness"
LESSON = (
    "Training rows must see features as they were when the label happened. Joining today's "
    "values leaks the future: the model looks great in training and fails in production."
)
USER_FEATURES = ["membership_tier", "total_purchases", "avg_order_value", "event_time"]
FEATURE_TIME = "users.event_time"  # the user's event_time, renamed beside the label's
BATCH = 100  # BatchGetRecord takes at most 100 ids


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--timeline-user", default=None, help="user whose timeline to show (default: a frequent buyer)")
    parser.add_argument("--plot", default=None, metavar="PATH",
                        help="also draw the timeline as a PNG at PATH (needs the 'plot' extra)")


def load_labels(ctx: StepContext) -> pd.DataFrame:
    """The transactions, read back from their offline store, in time order."""
    sql = (
        "SELECT transaction_id, user_id, product_id, purchase_amount, event_time "
        f"FROM {ctx.backend.offline_table(ctx.transactions.name)} "
        "WHERE NOT is_deleted ORDER BY event_time, transaction_id"
    )
    return ctx.backend.query(sql)


def latest_features(ctx: StepContext, group: str, ids: list, features: list[str]) -> pd.DataFrame:
    """The online store's current record of each id (BatchGetRecord), indexed by id."""
    latest: dict[str, dict] = {}
    for start in range(0, len(ids), BATCH):
        latest.update(ctx.backend.batch_get_record(group, ids[start : start + BATCH], features))
    return pd.DataFrame.from_dict(latest, orient="index", columns=features)


def naive_join(ctx: StepContext, labels: pd.DataFrame) -> pd.DataFrame:
    """Each label joined to the user's *latest* features from the online store, ignoring time."""
    ids = labels["user_id"].drop_duplicates().tolist()
    features = latest_features(ctx, ctx.users.name, ids, USER_FEATURES).rename(columns={"event_time": FEATURE_TIME})
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


def with_prices(ctx: StepContext, labels: pd.DataFrame, users: pd.DataFrame, *, naive: bool) -> pd.DataFrame:
    """``users`` (a join of ``labels``) plus the product's price, latest (naive) or point-in-time."""
    if naive:
        ids = labels["product_id"].drop_duplicates().tolist()
        price = labels.join(latest_features(ctx, ctx.products.name, ids, ["price"]), on="product_id")["price"]
    else:
        products = ctx.products.name
        price = ctx.backend.point_in_time_join(labels, [products], features={products: ["price"]})["price"]
    return users.assign(price=price.to_numpy())


def measure_leakage(
    ctx: StepContext, labels: pd.DataFrame, naive: pd.DataFrame, correct: pd.DataFrame
) -> leakage.LeakageReport:
    """The same model trained on the naive and on the point-in-time features, both scored."""
    return leakage.compare(
        labels["event_time"].to_numpy(dtype="float64"),
        labels["purchase_amount"].to_numpy(dtype="float64"),
        with_prices(ctx, labels, naive, naive=True),
        with_prices(ctx, labels, correct, naive=False),
    )


def timeline(ctx: StepContext, labels: pd.DataFrame, correct: pd.DataFrame, naive: pd.DataFrame, user: str) -> Timeline:
    """The middle transaction of ``user``, with every version of the user from the offline store."""
    mine = labels.index[labels["user_id"] == user]
    label = mine[len(mine) // 2]
    versions = ctx.backend.query(
        "SELECT event_time, total_purchases, avg_order_value "
        f"FROM {ctx.backend.offline_table(ctx.users.name)} "
        f"WHERE user_id = {quote_literal(user)} AND NOT is_deleted ORDER BY event_time"
    )
    return Timeline(
        user=user,
        transaction=str(labels.loc[label, "transaction_id"]),
        amount=float(labels.loc[label, "purchase_amount"]),
        at=float(labels.loc[label, "event_time"]),
        versions=versions,
        point_in_time_used=_time_or_none(correct.loc[label, FEATURE_TIME]),
        naive_used=_time_or_none(naive.loc[label, FEATURE_TIME]),
    )


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
    story = timeline(ctx, labels, correct, naive, user)
    ctx.console.print(timeline_table(story))
    _plot(ctx, story)
    _print_leakage(ctx, measure_leakage(ctx, labels, naive, correct))


def _side_by_side(labels: pd.DataFrame, naive: pd.DataFrame, correct: pd.DataFrame, user: str) -> Table:
    rows = labels.index[labels["user_id"] == user][:8]
    frame = pd.DataFrame(
        {
            "transaction": labels.loc[rows, "transaction_id"],
            "time (UTC)": [utc_text(t) for t in labels.loc[rows, "event_time"]],
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


def _plot(ctx: StepContext, story: Timeline) -> None:
    path = getattr(ctx.options, "plot", None)
    if not path:
        return
    from featurestore_demo.demo.timeline_plot import MissingExtra, write_timeline_png

    try:
        written = write_timeline_png(story, path)
    except MissingExtra as missing:
        ctx.console.print(f"[red]--plot: {escape(str(missing))}[/]")
        return
    ctx.console.print(f"Timeline drawn in [bold]{written}[/]")


def _print_leakage(ctx: StepContext, report: leakage.LeakageReport) -> None:
    table = Table(title="What the leak does to a model (least squares, R² of the purchase amount)",
                  title_justify="left")
    table.add_column("trained on")
    table.add_column(f"offline: validation ({report.validation_rows} rows)", justify="right")
    table.add_column(f"later window ({report.later_rows} rows, features as served)", justify="right")
    for name, scores, style in (("naive join (leaky)", report.leaky, "red"),
                                ("point-in-time join", report.point_in_time, "green")):
        table.add_row(f"[{style}]{name}[/]", f"{scores.offline:.3f}", f"{scores.later:.3f}")
    table.caption = (f"trained on the first {report.train_rows} transactions; the later window starts "
                     f"{utc_text(report.later_from)}")
    ctx.console.print(table)
    ctx.console.print(
        "The leaky model looks better offline because its features already contain each purchase "
        "and where the user's spending went afterwards. In production only the past is served, "
        "and the point-in-time model, trained on what it will really see, does better.",
        style="dim",
    )


def _time_or_none(value: Any) -> float | None:
    return None if value is None or pd.isna(value) else float(value)


if __name__ == "__main__":
    from featurestore_demo.cli import main

    sys.exit(main(["point-in-time", *sys.argv[1:]]))
