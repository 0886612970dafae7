"""The notebooks of ``notebooks/``: kept in git without outputs, and run top to bottom in a real kernel.

``feature_store_demo.ipynb`` runs in this virtualenv's kernel twice: as saved (the local backend)
and with its one backend line set to the emulator, as a learner would change it.
``sagemaker_sdk_on_the_emulator.ipynb`` needs the SageMaker Python SDK v2, which lives in
``.venv-compat``, so it runs in that virtualenv's kernel: ``make test`` builds it first (through
``make test-compat``) and names its Python in ``NOTEBOOK_SDK_PYTHON``, which makes it required;
a bare ``pytest`` without it skips that notebook, with the reason.

A cell that raises fails the test, showing the cell and its traceback. Then a check cell that is
not part of the notebook asserts what the lesson's text says happened. The kernels get fake AWS
credentials (the root conftest) and proxies that lead nowhere, so nothing reaches AWS or the
internet.
"""

from __future__ import annotations

import os
import socket
import subprocess
from pathlib import Path

import nbformat
import pytest

from notebooks.run_notebook import DEMO, NOTEBOOKS, SDK, execute, with_backend

SDK_VENV_PYTHON = NOTEBOOKS.parent / ".venv-compat" / "bin" / "python"
DEMO_CHECKS = """
assert leaked == len(labels) > 0 and pit_leaked == 0, (leaked, pit_leaked)
assert report.leaky.offline > report.point_in_time.offline, report  # the leak flatters the model offline
assert report.point_in_time.later > report.leaky.later, report  # and costs it later
assert files["rows"].sum() == 1_100 + 7, files["rows"].sum()  # the sample, and the lesson's 7 writes
"""
SDK_CHECKS = """
assert len(keys) == 3, keys  # three puts, three event-time hours
assert [row[0] for row in values] == ["c-1", "c-2", "c-1"], values
assert training.sort_values(["user_id", "event_time"])["tier.1"].tolist() == ["bronze", "silver", "silver"], training
"""


def _closed_port() -> int:
    """A local TCP port with nothing listening on it: a connection to it is refused at once."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@pytest.fixture
def kernel_environment(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    """What the kernel inherits: no kit settings of the shell, no way out but 127.0.0.1, and
    Jupyter's and IPython's files in the test's folder."""
    for name in list(os.environ):
        if name.startswith("FEATURESTORE_") or name.lower() in ("http_proxy", "https_proxy", "no_proxy"):
            monkeypatch.delenv(name)
    nowhere = f"http://127.0.0.1:{_closed_port()}"
    monkeypatch.setenv("HTTP_PROXY", nowhere)
    monkeypatch.setenv("HTTPS_PROXY", nowhere)
    monkeypatch.setenv("NO_PROXY", "127.0.0.1,localhost")
    monkeypatch.setenv("JUPYTER_PLATFORM_DIRS", "1")  # jupyter_core's documented opt-in; else it warns
    monkeypatch.setenv("JUPYTER_RUNTIME_DIR", str(tmp_path / "jupyter-runtime"))
    monkeypatch.setenv("IPYTHONDIR", str(tmp_path / "ipython"))


def _run(path: Path, workdir: Path, checks: str, *, python: str | Path | None = None,
         backend: str | None = None) -> nbformat.NotebookNode:
    notebook = nbformat.read(path, as_version=4)
    if backend is not None:
        notebook = with_backend(notebook, backend)
    notebook.cells.append(nbformat.v4.new_code_cell(checks, id="test-checks"))
    workdir.mkdir()
    return execute(notebook, workdir, **({"python": python} if python else {}))


def _result(notebook: nbformat.NotebookNode, cell_id: str) -> str:
    """The text of the value the cell ``cell_id`` ended with (its Out[])."""
    cell = next(cell for cell in notebook.cells if cell.get("id") == cell_id)
    return "".join(output.data["text/plain"] for output in cell.outputs if output.output_type == "execute_result")


def _outputs(notebook: nbformat.NotebookNode, cell_id: str) -> list:
    return next(cell for cell in notebook.cells if cell.get("id") == cell_id).outputs


def test_every_notebook_is_executed_here() -> None:
    assert sorted(NOTEBOOKS.glob("*.ipynb")) == sorted([DEMO, SDK]), "a new notebook needs a test that runs it"


@pytest.mark.parametrize("path", sorted(NOTEBOOKS.glob("*.ipynb")), ids=lambda path: path.stem)
def test_notebook_is_saved_without_outputs(path: Path) -> None:
    notebook = nbformat.read(path, as_version=4)
    nbformat.validate(notebook)
    dirty = [cell.id for cell in notebook.cells
             if cell.cell_type == "code" and (cell.outputs or cell.execution_count is not None)]
    assert not dirty, (f"{path.name}: cells {dirty} have outputs; save it cleared "
                       f"(jupyter nbconvert --clear-output --inplace {path.relative_to(NOTEBOOKS.parent)})")


@pytest.mark.slow
@pytest.mark.parametrize("backend", [None, "emulator"], ids=["local", "emulator"])
def test_demo_notebook_runs_top_to_bottom(kernel_environment: None, tmp_path: Path, backend: str | None) -> None:
    notebook = _run(DEMO, tmp_path / "work", DEMO_CHECKS, backend=backend)
    assert _outputs(notebook, "backend")[0].text.startswith(f"{backend or 'local'}: ")
    assert "'membership_tier': 'silver'" in _result(notebook, "write-wins-code")  # the newest event time won
    assert _result(notebook, "ttl-code") == "{'user_short_lived': False, 'user_long_lived': True}"
    assert _result(notebook, "deletes-code") == "{'user_lesson': None, 'user_long_lived': None}"
    assert any("image/png" in output.get("data", {}) for output in _outputs(notebook, "timeline"))
    assert (tmp_path / "work" / "point_in_time.png").stat().st_size > 10_000
    assert _result(notebook, "cleanup") == "[]"


FINDS_SDK_KERNEL = ("import importlib.util, sys; "
                    "sys.exit(not all(importlib.util.find_spec(name) for name in ('ipykernel', 'sagemaker')))")


def _sdk_python() -> str:
    """The Python whose kernel runs the SDK notebook: NOTEBOOK_SDK_PYTHON (required), else
    ``.venv-compat``'s if it can (else skip)."""
    required = os.environ.get("NOTEBOOK_SDK_PYTHON")
    python = required or str(SDK_VENV_PYTHON)
    usable = Path(python).exists() and subprocess.run(  # found, not imported: importing sagemaker takes 1.5 s
        [python, "-c", FINDS_SDK_KERNEL], capture_output=True, check=False).returncode == 0
    if not usable:
        reason = (f"{python} cannot run the SageMaker SDK notebook (it needs ipykernel and the SageMaker "
                  "Python SDK v2): `make test-compat` builds .venv-compat with both")
        if required:
            pytest.fail(reason)
        pytest.skip(reason)
    return python


@pytest.mark.slow
def test_sdk_notebook_runs_top_to_bottom_in_the_compat_kernel(kernel_environment: None, tmp_path: Path) -> None:
    notebook = _run(SDK, tmp_path / "work", SDK_CHECKS, python=_sdk_python())
    assert _result(notebook, "missing") == "False"  # a missing id: no Record, no error
    assert "SELECT" in "".join(output.text for output in _outputs(notebook, "sql"))
