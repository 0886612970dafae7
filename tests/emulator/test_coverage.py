"""IMPLEMENTATION_COVERAGE.md is what ``python -m local_backend.emulator.coverage`` writes today."""

from __future__ import annotations

from pathlib import Path

from local_backend.emulator.coverage import Coverage, main, render

COMMITTED = Path(__file__).resolve().parents[2] / "IMPLEMENTATION_COVERAGE.md"


def test_committed_table_is_current() -> None:
    assert COMMITTED.read_text() == render(), (
        "IMPLEMENTATION_COVERAGE.md is stale: run python -m local_backend.emulator.coverage")


def test_implemented_comes_from_the_emulators_dispatch() -> None:
    coverage = Coverage()
    try:
        found = {(service, name): handler is not None for service, name, handler in coverage.operations()}
        coverage.athena.operations.pop("ListQueryExecutions")
        coverage.runtime.list_records = None  # no handler by the operation's name: not served
        after = {(s, n): h is not None for s, n, h in coverage.operations()}
    finally:
        coverage.close()
    assert found[("sagemaker-featurestore-runtime", "PutRecord")]
    assert found[("sagemaker-featurestore-runtime", "BatchGetRecord")]
    assert found[("sagemaker", "UpdateFeatureMetadata")]
    assert found[("sagemaker-featurestore-runtime", "BatchWriteRecord")]
    assert found[("sagemaker-featurestore-runtime", "ListRecords")]
    assert not after[("sagemaker-featurestore-runtime", "ListRecords")]
    assert not found[("athena", "CreateDataCatalog")]
    assert ("sagemaker", "CreateTrainingJob") not in found
    assert found[("athena", "ListQueryExecutions")] and not after[("athena", "ListQueryExecutions")]


def test_check_mode_reports_a_stale_file(tmp_path: Path, capsys) -> None:
    stale = tmp_path / "COVERAGE.md"
    stale.write_text("old\n")
    assert main([str(stale), "--check"]) == 1
    assert "stale" in capsys.readouterr().err
    assert main([str(stale)]) == 0 and main([str(stale), "--check"]) == 0
