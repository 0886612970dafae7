"""The layers of the code: no import cycle, and the core and the AWS adapter stay free of the local engine."""

from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
PACKAGES = ("featurestore_demo", "local_backend")


def module_name(path: Path) -> str:
    parts = path.relative_to(ROOT).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def imported(tree: ast.Module, module: str, is_package: bool) -> set[str]:
    """The kit's modules that ``module`` imports anywhere in its text (functions included)."""
    names: set[str] = set()
    package = module if is_package else module.rpartition(".")[0]
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and not _under_type_checking(tree, node):
            base = node.module or ""
            if node.level:
                base = ".".join([*package.split(".")[: len(package.split(".")) - node.level + 1], base]).strip(".")
            names.add(base)
            names.update(f"{base}.{alias.name}" for alias in node.names)
    return {name for name in names if name.split(".")[0] in PACKAGES}


def _under_type_checking(tree: ast.Module, target: ast.ImportFrom) -> bool:
    guards = (node for node in ast.walk(tree)
              if isinstance(node, ast.If) and isinstance(node.test, ast.Name) and node.test.id == "TYPE_CHECKING")
    return any(child is target for guard in guards for child in ast.walk(guard))


def import_graph() -> dict[str, set[str]]:
    """Each module of the kit -> the kit's modules it imports (names that are modules only)."""
    paths = {module_name(path): path for package in PACKAGES for path in (ROOT / package).rglob("*.py")}
    graph = {}
    for name, path in paths.items():
        tree = ast.parse(path.read_text(encoding="utf-8"))
        graph[name] = {target for target in imported(tree, name, path.name == "__init__.py")
                       if target in paths and target != name}
    return graph


def cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    """Every import cycle found by a depth-first walk (each reported once per entry point)."""
    found, state = [], dict.fromkeys(graph, 0)

    def visit(node: str, trail: list[str]) -> None:
        state[node] = 1
        for target in sorted(graph[node]):
            if state[target] == 1:
                found.append([*trail[trail.index(target):], target])
            elif state[target] == 0:
                visit(target, [*trail, target])
        state[node] = 2

    for node in sorted(graph):
        if state[node] == 0:
            visit(node, [node])
    return found


def test_the_graph_sees_the_packages_modules():
    graph = import_graph()
    assert "featurestore_demo.cli" in graph and "local_backend.emulator.router" in graph
    assert "featurestore_demo.backend" in graph["featurestore_demo.aws.backend"]


def test_no_module_of_the_kit_imports_in_a_circle():
    assert cycles(import_graph()) == []


def test_a_cycle_would_be_found():
    assert cycles({"a": {"b"}, "b": {"c"}, "c": {"a"}}) == [["a", "b", "c", "a"]]


LAYERS = ["featurestore_demo.aws", "featurestore_demo.demo", "featurestore_demo.point_in_time"]


@pytest.mark.parametrize("layer", LAYERS)
def test_the_aws_demo_and_point_in_time_layers_never_import_the_local_backend(layer):
    graph = import_graph()
    offenders = {name: sorted(t for t in targets if t.startswith("local_backend"))
                 for name, targets in graph.items() if name.startswith(layer)}
    assert {name: targets for name, targets in offenders.items() if targets} == {}


def test_the_aws_backend_imports_neither_sqlglot_nor_duckdb():
    code = "import sys, featurestore_demo.aws.backend; print(sorted({'sqlglot', 'duckdb'} & set(sys.modules)))"
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=ROOT, check=True)
    assert result.stdout.strip() == "[]"


def test_the_cli_and_the_local_backend_import_neither_boto3_nor_botocores_clients():
    """The local path reads botocore's models and nothing more: a session and its clients would add
    about 50 ms of imports to every step's start."""
    code = ("import sys, featurestore_demo.cli, local_backend, featurestore_demo.validation; "
            "print(sorted({'boto3', 'botocore.session', 'botocore.client'} & set(sys.modules)))")
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=ROOT, check=True)
    assert result.stdout.strip() == "[]"
