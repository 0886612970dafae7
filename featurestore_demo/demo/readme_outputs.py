"""Regenerate the README's step outputs from one real run of the demo (``make readme``).

``python -m featurestore_demo.demo.readme_outputs [README.md]`` runs ``featurestore-demo demo``
on the local backend in a fresh store, cuts each step's shown output out of what it printed,
and puts it in the README's code blocks under "### Step N", so that the README shows what the
kit prints, never a hand edit. The blocks are found by the lines that start and end them.
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
import tempfile
from collections.abc import Callable
from pathlib import Path

__all__ = ["demo_output", "regenerate"]

WIDTH = "180"
"""Terminal columns for the run: wide enough for step 4's tables on one line each."""

Line = Callable[[str], bool]

CUTS: dict[int, list[tuple[int, Line, Line]]] = {
    # step -> (README code block index in the step's section, first line, last line)
    1: [(0, lambda line: line.startswith("Feature group users"),
         lambda line: "offline table: sagemaker_featurestore.transactions" in line)],
    2: [(0, lambda line: line.strip().startswith("users ━"), lambda line: line.startswith("└"))],
    3: [(0, lambda line: line.startswith("GetRecord users"), lambda line: "ids had no record" in line)],
    4: [(0, lambda line: line.startswith("s3://"), lambda line: "more files" in line),
        (2, lambda line: line.startswith("┏━━━━━━━━━━━┳━━━━━━━━━━━━━━━━━┳"), lambda line: line.startswith("└"))],
    5: [(0, lambda line: line.startswith("Transactions of user_0061"), lambda line: "trained on the first" in line)],
    6: [(0, lambda line: line.startswith("Removed"), lambda line: line.startswith("└"))],
}
TABLE = re.compile(r'"sagemaker_featurestore"\."users_\d+"')


def demo_output() -> list[str]:
    """The lines ``featurestore-demo demo`` prints on the local backend in a fresh store."""
    with tempfile.TemporaryDirectory(prefix="readme-demo-") as home:
        env = {**os.environ, "FEATURESTORE_HOME": home, "COLUMNS": WIDTH, "TERM": "dumb"}
        env.pop("FEATURESTORE_BACKEND", None)
        result = subprocess.run([sys.executable, "-m", "featurestore_demo.cli", "demo", "--backend", "local"],
                                env=env, cwd=home, capture_output=True, text=True, check=True)
    return [line.rstrip() for line in result.stdout.splitlines()]


def regenerate(readme: str, output: list[str]) -> str:
    """``readme`` with each step's code blocks replaced by their lines of ``output``."""
    position = 0
    for step, cuts in CUTS.items():
        blocks = {}
        for index, first, last in cuts:
            start = next(k for k in range(position, len(output)) if first(output[k]))
            stop = next(k for k in range(start, len(output)) if last(output[k]))
            blocks[index], position = "\n".join(output[start:stop + 1]), stop
        readme = _replace_blocks(readme, step, blocks)
    table = TABLE.search("\n".join(output))
    return TABLE.sub(table.group(0), readme) if table else readme


def _replace_blocks(readme: str, step: int, blocks: dict[int, str]) -> str:
    start = readme.index(f"### Step {step}:")
    following = re.compile(r"^#{2,3} ", re.M)
    end_match = following.search(readme, start + 1)
    end = end_match.start() if end_match else len(readme)
    parts = re.split(r"(```[a-z]*\n.*?```)", readme[start:end], flags=re.S)
    fenced = [k for k, part in enumerate(parts) if part.startswith("```")]
    for index, text in blocks.items():
        fence = parts[fenced[index]].split("\n", 1)[0]
        parts[fenced[index]] = f"{fence}\n{text}\n```"
    return readme[:start] + "".join(parts) + readme[end:]


def main(argv: list[str] | None = None) -> None:
    path = Path((argv or sys.argv[1:] or ["README.md"])[0])
    path.write_text(regenerate(path.read_text(), demo_output()))
    print(f"regenerated the step outputs of {path}")


if __name__ == "__main__":
    main()
