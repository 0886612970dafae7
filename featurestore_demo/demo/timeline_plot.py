"""A PNG of one user's feature versions around a transaction, and the version each join used.

matplotlib is an optional extra (``pip install 'featurestore-demo[plot]'``); it is imported only
when a plot is drawn, and its absence is a :class:`MissingExtra` that says how to install it.
"""

from __future__ import annotations

import os
from datetime import datetime, timezone
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from featurestore_demo.demo.timeline import Timeline

__all__ = ["MissingExtra", "write_timeline_png", "INSTALL_HINT"]

INSTALL_HINT = "pip install 'featurestore-demo[plot]'"


class MissingExtra(ImportError):
    """An optional dependency is not installed; the message says which pip install fixes it."""


def _pyplot() -> Any:
    try:
        import matplotlib
    except ModuleNotFoundError as exc:
        raise MissingExtra(f"drawing the timeline needs matplotlib: {INSTALL_HINT}") from exc
    matplotlib.use("Agg")  # files only, no window
    import matplotlib.pyplot as pyplot

    return pyplot


def write_timeline_png(story: Timeline, path: str | os.PathLike[str]) -> Path:
    """Draw ``story`` into the PNG file ``path``; returns the path written."""
    pyplot = _pyplot()
    times = [_utc(t) for t in story.versions["event_time"]]
    averages = story.versions["avg_order_value"].astype("float64").tolist()
    figure, axes = pyplot.subplots(figsize=(10, 4.5), dpi=100)
    axes.step(times, averages, where="post", color="0.6", linewidth=1, zorder=1)
    axes.scatter(times, averages, color="0.35", s=18, zorder=2, label="feature versions (avg_order_value)")
    for when, average, purchases in zip(times, averages, story.versions["total_purchases"].tolist()):
        axes.annotate(f"{purchases}", (when, average), textcoords="offset points", xytext=(0, 7),
                      ha="center", fontsize=7, color="0.35")
    for used, colour, name in ((story.point_in_time_used, "tab:green", "point-in-time join"),
                               (story.naive_used, "tab:red", "naive join")):
        if used is not None and used in story.versions["event_time"].tolist():
            value = averages[story.versions["event_time"].tolist().index(used)]
            axes.scatter([_utc(used)], [value], s=160, facecolors="none", edgecolors=colour, linewidths=2,
                         zorder=3, label=f"used by the {name}")
    axes.axvline(_utc(story.at), color="tab:blue", linestyle="--", zorder=0,
                 label=f"{story.transaction} (amount {story.amount:,.2f})")
    axes.set_title(f"Feature versions of {story.user} around {story.transaction}")
    axes.set_ylabel("avg_order_value")
    axes.set_xlabel("event time (UTC)")
    axes.legend(loc="best", fontsize="small")
    figure.autofmt_xdate()
    figure.tight_layout()
    target = Path(path)
    figure.savefig(target, format="png")
    pyplot.close(figure)
    return target


def _utc(seconds: float) -> datetime:
    return datetime.fromtimestamp(float(seconds), tz=timezone.utc)
