"""The online store: one dict per feature group, record key -> latest :class:`OnlineEntry`.

It applies the decisions of :mod:`featurestore_demo.rules.online`; it holds no rule itself.
"""

from __future__ import annotations

from collections.abc import Iterable

from featurestore_demo.rules.online import OnlineEntry, delete_applies, is_live, put_applies

__all__ = ["OnlineStore"]


class OnlineStore:
    """Latest record per identifier, per feature group; lives in memory."""

    def __init__(self, equal_overwrites: bool = True) -> None:
        self._groups: dict[str, dict[str, OnlineEntry]] = {}
        self.equal_overwrites = equal_overwrites

    def add_group(self, group: str) -> None:
        self._groups.setdefault(group, {})

    def load(self, group: str, entries: Iterable[tuple[str, OnlineEntry]]) -> None:
        """Set entries as they are, without the write rules (for rebuilding from history)."""
        self._groups[group].update(entries)

    def drop_group(self, group: str) -> None:
        self._groups.pop(group, None)

    def put(self, group: str, key: str, entry: OnlineEntry, now: float) -> bool:
        """Store ``entry`` if it wins over the current one; True if it did."""
        records = self._groups[group]
        if put_applies(records.get(key), entry.event_time, now, equal_overwrites=self.equal_overwrites):
            records[key] = entry
            return True
        return False

    def delete(self, group: str, key: str, event_time: float, now: float, hard: bool) -> bool:
        """Soft- or hard-delete ``key`` as of ``event_time``; False if the delete is stale."""
        records = self._groups[group]
        if not delete_applies(records.get(key), event_time, now):
            return False
        if hard:
            records.pop(key, None)
        else:
            records[key] = OnlineEntry(None, event_time, None)
        return True

    def entry(self, group: str, key: str) -> OnlineEntry | None:
        """The stored entry of ``key`` as it is (tombstones and expired entries included)."""
        return self._groups[group].get(key)

    def get(self, group: str, key: str, now: float) -> OnlineEntry | None:
        """The live entry of ``key`` (not deleted, not expired), or None."""
        entry = self._groups[group].get(key)
        return entry if is_live(entry, now) else None

    def count(self, group: str) -> int:
        return len(self._groups.get(group, ()))
