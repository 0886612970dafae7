"""The online store: one dict per feature group, record key -> latest :class:`OnlineEntry`.

It applies the decisions of :mod:`featurestore_demo.rules.online`; it holds no rule itself.
"""

from __future__ import annotations

from collections.abc import Iterable

from featurestore_demo.rules.online import DeleteOutcome, OnlineEntry, delete_outcome, is_live, put_applies

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

    def delete_outcome(
        self, group: str, key: str, event_time: float, now: float, deletion_mode: str
    ) -> DeleteOutcome:
        """What deleting ``key`` as of ``event_time`` would do at ``now``; nothing changes."""
        return delete_outcome(self._groups[group].get(key), event_time, now, deletion_mode)

    def delete(
        self, group: str, key: str, event_time: float, now: float, deletion_mode: str
    ) -> DeleteOutcome:
        """Delete ``key`` as of ``event_time`` as the rules decide; returns what the delete did
        (the store is unchanged unless SOFT_DELETED or HARD_DELETED)."""
        outcome = self.delete_outcome(group, key, event_time, now, deletion_mode)
        records = self._groups[group]
        if outcome is DeleteOutcome.SOFT_DELETED:
            records[key] = OnlineEntry(None, event_time, None)
        elif outcome is DeleteOutcome.HARD_DELETED:
            records.pop(key, None)
        return outcome

    def get(self, group: str, key: str, now: float) -> OnlineEntry | None:
        """The live entry of ``key`` (not deleted, not expired), or None."""
        entry = self._groups[group].get(key)
        return entry if is_live(entry, now) else None

    def current(self, group: str, key: str) -> OnlineEntry | None:
        """The stored entry of ``key`` as it is (a tombstone or an expired entry included), or None."""
        return self._groups[group].get(key)

    def replace(self, group: str, key: str, entry: OnlineEntry) -> None:
        """Store ``entry`` whatever the write rules say (an UpdateRecord that its own rule applied)."""
        self._groups[group][key] = entry

    def keys(self, group: str, now: float, *, include_soft_deleted: bool = False) -> list[str]:
        """The record keys with a live entry at ``now`` (and soft-deleted ones, if asked), sorted."""
        return sorted(key for key, entry in self._groups[group].items()
                      if is_live(entry, now) or (include_soft_deleted and entry.values is None))

    def count(self, group: str) -> int:
        return len(self._groups.get(group, ()))
