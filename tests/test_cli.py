"""The command line: the six steps as six separate processes, help, and one-line errors."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from featurestore_demo.cli import STEPS, main, step_module
from local_backend import LocalBackend

CONSOLE_SCRIPT = str(Path(sys.executable).with_name("featurestore-demo"))
# (subcommand, its options, a text its output must show; None: run with --quiet)
SEQUENCE = [
    ("create", ["--quiet"], None),
    ("ingest", ["--quiet", "--users", "40", "--transactions", "300"], None),
    ("query-online", ["--repeat", "3"], "GetRecord"),
    ("query-offline", ["--quiet"], None),
    ("point-in-time", [], "Point-in-time join: 0 did."),
    ("cleanup", [], "deleted"),
]


def command(launcher: str, step: str) -> list[str]:
    if launcher == "module":
        return [sys.executable, "-m", STEPS[step]]
    return [CONSOLE_SCRIPT, step]


@pytest.fixture
def home(tmp_path, monkeypatch) -> Path:
    """An empty FEATURESTORE_HOME for the processes, with no other FEATURESTORE_* setting."""
    for name in ("FEATURESTORE_BACKEND", "FEATURESTORE_PREFIX"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("FEATURESTORE_HOME", str(tmp_path / "store"))
    return tmp_path / "store"


def run(arguments: list[str]) -> subprocess.CompletedProcess:
    return subprocess.run(arguments, capture_output=True, text=True, timeout=120, env=os.environ.copy())


def test_the_steps_are_the_six_entry_points_in_order():
    assert [step for step, _, _ in SEQUENCE] == list(STEPS)  # the run below covers every step
    assert [step_module(step).NUMBER for step in STEPS] == list(range(1, len(STEPS) + 1))
    for path in STEPS.values():  # each runs as `python -m featurestore_demo.<step>`
        package, _, name = path.rpartition(".")
        assert package == "featurestore_demo" and name.isidentifier(), path


@pytest.mark.parametrize("launcher", ["module", "console-script"])
def test_the_six_steps_run_as_six_processes(home, launcher):
    for step, options, shown in SEQUENCE:
        result = run(command(launcher, step) + options)
        assert result.returncode == 0, f"{step}: {result.stderr}"
        assert result.stderr == ""
        if shown is None:
            assert result.stdout == ""  # --quiet prints nothing
        else:
            assert shown in result.stdout, step
    with LocalBackend(home) as store:  # the last step left nothing behind
        assert store.list_feature_groups() == []


def test_the_top_level_help_lists_every_subcommand():
    result = run([CONSOLE_SCRIPT, "--help"])
    assert result.returncode == 0
    for step in [*STEPS, "demo"]:
        assert step in result.stdout


@pytest.mark.parametrize("subcommand", [*STEPS, "demo"])
def test_each_subcommand_has_help(subcommand, capsys):
    with pytest.raises(SystemExit) as exited:
        main([subcommand, "--help"])
    assert exited.value.code == 0
    out = capsys.readouterr().out
    assert out.startswith(f"usage: featurestore-demo {subcommand}")
    assert "--backend" in out and "--quiet" in out


def test_a_feature_store_error_is_one_line_and_exit_1(home):
    result = run([CONSOLE_SCRIPT, "query-online"])  # before any group was created

    assert result.returncode == 1
    lines = result.stderr.splitlines()
    assert len(lines) == 1 and lines[0].startswith("error: ResourceNotFound: ")
    assert "users" in lines[0]
    assert "Traceback" not in result.stderr + result.stdout


def test_the_demo_command_runs_everything_in_one_process(home):
    result = run([CONSOLE_SCRIPT, "demo", "--quiet", "--users", "20", "--transactions", "100", "--repeat", "1"])
    assert (result.returncode, result.stderr) == (0, "")
    with LocalBackend(home) as store:
        assert store.list_feature_groups() == []


def test_emulator_query_seconds_reaches_the_emulator(tmp_path, monkeypatch, capsys):
    """``--query-seconds 0``: queries finish before StartQueryExecution answers (for the SDK)."""
    import local_backend.emulator

    made: dict = {}

    class FakeEmulator:
        url = "http://127.0.0.1:0"

        def __init__(self, home, **options):
            made.update(options)

        def environment(self):
            return {}

        def serve_forever(self):
            raise KeyboardInterrupt

        def stop(self):
            made["stopped"] = True

    monkeypatch.setattr(local_backend.emulator, "Emulator", FakeEmulator)
    assert main(["emulator", "--home", str(tmp_path), "--port", "0", "--query-seconds", "0"]) == 0
    assert made["query_seconds"] == 0.0 and made["port"] == 0 and made["stopped"]
    assert "idle_timeout" not in made and "max_connections" not in made  # the emulator's own defaults
    made.clear()
    assert main(["emulator", "--home", str(tmp_path), "--port", "0", "--idle-timeout", "5",
                 "--max-connections", "8"]) == 0
    assert (made["idle_timeout"], made["max_connections"]) == (5.0, 8)


def test_emulator_limits_out_of_range_are_refused(tmp_path, capsys):
    assert main(["emulator", "--home", str(tmp_path), "--port", "0", "--max-connections", "0"]) == 2
    assert "max_connections" in capsys.readouterr().err
