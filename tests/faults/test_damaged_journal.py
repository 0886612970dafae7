"""A damaged journal never makes the store unopenable: every intact entry is recovered, the
damaged bytes are set aside in ``journal.damaged``, and a warning says how many and where."""

from __future__ import annotations

import json
import re
import shutil
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import pytest

from local_backend import LocalBackend

IDS = ["u0", "u1", "u2", "u3"]
CRASHED_WRITER = """
import os, sys
from featurestore_demo.schemas import USERS
from local_backend import LocalBackend

store = LocalBackend(sys.argv[1])
store.create_feature_group(USERS)
for i in range(4):
    store.put_record("users", {"user_id": f"u{i}", "total_purchases": 10 * i, "event_time": 1.0})
os._exit(0)  # killed before close(): the four puts are only in the journal, one line each
"""
Damage = Callable[[list[bytes]], tuple[list[bytes], bytes]]  # lines -> (damaged lines, bytes set aside)


@pytest.fixture(scope="module")
def crashed_home(tmp_path_factory: pytest.TempPathFactory) -> Path:
    home = tmp_path_factory.mktemp("crashed")
    result = subprocess.run([sys.executable, "-c", CRASHED_WRITER, str(home)], capture_output=True, text=True,
                            timeout=60)
    assert result.returncode == 0, result.stderr
    return home


def journal_copy(crashed_home: Path, tmp_path: Path) -> tuple[Path, list[bytes]]:
    home = tmp_path / "store"
    shutil.copytree(crashed_home, home)
    lines = (home / "journal.jsonl").read_bytes().splitlines(keepends=True)
    assert len(lines) == len(IDS)
    return home, lines


def flipped_byte(lines: list[bytes]) -> tuple[list[bytes], bytes]:
    line = bytearray(lines[1])
    line[40] ^= 0x01
    return [lines[0], bytes(line), *lines[2:]], bytes(line)


def flipped_newline(lines: list[bytes]) -> tuple[list[bytes], bytes]:
    return [lines[0][:-1] + b"|", *lines[1:]], lines[0][:-1] + b"|"  # joins u0 to u1's line


def torn_then_good(lines: list[bytes]) -> tuple[list[bytes], bytes]:
    return [lines[0], lines[1][:25], *lines[2:]], lines[1][:25]  # u1 cut short, u2 appended after it


def garbage(lines: list[bytes]) -> tuple[list[bytes], bytes]:
    junk = b"\xff\xfe\x00not utf-8 \x80\x81 [1,2\n"
    return [lines[0], junk, *lines[1:]], junk


def torn_last_line(lines: list[bytes]) -> tuple[list[bytes], bytes]:
    return [*lines[:3], lines[3][:30]], lines[3][:30]


@pytest.mark.parametrize("damage, lost", [
    (flipped_byte, ["u1"]),
    (flipped_newline, ["u0"]),
    (torn_then_good, ["u1"]),
    (garbage, []),
    (torn_last_line, ["u3"]),
], ids=["flipped byte in an earlier line", "flipped newline", "torn fragment then a good entry",
        "garbage and non-UTF-8 bytes", "torn last line"])
def test_the_store_opens_with_every_intact_entry_and_the_damage_set_aside(crashed_home, tmp_path, damage: Damage,
                                                                          lost):
    home, lines = journal_copy(crashed_home, tmp_path)
    damaged_lines, set_aside = damage(lines)
    (home / "journal.jsonl").write_bytes(b"".join(damaged_lines))
    side = home / "journal.damaged"

    warning = f"held {len(set_aside)} damaged bytes .*set aside in {re.escape(str(side))}"
    with pytest.warns(RuntimeWarning, match=warning), \
            LocalBackend(home) as store:
        kept = [user_id for user_id in IDS if user_id not in lost]
        found = store.batch_get_record("users", IDS)
        assert {key: record["total_purchases"] for key, record in found.items()} == {
            user_id: 10 * int(user_id[1:]) for user_id in kept}
        assert offline_ids(store) == kept
    assert side.read_bytes() == set_aside

    with LocalBackend(home) as again:  # recovered once: nothing left to warn about
        assert offline_ids(again) == kept
    assert side.read_bytes() == set_aside


def test_a_journal_of_the_previous_release_is_read(crashed_home, tmp_path):
    home, lines = journal_copy(crashed_home, tmp_path)
    plain = [line.split(b" ", 1)[1] for line in lines]  # plain JSON lists: no checksum
    assert all(isinstance(json.loads(line), list) for line in plain)
    (home / "journal.jsonl").write_bytes(b"".join(plain))

    with LocalBackend(home) as store:  # no damage, so no warning (warnings are errors here)
        assert offline_ids(store) == IDS
        assert store.get_record("users", "u3")["total_purchases"] == 30
    assert not (home / "journal.damaged").exists()


def offline_ids(store: LocalBackend) -> list[str]:
    catalog = store.describe_feature_group("users")["OfflineStoreConfig"]["DataCatalogConfig"]
    sql = f'SELECT user_id FROM {catalog["Database"]}."{catalog["TableName"]}" ORDER BY user_id'
    return store.query(sql)["user_id"].tolist()
