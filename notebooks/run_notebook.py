"""Run a notebook of this folder top to bottom in a real Jupyter kernel, as ``make test`` does.

The kernel is the ipykernel of a given Python (a virtualenv's: ``.venv`` for the demo,
``.venv-compat`` for the SageMaker SDK), started from a kernel spec written to a temporary
folder, so nothing is installed into anyone's Jupyter. A cell that raises stops the run with
nbclient's ``CellExecutionError``, which shows the cell and its traceback.

From the repository's root, this redraws the README's picture of the point-in-time plot by
running the demo notebook on the local backend and keeping the PNG it draws:

    .venv/bin/python notebooks/run_notebook.py --picture docs/images/point_in_time.png
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import sys
import tempfile
from pathlib import Path

import nbformat
from jupyter_client.kernelspec import KernelSpecManager
from jupyter_client.manager import AsyncKernelManager
from nbclient import NotebookClient

__all__ = ["NOTEBOOKS", "DEMO", "SDK", "PICTURE", "execute", "with_backend", "main"]

NOTEBOOKS = Path(__file__).resolve().parent
DEMO = NOTEBOOKS / "feature_store_demo.ipynb"
SDK = NOTEBOOKS / "sagemaker_sdk_on_the_emulator.ipynb"
PICTURE = "point_in_time.png"
"""The file the demo notebook draws its timeline into, in its working directory."""
CELL_TIMEOUT = 300  # seconds one cell may run
KERNEL = "featurestore-demo-run"


def execute(
    notebook: nbformat.NotebookNode, workdir: Path, *, python: str | Path = sys.executable
) -> nbformat.NotebookNode:
    """Run every cell of ``notebook`` in order, in a kernel of ``python`` working in ``workdir``;
    returns the notebook with its outputs. The kernel inherits this process's environment."""
    specs = Path(tempfile.mkdtemp(prefix="kernels-", dir=workdir))
    (specs / KERNEL).mkdir()
    python = os.path.abspath(python)  # the kernel starts in workdir; a venv's python is a symlink: keep it
    spec = {"argv": [python, "-m", "ipykernel_launcher", "-f", "{connection_file}"],
            "display_name": f"Python ({python})", "language": "python"}
    (specs / KERNEL / "kernel.json").write_text(json.dumps(spec))
    manager = AsyncKernelManager(kernel_name=KERNEL, kernel_spec_manager=KernelSpecManager(kernel_dirs=[str(specs)]))
    client = NotebookClient(notebook, km=manager, timeout=CELL_TIMEOUT, kernel_name=KERNEL,
                            resources={"metadata": {"path": str(workdir)}})
    return client.execute(cleanup_kc=True)  # then shut the kernel down: we made its manager


def with_backend(notebook: nbformat.NotebookNode, backend: str) -> nbformat.NotebookNode:
    """A copy of the demo notebook set to run on ``backend``: the one line a learner changes, in
    the cell tagged ``parameters``."""
    copy = nbformat.from_dict(json.loads(json.dumps(notebook)))
    cells = [cell for cell in copy.cells if "parameters" in cell.metadata.get("tags", [])]
    line = 'BACKEND = "local"'
    if len(cells) != 1 or cells[0].source.count(line) != 1:
        raise ValueError(f"expected one cell tagged 'parameters' with the line {line!r}")
    cells[0].source = cells[0].source.replace(line, f"BACKEND = {backend!r}")
    return copy


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Run the demo notebook on the local backend in a real kernel.")
    parser.add_argument("--picture", metavar="PNG", help="copy the point-in-time plot the notebook draws to PNG")
    options = parser.parse_args(argv)
    with tempfile.TemporaryDirectory(prefix="notebook-") as workdir:
        execute(nbformat.read(DEMO, as_version=4), Path(workdir))
        if options.picture:
            Path(options.picture).parent.mkdir(parents=True, exist_ok=True)
            shutil.copyfile(Path(workdir) / PICTURE, options.picture)
            print(f"wrote {options.picture}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
