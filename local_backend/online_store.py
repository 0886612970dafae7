"""The online store: per feature group, record key -> latest :class:`OnlineEntry`.

A group's entries live in two places. The entries a store opened with are a :class:`SortedEntries`:
columns sorted by record key, so that no per-record tuple is built when a store of a million
records opens; a key is found by bisection until a thread has indexed them (a dict of key -> row,
:meth:`OnlineStore.index_in_background`). Every write since goes to a dict, which shadows them.
It applies the decisions of :mod:`featurestore_demo.rules.online`; it holds no rule itself.
"""

from __future__ import annotations

import threading
import time
from bisect import bisect_left
from collections.abc import Iterable
from heapq import merge

from featurestore_demo.rules.online import DeleteOutcome, OnlineEntry, delete_outcome, is_live, put_applies

__all__ = ["OnlineStore", "SortedEntries"]

INDEX_SLICE = 16_384
"""Keys indexed per slice (a few milliseconds of holding the GIL)."""
_entry = tuple.__new__
"""``_entry(OnlineEntry, (values, event_time, expires_at))``: an entry without NamedTuple's Python-level __new__."""
_GONE = None
"""What the dict of writes holds for an opened entry deleted since (it shadows the opened one)."""


class SortedEntries:
    """Live entries without expiry, as columns in record-key order (the store's state when opened).

    ``keys`` is sorted (str order) and unique; ``columns`` holds, per feature in definition order,
    the values of each key's row; ``event_times`` each row's event time in epoch seconds. A key
    is found by bisection until :meth:`index` has built a dict of key -> row.
    """

    __slots__ = ("columns", "event_times", "keys", "rows")

    def __init__(self, keys: list[str], columns: list[list], event_times: list[float]) -> None:
        self.keys, self.columns, self.event_times = keys, columns, event_times
        self.rows: dict[str, int] | None = None

    def index(self, stop: threading.Event | None = None) -> None:
        """Build the dict of key -> row, a slice at a time (other threads run between slices);
        reads use it once it is whole. Gives up, leaving none, once ``stop`` is set."""
        rows: dict[str, int] = {}
        for start in range(0, len(self.keys), INDEX_SLICE):
            if stop is not None and stop.is_set():
                return
            rows.update(zip(self.keys[start:start + INDEX_SLICE], range(start, start + INDEX_SLICE)))
            time.sleep(0)
        self.rows = rows

    def get(self, key: str) -> OnlineEntry | None:
        row = self._row(key)
        if row is None:
            return None
        return _entry(OnlineEntry, (tuple([column[row] for column in self.columns]), self.event_times[row], None))

    def _row(self, key: str) -> int | None:
        rows = self.rows
        if rows is not None:
            return rows.get(key)
        keys = self.keys
        row = bisect_left(keys, key)
        return row if row < len(keys) and keys[row] == key else None

    def __contains__(self, key: str) -> bool:
        return self._row(key) is not None

    def __len__(self) -> int:
        return len(self.keys)


_NO_ENTRIES = SortedEntries([], [], [])


def _index_each(opened: list[SortedEntries], stop: threading.Event) -> None:
    for entries in opened:
        entries.index(stop)


class _Group:
    """One group's entries: those it opened with, shadowed by the writes since (``_GONE``: deleted)."""

    __slots__ = ("expiring", "opened", "written")

    def __init__(self, opened: SortedEntries = _NO_ENTRIES) -> None:
        self.opened = opened
        self.written: dict[str, OnlineEntry | None] = {}
        self.expiring = False
        """Whether an entry with an expiry was ever set (the opened ones have none)."""

    def current(self, key: str) -> OnlineEntry | None:
        written = self.written
        if key in written:
            return written[key]
        return self.opened.get(key)

    def set(self, key: str, entry: OnlineEntry) -> None:
        self.written[key] = entry
        if entry.expires_at is not None:
            self.expiring = True

    def remove(self, key: str) -> None:
        if key in self.opened:
            self.written[key] = _GONE
        else:
            self.written.pop(key, None)


class OnlineStore:
    """Latest record per identifier, per feature group; lives in memory."""

    def __init__(self, equal_overwrites: bool = True) -> None:
        self._groups: dict[str, _Group] = {}
        self.equal_overwrites = equal_overwrites
        self._indexing: threading.Thread | None = None
        self._stop_indexing = threading.Event()

    def index_in_background(self) -> None:
        """Index the entries every group opened with (:meth:`SortedEntries.index`) on a thread of
        its own: opening returns before, and reads bisect until then."""
        opened = [records.opened for records in self._groups.values() if len(records.opened)]
        if not opened:
            return
        self._indexing = threading.Thread(target=_index_each, args=(opened, self._stop_indexing),
                                          name="online-index", daemon=True)
        self._indexing.start()

    def wait_indexed(self) -> None:
        """Return once the background indexing (if any) is done."""
        if self._indexing is not None:
            self._indexing.join()

    def stop_indexing(self) -> None:
        """Stop the background indexing (reads bisect from then on) and wait for it."""
        self._stop_indexing.set()
        self.wait_indexed()

    def add_group(self, group: str) -> None:
        self._groups.setdefault(group, _Group())

    def open_with(self, group: str, opened: SortedEntries) -> None:
        """Start ``group`` from ``opened`` as it is, without the write rules (rebuilding from history)."""
        self._groups[group] = _Group(opened)

    def drop_group(self, group: str) -> None:
        self._groups.pop(group, None)

    def put(self, group: str, key: str, entry: OnlineEntry, now: float) -> bool:
        """Store ``entry`` if it wins over the current one; True if it did."""
        records = self._groups[group]
        if put_applies(records.current(key), entry.event_time, now, equal_overwrites=self.equal_overwrites):
            records.set(key, entry)
            return True
        return False

    def delete_outcome(
        self, group: str, key: str, event_time: float, now: float, deletion_mode: str
    ) -> DeleteOutcome:
        """What deleting ``key`` as of ``event_time`` would do at ``now``; nothing changes."""
        return delete_outcome(self._groups[group].current(key), event_time, now, deletion_mode)

    def delete(
        self, group: str, key: str, event_time: float, now: float, deletion_mode: str
    ) -> DeleteOutcome:
        """Delete ``key`` as of ``event_time`` as the rules decide; returns what the delete did
        (the store is unchanged unless SOFT_DELETED or HARD_DELETED)."""
        outcome = self.delete_outcome(group, key, event_time, now, deletion_mode)
        records = self._groups[group]
        if outcome is DeleteOutcome.SOFT_DELETED:
            records.set(key, OnlineEntry(None, event_time, None))
        elif outcome is DeleteOutcome.HARD_DELETED:
            records.remove(key)
        return outcome

    def get(self, group: str, key: str, now: float) -> OnlineEntry | None:
        """The live entry of ``key`` (not deleted, not expired), or None."""
        entry = self._groups[group].current(key)
        return entry if is_live(entry, now) else None

    def get_many(self, group: str, keys: Iterable[str], now: float) -> list[tuple[str, OnlineEntry]]:
        """(key, live entry) for each of ``keys`` that has a live entry at ``now``, in order."""
        current = self._groups[group].current
        return [(key, entry) for key in keys if is_live(entry := current(key), now)]  # type: ignore[misc]

    def may_expire(self, group: str) -> bool:
        """False if no entry of ``group`` can expire: none ever stored had an expiry."""
        return self._groups[group].expiring

    def current(self, group: str, key: str) -> OnlineEntry | None:
        """The stored entry of ``key`` as it is (a tombstone or an expired entry included), or None."""
        return self._groups[group].current(key)

    def replace(self, group: str, key: str, entry: OnlineEntry) -> None:
        """Store ``entry`` whatever the write rules say (an UpdateRecord that its own rule applied)."""
        self._groups[group].set(key, entry)

    def keys(self, group: str, now: float, *, include_soft_deleted: bool = False) -> list[str]:
        """The record keys with a live entry at ``now`` (and soft-deleted ones, if asked), sorted."""
        records = self._groups[group]
        written = records.written
        shown = sorted(key for key, entry in written.items() if entry is not None
                       and (is_live(entry, now) or (include_soft_deleted and entry.values is None)))
        opened: Iterable[str] = records.opened.keys
        if written:
            opened = (key for key in opened if key not in written)
        return list(merge(opened, shown))

    def count(self, group: str) -> int:
        """How many record keys the group holds an entry for (tombstones and expired ones included)."""
        records = self._groups.get(group)
        if records is None:
            return 0
        opened = records.opened
        return len(opened) + sum(-1 if entry is _GONE else key not in opened for key, entry in records.written.items())
