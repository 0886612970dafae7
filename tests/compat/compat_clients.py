"""Which real clients this virtualenv has; the compat tests skip, with the reason, without them."""

from __future__ import annotations

import sys
from pathlib import Path
from types import ModuleType

import pytest

__all__ = ["require_sdk", "require_client", "aws_cli"]

WHERE = "`make test-compat` installs it in .venv-compat (pip install -e '.[dev,compat]')"


def require_sdk(major: int = 2) -> None:
    """Skip the calling module unless the SageMaker Python SDK of this major version is importable
    (v2: the ``compat`` extra, ``make test-compat``; v3: ``make test-compat-v3``)."""
    where = WHERE if major == 2 else "`make test-compat-v3` installs it in .venv-compat-v3"
    sagemaker = pytest.importorskip("sagemaker", reason=f"the SageMaker Python SDK v{major} is not installed: {where}")
    version = getattr(sagemaker, "__version__", None) or _distribution_version("sagemaker")
    if int(version.split(".")[0]) != major:
        pytest.skip(f"these tests are for the SageMaker Python SDK v{major}, not {version}: {where}",
                    allow_module_level=True)


def require_client(module: str) -> ModuleType:
    """The client library ``module`` (``awswrangler``, ``pyathena``), imported; else skip the
    calling module (the ``compat`` extra has it)."""
    return pytest.importorskip(module, reason=f"{module} is not installed: {WHERE}")


def _distribution_version(name: str) -> str:
    from importlib.metadata import version

    return version(name)


def aws_cli() -> str:
    """The ``aws`` command installed in this virtualenv (the compat extra's awscli, a known
    version, never whatever is on PATH); skips the calling module if there is none."""
    beside = Path(sys.executable).with_name("aws")
    if not beside.exists():
        pytest.skip(f"the AWS CLI is not installed in this virtualenv: {WHERE}", allow_module_level=True)
    return str(beside)
