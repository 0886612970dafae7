"""Which write wins in the online store, TTL and deletes (SAGEMAKER_SPEC §2.6, §3.1, §3.2).

The online store keeps one :class:`OnlineEntry` per record identifier. These pure functions
decide what a put or a delete does to it; the stores apply the decision.
"""

from __future__ import annotations

from enum import Enum
from typing import NamedTuple

import numpy as np

UPDATE_TIERS = ("Standard_V2", "InMemory")
"""The online-store tiers UpdateRecord serves (its documentation in botocore's model)."""


class OnlineEntry(NamedTuple):
    """The online state of one record identifier.

    ``values`` is the record's feature values in definition order (None where absent), or None
    for a soft-delete tombstone. ``expires_at`` is epoch seconds, or None without a TTL.
    """

    values: tuple | None
    event_time: float
    expires_at: float | None = None


def is_live(entry: OnlineEntry | None, now: float) -> bool:
    """True if GetRecord returns this entry: it exists, is not soft-deleted and has not expired."""
    return entry is not None and entry.values is not None and not is_expired(entry, now)


def is_expired(entry: OnlineEntry, now: float) -> bool:
    """TTL expiry counts as a hard delete from the moment ``now >= expires_at``."""
    return entry.expires_at is not None and now >= entry.expires_at


def put_applies(
    current: OnlineEntry | None, event_time: float, now: float, *, equal_overwrites: bool = True
) -> bool:
    """Whether a put with ``event_time`` replaces ``current`` online.

    A newer event time wins; an older one is ignored online (it still goes to the offline
    store). An equal event time overwrites, as the Developer Guide says (``>=``); pass
    ``equal_overwrites=False`` for the API reference's literal reading (``>``). A soft-delete
    tombstone keeps its event time and so still blocks older puts (undocumented by AWS: the
    kit's choice); a hard-deleted or expired record blocks nothing.
    """
    if current is None or is_expired(current, now):
        return True
    if equal_overwrites:
        return event_time >= current.event_time
    return event_time > current.event_time


def latest_puts(records: np.ndarray, event_times: np.ndarray, *, equal_overwrites: bool = True) -> np.ndarray:
    """The positions, ascending, of the puts that stay online when puts without a TTL are applied
    one after another: per record (``records`` holds one code per put, a small non-negative
    integer), the newest event time, and among equal ones the last put if equal event times
    overwrite, else the first. Where no stored entry can expire first, putting only these gives
    what putting them all gives."""
    if not len(records):
        return np.zeros(0, dtype="int64")
    count = int(records.max()) + 1
    newest = np.full(count, -np.inf)
    np.maximum.at(newest, records, event_times)
    candidates = np.flatnonzero(event_times == newest[records])  # each record's puts at its newest time
    none = -1 if equal_overwrites else len(records)
    chosen = np.full(count, none)
    (np.maximum if equal_overwrites else np.minimum).at(chosen, records[candidates], candidates)
    return np.sort(chosen[chosen != none])


class DeleteOutcome(Enum):
    """What a DeleteRecord does (SAGEMAKER_SPEC §2.6); every outcome but REJECTED writes its
    offline marker."""

    SOFT_DELETED = "soft-deleted"  # the online values become null; the tombstone keeps the event time
    HARD_DELETED = "hard-deleted"  # the online record is removed, its event time with it
    OFFLINE_ONLY = "offline only"  # a stale SoftDelete: the online record stays as it was
    REJECTED = "rejected"  # a stale HardDelete: ValidationException, and nothing is written


def delete_outcome(
    current: OnlineEntry | None, event_time: float, now: float, deletion_mode: str
) -> DeleteOutcome:
    """What a delete in ``deletion_mode`` ("SoftDelete" or "HardDelete") with ``event_time``
    does, given the stored ``current``.

    It is stale unless ``event_time`` is strictly later than the stored record's (a tombstone's
    too); a missing, hard-deleted or expired record never makes it stale.
    """
    hard = deletion_mode == "HardDelete"
    if current is None or is_expired(current, now) or event_time > current.event_time:
        return DeleteOutcome.HARD_DELETED if hard else DeleteOutcome.SOFT_DELETED
    return DeleteOutcome.REJECTED if hard else DeleteOutcome.OFFLINE_ONLY


def expires_at(event_time: float, ttl_seconds: int | None) -> float | None:
    """When a record written with this event time and TTL stops being served."""
    return None if ttl_seconds is None else event_time + ttl_seconds


class UpdateOutcome(Enum):
    """What an UpdateRecord does to the stored record (SAGEMAKER_SPEC §2.7)."""

    APPLIES = "applies"  # the named features change; the rest stays
    NOT_FOUND = "not found"  # no live record: missing, soft-deleted, hard-deleted or expired
    CONFLICT = "conflict"  # the update's EventTime is older than the record's


def update_outcome(current: OnlineEntry | None, event_time: float | None, now: float) -> UpdateOutcome:
    """Whether an update with ``event_time`` (None: keep the record's) applies to ``current``.

    The record must be live; an older EventTime conflicts; an equal or newer one, or none,
    applies (whatever rule puts follow for equal event times).
    """
    if current is None or not is_live(current, now):
        return UpdateOutcome.NOT_FOUND
    if event_time is not None and event_time < current.event_time:
        return UpdateOutcome.CONFLICT
    return UpdateOutcome.APPLIES


def updated_expiry(current: OnlineEntry, event_time: float | None, ttl_seconds: int | None) -> float | None:
    """ExpiresAt of a record after an update with ``event_time`` (None: kept) and ``ttl_seconds``.

    A TtlDuration given with the update counts from its EventTime (the interface requires one).
    Without one "the record's existing TTL setting remains unchanged": the record keeps its TTL,
    the span from its event time to its ExpiresAt, counted from the new event time (the kit's
    reading: AWS keeps no TTL per record that a client could see apart from ExpiresAt).
    """
    if ttl_seconds is not None:
        assert event_time is not None, "a TtlDuration comes with an EventTime (normalize_update)"
        return event_time + ttl_seconds
    if current.expires_at is None or event_time is None:
        return current.expires_at
    return event_time + (current.expires_at - current.event_time)
