"""One user's timeline: a transaction among that user's feature versions, as a table.

:class:`Timeline` is what the point-in-time step found; :func:`timeline_table` prints it and
:mod:`featurestore_demo.demo.timeline_plot` draws it.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timezone

import numpy as np
import pandas as pd
from rich.table import Table

from featurestore_demo.demo.console import format_value

__all__ = ["Timeline", "timeline_table", "utc_text"]


@dataclass(frozen=True)
class Timeline:
    """One transaction of a user among that user's feature versions, and which each join used."""

    user: str
    transaction: str
    amount: float
    at: float  # the transaction's time, epoch seconds
    versions: pd.DataFrame  # event_time, total_purchases, avg_order_value; by event time
    point_in_time_used: float | None  # event time of the version the point-in-time join used
    naive_used: float | None  # event time of the version the naive join used


def timeline_table(story: Timeline) -> Table:
    """The transaction among the versions around it, and the versions each join used."""
    rows = [(t, f"version: {p} purchases, avg {format_value(a)}", False)
            for t, p, a in story.versions[["event_time", "total_purchases", "avg_order_value"]].itertuples(index=False)]
    rows.append((story.at, f"[bold]● {story.transaction}, amount {format_value(story.amount)}[/]", True))
    rows.sort(key=lambda row: (row[0], row[2]))
    used = {story.point_in_time_used: "point-in-time join", story.naive_used: "naive join"}
    centre = next(i for i, row in enumerate(rows) if row[2])
    keep = set(range(centre - 2, centre + 3)) | {i for i, row in enumerate(rows) if row[0] in used and not row[2]}
    table = Table(title=f"Timeline of {story.user} around {story.transaction}", title_justify="left")
    for column in ("time (UTC)", "event", "used by"):
        table.add_column(column)
    previous = -1
    for index in sorted(i for i in keep if 0 <= i < len(rows)):
        if index > previous + 1:
            table.add_row("...", f"[dim]{index - previous - 1} more versions[/]", "")
        when, text, is_label = rows[index]
        by = "" if is_label else used.get(when, "")
        if by == "naive join" and when > story.at:
            by = "[red]naive join: from the future![/]"
        table.add_row(utc_text(when), text, by)
        previous = index
    return table


def utc_text(seconds: float) -> str:
    """Epoch seconds as ``YYYY-MM-DD HH:MM:SS`` (UTC); ``-`` for NaN or infinity."""
    if not np.isfinite(seconds):
        return "-"
    return datetime.fromtimestamp(float(seconds), tz=timezone.utc).strftime("%Y-%m-%d %H:%M:%S")
