"""What the SQL of the SDK v2 DatasetBuilder means on AWS, computed in pandas (SAGEMAKER_SPEC §4).

Written from the spec's pseudo-SQL, not from the SDK's code or the emulator's: it takes the
offline rows of each feature group (as ``SELECT *`` returns them: the features plus
``write_time``, ``api_invocation_time`` and ``is_deleted``) and builds the dataset.

Per group, by the two flags:
- default: de-duplicate per (id, event time) keeping the newest (api_invocation_time,
  write_time), delete markers included; drop every row not newer, by (event time,
  api_invocation_time, write_time), than the id's newest delete marker (which goes too);
- ``include_duplicated``: the same without de-duplication;
- ``include_deleted``: de-duplicate the rows that are not markers, after which the time filters
  apply; both flags: the rows that are not markers.
Filters: the event-time range (inclusive ends) and ``as_of`` on write_time (inclusive). The
marker search applies as_of, and the event-time range only when both ends are set.
The join: each joined group's rows whose id equals the base row's (and, point-in-time, whose
event time is not after the base row's), numbered per base record id by the base's event time
then each joined group's, newest first, and cut to ``recent`` when given.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import pandas as pd

__all__ = ["Group", "Options", "dataset", "seconds"]

WT, AIT = "write_time", "api_invocation_time"


@dataclass(frozen=True)
class Group:
    """A feature group's offline rows (``rows``), or a DataFrame base (``is_frame``)."""

    rows: pd.DataFrame
    record_id: str
    event_time: str
    features: list[str] = field(default_factory=list)
    is_frame: bool = False

    def projected(self) -> list[str]:
        return self.features or [c for c in self.rows.columns if c not in (WT, AIT, "is_deleted")]


@dataclass(frozen=True)
class Options:
    """The builder's options; times as epoch seconds, ``as_of`` a naive UTC timestamp."""

    point_in_time: bool = False
    include_duplicated: bool = False
    include_deleted: bool = False
    recent: int | None = None
    start: float | None = None
    end: float | None = None
    as_of: pd.Timestamp | None = None


def seconds(column: pd.Series) -> pd.Series:
    """Event times as epoch seconds: a Fractional column as it is, a String one parsed as ISO 8601
    (``from_unixtime`` and ``from_iso8601_timestamp`` in the SDK's SQL)."""
    if pd.api.types.is_numeric_dtype(column):
        return column.astype(float)
    stamps = pd.to_datetime(column, format="ISO8601", utc=True)
    return (stamps - pd.Timestamp(0, tz="UTC")).dt.total_seconds()


def _in_range(rows: pd.DataFrame, group: Group, start: float | None, end: float | None) -> pd.DataFrame:
    elapsed = seconds(rows[group.event_time])
    keep = pd.Series(True, index=rows.index)
    if start is not None:
        keep &= elapsed >= start
    if end is not None:
        keep &= elapsed <= end
    return rows[keep]


def _written_by(rows: pd.DataFrame, as_of: pd.Timestamp | None) -> pd.DataFrame:
    return rows if as_of is None else rows[rows[WT] <= as_of]


def _newest(rows: pd.DataFrame, by: list[str], order: list[str]) -> pd.DataFrame:
    """One row per ``by``: the greatest by ``order``."""
    return rows.sort_values(order, ascending=False, kind="stable").drop_duplicates(by, keep="first")


def _after_latest_marker(rows: pd.DataFrame, raw: pd.DataFrame, group: Group, options: Options) -> pd.DataFrame:
    """``rows`` of ids without a delete marker, and the rows newer than their id's newest one."""
    order = [group.event_time, AIT, WT]
    markers = _written_by(raw[raw["is_deleted"]], options.as_of)
    if options.start is not None and options.end is not None:
        markers = _in_range(markers, group, options.start, options.end)
    latest = _newest(markers, [group.record_id], order)[[group.record_id, *order]]
    joined = rows.merge(latest, on=group.record_id, how="left", suffixes=("", "_marker"))
    no_marker = joined[f"{group.event_time}_marker"].isna()
    newer = pd.Series(False, index=joined.index)
    equal_so_far = pd.Series(True, index=joined.index)
    for column in order:
        newer |= equal_so_far & (joined[column] > joined[f"{column}_marker"])
        equal_so_far &= joined[column] == joined[f"{column}_marker"]
    return joined[no_marker | newer][rows.columns]


def group_rows(group: Group, options: Options, base_is_group: bool) -> pd.DataFrame:
    """The rows one group contributes to the dataset, with its projected columns."""
    raw = group.rows
    if group.is_frame:
        chosen = raw
    elif options.include_deleted:
        chosen = raw[~raw["is_deleted"]]
        if not options.include_duplicated:
            chosen = _newest(chosen, [group.record_id, group.event_time], [AIT, WT])
    else:
        chosen = raw
        if not options.include_duplicated:
            filtered = _in_range(_written_by(raw, options.as_of), group, options.start, options.end)
            chosen = _newest(filtered, [group.record_id, group.event_time], [AIT, WT])
        chosen = _after_latest_marker(chosen, raw, group, options)
    if base_is_group and not group.is_frame:
        chosen = _written_by(chosen, options.as_of)
    return _in_range(chosen, group, options.start, options.end)[group.projected()]


def dataset(base: Group, joined: list[Group], options: Options) -> pd.DataFrame:
    """The dataset ``create_dataset(base).with_feature_group(g) ...`` means, row order aside."""
    base_is_group = not base.is_frame
    result = group_rows(base, options, base_is_group).reset_index(drop=True)
    order = [base.event_time]
    for number, group in enumerate(joined, start=1):
        rows = group_rows(group, options, base_is_group)
        rows = rows.rename(columns={c: f"{c}.{number}" for c in rows.columns})
        result = result.merge(rows, left_on=base.record_id, right_on=f"{group.record_id}.{number}")
        if options.point_in_time:
            result = result[seconds(result[base.event_time]) >= seconds(result[f"{group.event_time}.{number}"])]
        order.append(f"{group.event_time}.{number}")
    if options.recent is not None:
        ranks = pd.DataFrame({column: seconds(result[column]) for column in order}, index=result.index)
        result = result.loc[ranks.sort_values(order, ascending=False, kind="stable").index]
        result = result[result.groupby(base.record_id).cumcount() < options.recent]
    return result.reset_index(drop=True)
