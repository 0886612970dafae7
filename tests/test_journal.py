"""The write-ahead journal: checksummed entries, written whole or not at all, read around damage."""

from __future__ import annotations

import errno
import json
import os
import zlib

import pytest

from featurestore_demo.errors import ServiceUnavailable
from local_backend.journal import Journal, Write, encode


def write(seq: int, values: list | None = None) -> Write:
    return Write(seq, "users", "put", values or [f"u{seq}", 2.5, None], 1.0, 1_000_000 + seq, None, True, True)


@pytest.fixture
def journal(tmp_path):
    opened = Journal(tmp_path / "journal.jsonl")
    yield opened
    opened.close()


def test_entries_read_back_in_order_as_writes(journal):
    journal.append(write(1))
    journal.append(Write(2, "users", "SoftDelete", ["u1", None, None], 2.0, 1_000_002, None, True, False))

    assert journal.read().entries == [write(1), Write(2, "users", "SoftDelete", ["u1", None, None], 2.0,
                                                       1_000_002, None, True, False)]
    assert journal.read().damaged == b""


def test_a_line_is_the_crc32_of_its_json_then_the_json(journal):
    journal.append(write(1))
    crc, text = journal.path.read_bytes().rstrip(b"\n").split(b" ", 1)
    assert json.loads(text) == list(write(1))
    assert crc == b"%08x" % zlib.crc32(text)


def test_a_torn_last_line_is_reported_as_damage(journal):
    journal.append(write(1))
    with open(journal.path, "ab") as handle:
        handle.write(encode(write(2))[:20])  # the process died in the middle of a write

    assert journal.read() == ([write(1)], encode(write(2))[:20], 1)


def test_lines_of_the_previous_release_are_read(journal):
    journal.path.write_bytes(json.dumps(list(write(1))).encode() + b"\n")
    journal.append(write(2))
    assert journal.read() == ([write(1), write(2)], b"", 0)


def test_clear_empties_the_journal_and_appends_continue(journal):
    journal.append(write(1))
    journal.clear()
    assert journal.read().entries == []
    journal.append(write(2))
    assert journal.read().entries == [write(2)]


def test_entries_survive_reopening_without_close(tmp_path):
    first = Journal(tmp_path / "j.jsonl")
    first.append(write(1))
    # No close: the line is already with the operating system.
    second = Journal(tmp_path / "j.jsonl")
    try:
        assert second.read().entries == [write(1)]
    finally:
        first.close()
        second.close()


def test_close_is_idempotent(tmp_path):
    journal = Journal(tmp_path / "j.jsonl")
    journal.close()
    journal.close()


# ---------------------------------------------------------------- a disk that refuses


@pytest.fixture
def disk(monkeypatch, journal):
    """Scripted os.write and os.ftruncate for the journal's descriptor only."""

    class Disk:
        short = 0  # > 0: each write takes at most this many bytes
        fail_after: int | None = None  # bytes accepted before os.write raises ``error``
        error = errno.ENOSPC
        truncate_fails = False

    real_write, real_truncate = os.write, os.ftruncate

    def fake_write(fd, data):
        if fd != journal._fd:
            return real_write(fd, data)
        data = bytes(data)
        if Disk.fail_after is not None:
            if Disk.fail_after == 0:
                raise OSError(Disk.error, os.strerror(Disk.error))
            data = data[:Disk.fail_after]
            Disk.fail_after -= len(data)
        return real_write(fd, data[:Disk.short] if Disk.short else data)

    def fake_truncate(fd, size):
        if fd == journal._fd and Disk.truncate_fails:
            raise OSError(errno.EIO, os.strerror(errno.EIO))
        return real_truncate(fd, size)

    monkeypatch.setattr(os, "write", fake_write)
    monkeypatch.setattr(os, "ftruncate", fake_truncate)
    return Disk


def test_short_writes_are_continued_until_the_whole_entry_is_written(journal, disk):
    disk.short = 7
    journal.append(write(1))
    journal.append(write(2))
    assert journal.read() == ([write(1), write(2)], b"", 0)


@pytest.mark.parametrize("code, cause", [(errno.ENOSPC, "the disk is full"),
                                         (errno.EFBIG, "file-size limit"),
                                         (errno.EIO, "the disk failed")])
def test_a_refused_write_raises_and_leaves_nothing_of_itself(journal, disk, code, cause):
    journal.append(write(1))
    before = journal.path.read_bytes()
    disk.fail_after, disk.error = len(encode(write(2))) // 2, code  # half of it, then the error

    with pytest.raises(ServiceUnavailable, match=f"not stored.*{cause}.*Nothing of it was kept") as raised:
        journal.append(write(2))
    assert raised.value.code == "ServiceUnavailable" and str(journal.path) in str(raised.value)
    assert journal.path.read_bytes() == before

    disk.fail_after = None  # space freed: the next write lands after the last whole entry
    journal.append(write(3))
    assert journal.read() == ([write(1), write(3)], b"", 0)


def test_a_journal_that_cannot_be_cut_back_refuses_writes_until_cleared(journal, disk):
    journal.append(write(1))
    disk.fail_after, disk.truncate_fails = 10, True
    with pytest.raises(ServiceUnavailable, match=r"nor cut back .* refuses writes"):
        journal.append(write(2))
    torn = journal.path.read_bytes()

    disk.fail_after = None
    with pytest.raises(ServiceUnavailable, match="refuses writes"):
        journal.append(write(3))  # would land after the torn bytes: refused
    assert journal.path.read_bytes() == torn

    disk.truncate_fails = False
    journal.clear()  # its entries are in the offline store: the garbage goes with them
    journal.append(write(4))
    assert journal.read() == ([write(4)], b"", 0)


def test_fsync_durability_fsyncs_every_entry_and_the_default_none(tmp_path, monkeypatch):
    synced = []
    monkeypatch.setattr(os, "fsync", synced.append)
    default, durable = Journal(tmp_path / "a.jsonl"), Journal(tmp_path / "b.jsonl", fsync=True)
    try:
        synced.clear()  # opening fsyncs the directory
        default.append(write(1))
        assert synced == []
        durable.append(write(1))
        durable.append(write(2))
        assert synced == [durable._fd, durable._fd]
    finally:
        default.close()
        durable.close()


def test_a_failed_fsync_is_a_refused_write(tmp_path, monkeypatch):
    durable = Journal(tmp_path / "j.jsonl", fsync=True)

    def failing(fd):
        raise OSError(errno.EIO, os.strerror(errno.EIO))

    monkeypatch.setattr(os, "fsync", failing)
    try:
        with pytest.raises(ServiceUnavailable, match="the disk failed"):
            durable.append(write(1))
        assert durable.path.read_bytes() == b""
    finally:
        durable.close()
