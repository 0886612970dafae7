"""The write-ahead journal: one JSON line per accepted write; a torn last line is skipped."""

from __future__ import annotations

import pytest

from local_backend.journal import Journal


@pytest.fixture
def journal(tmp_path):
    opened = Journal(tmp_path / "journal.jsonl")
    yield opened
    opened.close()


def test_entries_read_back_in_order(journal):
    journal.append([1, "users", "put", ["u1", 2.5, None]])
    journal.append([2, "users", "SoftDelete", ["u1", None, None]])

    assert journal.read() == [[1, "users", "put", ["u1", 2.5, None]], [2, "users", "SoftDelete", ["u1", None, None]]]


def test_a_torn_last_line_is_skipped(journal):
    journal.append([1, "users", "put", ["u1"]])
    with open(journal.path, "ab") as handle:
        handle.write(b'[2,"users","pu')  # the process died in the middle of a write

    assert journal.read() == [[1, "users", "put", ["u1"]]]


def test_clear_empties_the_journal_and_appends_continue(journal):
    journal.append([1, "g", "put", []])
    journal.clear()
    assert journal.read() == []
    journal.append([2, "g", "put", []])
    assert journal.read() == [[2, "g", "put", []]]


def test_entries_survive_reopening_without_close(tmp_path):
    first = Journal(tmp_path / "j.jsonl")
    first.append([1, "g", "put", ["a"]])
    # No close: the line is already with the operating system.
    second = Journal(tmp_path / "j.jsonl")
    try:
        assert second.read() == [[1, "g", "put", ["a"]]]
    finally:
        first.close()
        second.close()


def test_close_is_idempotent(tmp_path):
    journal = Journal(tmp_path / "j.jsonl")
    journal.close()
    journal.close()
