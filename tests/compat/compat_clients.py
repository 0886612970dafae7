"""Which real clients this virtualenv has; the compat tests skip, with the reason, without them."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

__all__ = ["require_sdk", "aws_cli"]

WHERE = "`make test-compat` installs it in .venv-compat (pip install -e '.[dev,compat]')"


def require_sdk() -> None:
    """Skip the calling module unless the SageMaker Python SDK v2 is importable."""
    sagemaker = pytest.importorskip("sagemaker", reason=f"the SageMaker Python SDK v2 is not installed: {WHERE}")
    if int(sagemaker.__version__.split(".")[0]) != 2:
        pytest.skip(f"these tests are for the SageMaker Python SDK v2, not {sagemaker.__version__}",
                    allow_module_level=True)


def aws_cli() -> str:
    """The ``aws`` command installed in this virtualenv (the compat extra's awscli, a known
    version, never whatever is on PATH); skips the calling module if there is none."""
    beside = Path(sys.executable).with_name("aws")
    if not beside.exists():
        pytest.skip(f"the AWS CLI is not installed in this virtualenv: {WHERE}", allow_module_level=True)
    return str(beside)
