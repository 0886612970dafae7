"""The write-ahead journal: a write is acknowledged only once all of its entry is written.

On disk, one line per accepted put or delete: the CRC32 of the entry's JSON text in 8 hex
digits, a space, the JSON text (a list, the fields of :class:`Write` in order), a newline::

    ca1d853d [7,"users","put",["u1",30,"gold",3,12.5,1700000000.0],1700000000.0,1700000001000000,null,true,true,null]

What a returned :meth:`Journal.append` promises depends on the durability setting
(``FEATURESTORE_DURABILITY`` or ``LocalBackend(durability=...)``):

- ``"process"`` (default): every byte of the entry is with the operating system, so the write
  survives the process being killed, not the machine losing power;
- ``"fsync"``: the journal is also fsynced, so the write survives power loss too.

A write that fails (disk full, file-size limit, I/O error) raises ServiceUnavailable after the
file is truncated back to its size before that entry: nothing of it stays, so the journal
always parses. Should that truncate fail too, the journal refuses writes until it is cleared.

On recovery (:meth:`Journal.recover`) every intact entry is read, in order, around damage: a
line whose checksum fails, a torn line, garbage bytes. An intact entry appended after a torn
fragment (both on one line) is still recovered. The damaged bytes are appended to
``journal.damaged`` beside the journal and a RuntimeWarning says how many and where. Lines of
the previous release (plain JSON lists, no checksum) are still read; a damaged one is set aside
whole (no entry is searched for after a torn fragment in that format).
"""

from __future__ import annotations

import errno
import json
import os
import re
import warnings
import zlib
from pathlib import Path
from typing import Any, NamedTuple

from featurestore_demo.errors import ServiceUnavailable

__all__ = ["Journal", "Write", "Reading"]

_ENTRY = re.compile(rb"([0-9a-f]{8}) (\[.*)")
_ENTRY_START = re.compile(rb"[0-9a-f]{8} \[")
_CAUSES = {
    errno.ENOSPC: "the disk is full",
    errno.EDQUOT: "the disk quota is used up",
    errno.EFBIG: "the journal reached the file-size limit (ulimit -f)",
}


class Write(NamedTuple):
    """One journal entry: an accepted put or delete, as the offline store will hold it."""

    seq: int
    group: str
    op: str  # "put", "SoftDelete" or "HardDelete"
    values: list[Any]  # the group's features, in definition order
    event_seconds: float
    invoked_us: int  # api_invocation_time, epoch µs
    expires_at: float | None
    online: bool
    offline: bool
    texts: dict[str, str | list[str]] | None = None
    """The exact texts put where the typed value would not give them back (``"12.50"``; a
    collection's, a list)."""


class Reading(NamedTuple):
    """What a journal file holds: its intact entries in order, and its damaged bytes."""

    entries: list[Write]
    damaged: bytes
    pieces: int  # how many separate damaged spans ``damaged`` joins


class Journal:
    """An append-only file of checksummed entries, opened for the lifetime of the store.

    One writer: the store's DuckDB lock keeps other processes out, and callers serialise
    their appends (LocalBackend holds its lock).
    """

    def __init__(self, path: Path, *, fsync: bool = False) -> None:
        self.path = path
        self.damaged_path = path.with_suffix(".damaged")
        self.fsync = fsync
        self._fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_APPEND, 0o644)
        self._size = os.fstat(self._fd).st_size
        self._refusal: str | None = None
        if fsync:
            _fsync_directory(path.parent)  # so the file itself survives power loss

    def append(self, entry: Write) -> None:
        """Write one entry whole, or raise ServiceUnavailable having written nothing of it.

        On return the entry survives a crash of this process ("process"), and power loss
        too when the journal was opened with ``fsync=True``.
        """
        if self._refusal is not None:
            raise ServiceUnavailable(self._refusal)
        line = encode(entry)
        try:
            _write_all(self._fd, line)
            if self.fsync:
                os.fsync(self._fd)
        except OSError as error:
            self._truncate_back(error)
        self._size += len(line)

    def _truncate_back(self, error: OSError) -> None:
        """Undo a failed append (truncate to the size before it), then raise why it failed."""
        cause = _CAUSES.get(error.errno or 0, f"the disk failed ({error.strerror or error})")
        try:
            os.ftruncate(self._fd, self._size)
        except OSError as truncate_error:
            self._refusal = (
                f"The journal {self.path} could not be written ({cause}) nor cut back to its last "
                f"whole entry ({truncate_error.strerror}), so it refuses writes rather than append "
                "after a torn one. Fix the disk, then close and reopen the store (recovery sets the "
                "torn bytes aside) and retry."
            )
            raise ServiceUnavailable(self._refusal) from error
        raise ServiceUnavailable(
            f"The write was not stored: the journal {self.path} could not be written ({cause}). "
            "Nothing of it was kept; free disk space (or raise the limit) and retry."
        ) from error

    def read(self) -> Reading:
        """Every intact entry in order, and the damaged bytes around them (nothing is changed)."""
        entries, damaged = [], []
        with open(self.path, "rb") as handle:
            for line in handle:
                waste, entry = _split(line)
                if waste:
                    damaged.append(waste)
                if entry is not None:
                    entries.append(entry)
        return Reading(entries, b"".join(damaged), len(damaged))

    def recover(self) -> list[Write]:
        """:meth:`read`, with the damaged bytes appended to :attr:`damaged_path` and a warning.

        Raises ServiceUnavailable if they cannot be set aside (the journal is left as it was).
        If the store is not reopened cleanly afterwards, the next recovery sets them aside again.
        """
        reading = self.read()
        if reading.damaged:
            try:
                with open(self.damaged_path, "ab") as side:
                    side.write(reading.damaged)
            except OSError as error:
                raise ServiceUnavailable(
                    f"The journal {self.path} holds {len(reading.damaged)} damaged bytes that could "
                    f"not be set aside in {self.damaged_path} ({error.strerror}); free disk space "
                    "and open the store again."
                ) from error
            warnings.warn(
                f"The journal {self.path} held {len(reading.damaged)} damaged bytes in "
                f"{reading.pieces} place(s) (torn or corrupted writes); they were set aside in "
                f"{self.damaged_path}, and its {len(reading.entries)} intact entries were recovered.",
                RuntimeWarning,
                stacklevel=2,
            )
        return reading.entries

    def clear(self) -> None:
        """Empty the journal (after its entries are safely in the offline store); a journal
        that refused writes accepts them again."""
        if self._size == 0 and self._refusal is None:
            return
        os.ftruncate(self._fd, 0)
        self._size, self._refusal = 0, None

    def close(self) -> None:
        if self._fd >= 0:
            os.close(self._fd)
            self._fd = -1


def encode(entry: Write) -> bytes:
    """The journal line of ``entry``: ``<crc32 of the JSON, 8 hex> <JSON list>\\n`` (ASCII)."""
    text = json.dumps(entry, separators=(",", ":")).encode()
    return b"%08x %s\n" % (zlib.crc32(text), text)


def _write_all(fd: int, data: bytes) -> None:
    """Write every byte of ``data``, looping on short writes; OSError if the disk refuses."""
    view = memoryview(data)
    while view:
        view = view[os.write(fd, view):]


def _split(line: bytes) -> tuple[bytes, Write | None]:
    """(damaged bytes, entry) of one line as read: the line's entry and no damage, or an entry
    that follows a torn fragment on the line, or no entry and the whole line damaged."""
    if not line.endswith(b"\n"):  # torn: the newline is written last, so no whole entry here
        return line, None
    body = line[:-1]
    entry = _parse(body)
    if entry is not None:
        return b"", entry
    for start in _ENTRY_START.finditer(body, 1):
        entry = _parse(body[start.start():])
        if entry is not None:
            return body[:start.start()], entry
    return line, None


def _parse(body: bytes) -> Write | None:
    """The entry a line (without its newline) holds; None unless it is whole and intact."""
    if body.startswith(b"["):  # the previous release: plain JSON, no checksum
        return _decode(body)
    match = _ENTRY.fullmatch(body)
    if match is None or int(match[1], 16) != zlib.crc32(match[2]):
        return None
    return _decode(match[2])


def _decode(text: bytes) -> Write | None:
    try:
        fields = json.loads(text)
    except ValueError:  # not JSON, or not UTF-8
        return None
    if not isinstance(fields, list) or len(fields) not in (len(Write._fields) - 1, len(Write._fields)):
        return None  # an entry of the release before texts has one field less
    return Write(*fields)


def _fsync_directory(directory: Path) -> None:
    fd = os.open(directory, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)
