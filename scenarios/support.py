"""Helpers of the scenarios: expected answers computed with plain pandas, and offline rows."""

from __future__ import annotations

import pandas as pd

from featurestore_demo.backend import FeatureStoreBackend

__all__ = ["latest_by_event_time", "as_records", "offline_rows"]


def latest_by_event_time(frame: pd.DataFrame, id_column: str) -> pd.DataFrame:
    """One row per id: the one with the newest event time (the later row wins a tie), indexed by id.

    This is what the online store must hold after ingesting ``frame`` row by row.
    """
    ordered = frame.sort_values("event_time", kind="stable")
    return ordered.groupby(id_column, sort=True).tail(1).set_index(id_column, drop=False).sort_index()


def as_records(frame: pd.DataFrame) -> dict[str, dict]:
    """Index value (as text) -> the row as a dict of plain Python values, as GetRecord returns it."""
    return {str(key): {name: value.item() if hasattr(value, "item") else value for name, value in row.items()}
            for key, row in frame.iterrows()}


def offline_rows(backend: FeatureStoreBackend, group: str, where: str = "TRUE") -> pd.DataFrame:
    """The group's offline rows matching ``where`` (Athena SQL), oldest write first."""
    return backend.query(
        f"SELECT * FROM {backend.offline_table(group)} WHERE {where} ORDER BY api_invocation_time"
    )
