"""Terminal output of the CLI: tables, progress bars and panels, with rich.

Only the CLI layer and the steps print; library code returns values.
"""

from __future__ import annotations

import math
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from datetime import datetime
from typing import Any

import pandas as pd
from rich.console import Console
from rich.panel import Panel
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn
from rich.syntax import Syntax
from rich.table import Table
from rich.tree import Tree

from featurestore_demo.backend import OfflineFile, ProgressCallback
from featurestore_demo.schemas import FeatureGroupSpec

__all__ = [
    "make_console",
    "frame_table",
    "record_table",
    "schema_table",
    "sql_panel",
    "files_tree",
    "step_header",
    "progress_bar",
    "format_value",
]


def make_console(*, quiet: bool = False) -> Console:
    """The console the steps print to (wide enough for tables when output is piped)."""
    return Console(quiet=quiet, width=None if Console().is_terminal else 140, highlight=False)


def step_header(console: Console, number: int, title: str, lesson: str) -> None:
    console.print()
    console.rule(f"[bold]Step {number}: {title}")
    console.print(lesson, style="dim")


def format_value(value: Any) -> str:
    """A cell as text: missing values as NULL, floats trimmed."""
    if value is None or value is pd.NA or (isinstance(value, float) and math.isnan(value)):
        return "NULL"
    if isinstance(value, float):
        return f"{value:,.2f}" if abs(value) < 1e9 else f"{value:.3f}"
    if isinstance(value, datetime):
        return value.strftime("%Y-%m-%d %H:%M:%S.%f")[:-3]
    return str(value)


def schema_table(spec: FeatureGroupSpec) -> Table:
    table = Table(title=f"Feature group [bold]{spec.name}[/]", title_justify="left")
    table.add_column("feature")
    table.add_column("type")
    table.add_column("role", style="cyan")
    for feature in spec.features:
        role = {
            spec.record_identifier_name: "record identifier",
            spec.event_time_feature_name: "event time",
        }.get(feature.name, "")
        table.add_row(feature.name, feature.type, role)
    stores = [name for name, on in (("online", spec.online_store), ("offline", spec.offline_store)) if on]
    table.caption = f"stores: {' + '.join(stores)}" + (f", TTL {spec.ttl.value} {spec.ttl.unit}" if spec.ttl else "")
    return table


def frame_table(frame: pd.DataFrame, title: str = "", max_rows: int = 12) -> Table:
    """A DataFrame as a table, its first ``max_rows`` rows, with a count of the rest."""
    table = Table(title=title or None, title_justify="left")
    cells = [[format_value(value) for value in row] for row in frame.head(max_rows).itertuples(index=False)]
    for index, column in enumerate(frame.columns):
        widest = max([len(str(column))] + [len(row[index]) for row in cells])
        table.add_column(str(column), overflow="fold", min_width=min(widest, 24))
    for row in cells:
        table.add_row(*row)
    if len(frame) > max_rows:
        table.caption = f"... {len(frame) - max_rows:,} more rows ({len(frame):,} in all)"
    return table


def record_table(record: Mapping[str, Any], title: str) -> Table:
    table = Table(title=title, title_justify="left")
    table.add_column("feature")
    table.add_column("value", justify="right")
    for name, value in record.items():
        table.add_row(name, format_value(value))
    return table


def sql_panel(sql: str, title: str = "Athena SQL") -> Panel:
    return Panel(Syntax(sql.strip(), "sql", word_wrap=True, theme="ansi_dark"), title=title, title_align="left")


@contextmanager
def progress_bar(console: Console, description: str, total: int) -> Iterator[ProgressCallback]:
    """A progress bar; yields the ``progress(done, total)`` callback that moves it."""
    columns = (TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn())
    with Progress(*columns, console=console, transient=False) as progress:
        task = progress.add_task(description, total=total)
        yield lambda done, _total: progress.update(task, completed=done)


def files_tree(location: str, files: list[OfflineFile], shown: int = 4) -> Tree:
    """The offline store's files under ``location`` (its ResolvedOutputS3Uri) as a folder tree
    of event-time partitions, the first ``shown`` files with their rows, then how many more."""
    rows = sum(file.rows for file in files)
    tree = Tree(f"[bold]{location}/[/bold]  {_count(len(files), 'Parquet file')}, {_count(rows, 'row')}")
    folders: dict[str, Tree] = {}
    for file in files[:shown]:
        folder, _, name = file.uri.removeprefix(location + "/").rpartition("/")
        if folder not in folders:
            folders[folder] = tree.add(f"{folder}/")
        folders[folder].add(f"{name}  [dim]{_count(file.rows, 'row')}, {file.size:,} bytes[/dim]")
    if len(files) > shown:
        tree.add(f"[dim]... {len(files) - shown:,} more files, one per event-time hour and batch[/dim]")
    return tree


def _count(number: int, noun: str) -> str:
    return f"{number:,} {noun}{'' if number == 1 else 's'}"
