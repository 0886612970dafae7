"""Which write wins online, TTL and deletes (SAGEMAKER_SPEC §2.6, §3.1, §3.2), as pure functions."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from featurestore_demo.rules.online import (
    DeleteOutcome,
    OnlineEntry,
    delete_outcome,
    expires_at,
    is_expired,
    is_live,
    latest_puts,
    put_applies,
)

NOW = 1_000.0
RECORD = OnlineEntry(("a", 1), event_time=500.0)
TOMBSTONE = OnlineEntry(None, event_time=500.0)
EXPIRED = OnlineEntry(("a", 1), event_time=500.0, expires_at=NOW)


@pytest.mark.parametrize(
    ("entry", "live"),
    [(None, False), (RECORD, True), (TOMBSTONE, False), (EXPIRED, False),
     (OnlineEntry(("a",), 500.0, NOW + 0.001), True)],
    ids=["none", "record", "tombstone", "expired at now", "expires just after now"],
)
def test_is_live(entry, live):
    assert is_live(entry, NOW) is live


def test_expiry_is_inclusive_of_expires_at():
    assert is_expired(EXPIRED, NOW) and not is_expired(EXPIRED, NOW - 0.001)
    assert not is_expired(RECORD, 10**12)  # no TTL: lives until overwritten


@pytest.mark.parametrize(
    ("event_time", "applies"), [(501.0, True), (500.0, True), (499.0, False)], ids=["newer", "equal", "older"]
)
def test_put_applies_when_not_older(event_time, applies):
    assert put_applies(RECORD, event_time, NOW) is applies


def test_equal_event_times_can_follow_the_api_reference_instead():
    assert not put_applies(RECORD, 500.0, NOW, equal_overwrites=False)
    assert put_applies(RECORD, 500.1, NOW, equal_overwrites=False)


def test_a_tombstone_blocks_older_puts_but_nothing_blocks_after_expiry_or_hard_delete():
    assert not put_applies(TOMBSTONE, 499.0, NOW)  # the kit's choice, undocumented by AWS
    assert put_applies(EXPIRED, 1.0, NOW)
    assert put_applies(None, 1.0, NOW)


@pytest.mark.parametrize(
    ("entry", "event_time", "applies"),
    [(RECORD, 501.0, True), (RECORD, 500.0, False), (RECORD, 499.0, False), (None, 1.0, True),
     (EXPIRED, 1.0, True), (TOMBSTONE, 500.0, False), (TOMBSTONE, 501.0, True)],
    ids=["later", "equal", "older", "no record", "expired", "tombstone", "after a tombstone"],
)
def test_a_delete_applies_online_only_when_strictly_later(entry, event_time, applies):
    soft, hard = (delete_outcome(entry, event_time, NOW, mode) for mode in ("SoftDelete", "HardDelete"))
    assert (soft, hard) == ((DeleteOutcome.SOFT_DELETED, DeleteOutcome.HARD_DELETED) if applies else
                            (DeleteOutcome.OFFLINE_ONLY, DeleteOutcome.REJECTED))


def test_expires_at_counts_from_the_event_time():
    assert expires_at(500.0, 60) == 560.0
    assert expires_at(500.0, None) is None


@pytest.mark.parametrize(("equal_overwrites", "kept"), [(True, [2, 3, 5]), (False, [1, 3, 5])])
def test_latest_puts_keeps_the_newest_put_of_each_record_and_breaks_ties_as_puts_do(equal_overwrites, kept):
    records = np.array([0, 0, 0, 1, 1, 2])
    event_times = np.array([1.0, 5.0, 5.0, 9.0, 2.0, 0.0])
    assert latest_puts(records, event_times, equal_overwrites=equal_overwrites).tolist() == kept
    assert latest_puts(records[:0], event_times[:0]).tolist() == []


@given(st.lists(st.tuples(st.integers(0, 4), st.sampled_from([0.0, 1.0, 2.0, -0.0, 1e9])), max_size=40),
       st.booleans())
def test_latest_puts_are_the_puts_that_win_when_applied_one_by_one(puts, equal_overwrites):
    winners: dict[int, tuple[float, int]] = {}  # record -> (event time, position) of its winning put
    for position, (record, event_time) in enumerate(puts):
        held = winners.get(record)
        if held is None or event_time > held[0] or (event_time == held[0] and equal_overwrites):
            winners[record] = (event_time, position)
    records = np.array([record for record, _ in puts], dtype="int64")
    event_times = np.array([event_time for _, event_time in puts], dtype="float64")
    kept = latest_puts(records, event_times, equal_overwrites=equal_overwrites).tolist()
    assert kept == sorted(position for _, position in winners.values())
