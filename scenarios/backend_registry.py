"""The backends every scenario runs on: one entry per backend.

A scenario asks for the ``backend`` fixture and runs once per selected entry, with the entry's
name as its test id (``pytest scenarios -k local``). To run the scenarios on one more backend,
add one :class:`BackendFactory` to :data:`BACKENDS`; nothing else changes. An entry that cannot
run on this machine says why in ``skip_reason`` and shows as skipped, never silently absent.
"""

from __future__ import annotations

from collections.abc import Callable
from contextlib import AbstractContextManager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest

from featurestore_demo import get_backend
from featurestore_demo.backend import FeatureStoreBackend
from local_backend import LocalBackend

__all__ = ["BackendFactory", "BACKENDS", "backend_params"]


def _runs_anywhere() -> str | None:
    return None


@dataclass(frozen=True)
class BackendFactory:
    """How to make one backend for one scenario.

    ``make`` receives a fresh, empty directory the backend may keep its state in, and what
    ``server`` started (None without one). ``server``, if given, is started once per test
    session in its own directory and stopped at the end (the emulator). ``offline`` entries
    need no AWS account and run in ``make test``. ``skip_reason`` returns why the backend
    cannot run here (missing credentials, extra not installed...), or None when it can.
    """

    name: str
    make: Callable[[Path, Any], FeatureStoreBackend]
    offline: bool = True
    skip_reason: Callable[[], str | None] = _runs_anywhere
    marks: tuple[pytest.MarkDecorator, ...] = field(default=())
    server: Callable[[Path], AbstractContextManager[Any]] | None = None


def _running_emulator(home: Path) -> AbstractContextManager[Any]:
    from scenarios.emulator_backend import running_emulator

    return running_emulator(home)


def _emulated_aws(home: Path, emulator: Any) -> FeatureStoreBackend:
    from scenarios.emulator_backend import emulator_backend

    return emulator_backend(emulator)


def _aws_missing() -> str | None:
    from featurestore_demo.aws.check import missing_settings

    missing = missing_settings()
    return "missing " + "; ".join(missing) if missing else None


BACKENDS: dict[str, BackendFactory] = {
    factory.name: factory
    for factory in (
        BackendFactory("local", lambda home, _: LocalBackend(home=home)),
        # The AWS backend, unmodified, talking to the emulator over HTTP on 127.0.0.1.
        BackendFactory("aws-emulator", _emulated_aws, server=_running_emulator),
        # Real AWS: only with `make test-aws` (--backend aws), never in `make test`.
        BackendFactory("aws", lambda home, _: get_backend("aws"), offline=False,
                       skip_reason=_aws_missing, marks=(pytest.mark.aws,)),
    )
}


def backend_params(choice: str | None) -> list:
    """The ``pytest.param`` of each backend selected by ``--backend`` (None: the offline ones).

    ``"all"`` selects every entry. A chosen backend with no entry yet still appears, skipped,
    so that ``--backend aws`` reports what is missing instead of running nothing.
    """
    if choice is None:
        names = [name for name, factory in BACKENDS.items() if factory.offline]
    elif choice == "all":
        names = list(BACKENDS)
    else:
        names = [choice]
    return [_param(name) for name in names]


def _param(name: str):
    factory = BACKENDS.get(name)
    if factory is None:
        reason = f"no '{name}' backend is registered in scenarios/backend_registry.py yet"
        marks = [pytest.mark.aws] if name == "aws" else []  # so that `make test-aws` (-m aws) reports it
        return pytest.param(None, id=name, marks=[*marks, pytest.mark.skip(reason=reason)])
    reason = factory.skip_reason()
    skip = [pytest.mark.skip(reason=f"{name} backend: {reason}")] if reason else []
    return pytest.param(factory, id=name, marks=[*factory.marks, *skip])
