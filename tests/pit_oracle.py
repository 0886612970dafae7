"""A brute-force point-in-time oracle: slow, short, and obviously right.

It reads the rule straight from DESIGN.md: for a label (entity, T), among the entity's offline
rows with ``event_time <= T`` (and ``write_time <= as_of``), take the latest by
(event_time, api_invocation_time, write_time); NULL if it is a delete marker, older than
``max_age``, or missing. It shares no code with the kit: times are converted here, in plain
Python, from the offline rows exactly as ``SELECT *`` returns them.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta, timezone
from typing import Any

import pandas as pd

EPOCH = datetime(1970, 1, 1, tzinfo=timezone.utc)


def utc_micros(value: Any) -> int:
    """Epoch seconds, a naive datetime (UTC), an aware datetime or ``...Z`` text, in UTC µs."""
    if isinstance(value, str):
        value = datetime.fromisoformat(value.replace("Z", "+00:00"))
    if isinstance(value, datetime):
        if value.tzinfo is None:
            value = value.replace(tzinfo=timezone.utc)
        return (value - EPOCH) // timedelta(microseconds=1)
    return round(float(value) * 1_000_000)


@dataclass(frozen=True)
class Row:
    """One offline row: record key as text, the three times in µs, the marker flag, the features."""

    key: str
    event_us: int
    api_us: int
    write_us: int
    is_deleted: bool
    features: dict[str, Any]


def offline_rows(frame: pd.DataFrame, id_name: str, event_time_name: str) -> list[Row]:
    """The rows of ``SELECT * FROM <offline table>`` as :class:`Row` (missing values as None)."""
    rows = []
    for record in frame.astype(object).to_dict("records"):
        record = {name: None if pd.isna(value) else value for name, value in record.items()}
        rows.append(Row(
            key=str(record[id_name]),
            event_us=utc_micros(record[event_time_name]),
            api_us=utc_micros(record["api_invocation_time"]),
            write_us=utc_micros(record["write_time"]),
            is_deleted=bool(record["is_deleted"]),
            features=record,
        ))
    return rows


def state_at(
    rows: list[Row], key: str | None, label_us: int, *, max_age_us: int | None = None, as_of_us: int | None = None
) -> dict[str, Any] | None:
    """The features of ``key`` at ``label_us`` by the kit's rule; None means NULL features."""
    candidates = [
        row for row in rows
        if row.key == key and row.event_us <= label_us and (as_of_us is None or row.write_us <= as_of_us)
    ]
    if not candidates:
        return None
    latest = max(candidates, key=lambda row: (row.event_us, row.api_us, row.write_us))
    if latest.is_deleted:
        return None
    if max_age_us is not None and latest.event_us < label_us - max_age_us:
        return None
    return latest.features
