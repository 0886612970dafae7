"""A store held by another process: every entry point says who holds it and the way out, in one
line, and the holder's data stays whole."""

from __future__ import annotations

import socket
import subprocess
import sys
from collections.abc import Iterator

import pytest

from featurestore_demo.cli import main
from local_backend import LocalBackend

HOLDER = """
import sys
from featurestore_demo.schemas import USERS
from local_backend import LocalBackend
store = LocalBackend(sys.argv[1])
store.create_feature_group(USERS)
store.put_record("users", {"user_id": "before", "total_purchases": 1, "event_time": 1.0})
print("holding", flush=True)
sys.stdin.readline()
store.put_record("users", {"user_id": "after", "total_purchases": 2, "event_time": 2.0})
store.close()
"""


@pytest.fixture
def holder(tmp_path) -> Iterator[subprocess.Popen]:
    """A process holding the store at ``tmp_path``; on release it writes once more and closes."""
    process = subprocess.Popen([sys.executable, "-c", HOLDER, str(tmp_path)],
                               stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
    try:
        assert process.stdout.readline().strip() == "holding"
        yield process
    finally:
        process.communicate("go\n", timeout=30)
    assert process.returncode == 0
    with LocalBackend(tmp_path) as store:  # nothing corrupted: both writes are there
        assert set(store.batch_get_record("users", ["before", "after"])) == {"before", "after"}


def one_clean_line(capsys: pytest.CaptureFixture) -> str:
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "Traceback" not in err and "duckdb" not in err.lower(), err
    return err


@pytest.mark.parametrize("command", [["query-online", "--backend", "local"], ["cleanup", "--backend", "local"]])
def test_a_step_on_a_held_store_prints_one_line_naming_the_holder(tmp_path, monkeypatch, capsys, holder, command):
    monkeypatch.setenv("FEATURESTORE_HOME", str(tmp_path))
    assert main(command) == 1
    line = one_clean_line(capsys)
    assert line.startswith("error: ResourceInUse:") and f"process {holder.pid}" in line
    assert "FEATURESTORE_HOME" in line


def test_the_emulator_on_a_held_store_prints_one_line_naming_the_holder(tmp_path, capsys, holder):
    assert main(["emulator", "--home", str(tmp_path), "--port", "0"]) == 1
    line = one_clean_line(capsys)
    assert line.startswith("error: ResourceInUse:") and f"process {holder.pid}" in line


def test_the_emulator_on_a_taken_port_prints_one_line_and_releases_the_store(tmp_path, capsys):
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        assert main(["emulator", "--home", str(tmp_path), "--port", str(port)]) == 1
    line = one_clean_line(capsys)
    assert line.startswith(f"error: cannot serve on 127.0.0.1:{port}") and "--port" in line
    with LocalBackend(tmp_path):  # the failed start left the store free
        pass
