"""The write-ahead journal: single writes are durable once their line is written.

Each accepted put or delete is one JSON line, written with a single ``os.write`` on an
``O_APPEND`` descriptor before the call returns: it survives the process being killed (the
operating system holds it), which is the durability the kit promises. Lines move into the
DuckDB offline store in batches (:meth:`LocalBackend.flush`) and the journal is then emptied.
A torn last line, from a kill in the middle of a write, is ignored on recovery.
"""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

__all__ = ["Journal"]


class Journal:
    """An append-only file of JSON lines, opened for the lifetime of the store."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self._fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_APPEND, 0o644)

    def append(self, entry: list[Any]) -> None:
        """Write one entry; when this returns, the entry survives a crash of this process."""
        os.write(self._fd, (json.dumps(entry, separators=(",", ":")) + "\n").encode())

    def read(self) -> list[list[Any]]:
        """Every complete entry, in order; a torn final line is skipped."""
        entries = []
        with open(self.path, "rb") as handle:
            for line in handle:
                if not line.endswith(b"\n"):
                    break
                entries.append(json.loads(line))
        return entries

    def clear(self) -> None:
        """Empty the journal (after its entries are safely in the offline store)."""
        os.ftruncate(self._fd, 0)

    def close(self) -> None:
        if self._fd >= 0:
            os.close(self._fd)
            self._fd = -1
