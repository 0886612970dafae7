"""Every scenario runs on every backend: ``backend`` is parametrised over the registry below.

A backend that cannot run here shows as skipped with its reason, never silently absent.
"""

from __future__ import annotations

import itertools
from collections.abc import Callable, Iterator
from contextlib import contextmanager

import pytest

from featurestore_demo.backend import FeatureStoreBackend
from local_backend import LocalBackend

@contextmanager
def _local(tmp: pytest.TempPathFactory) -> Iterator[FeatureStoreBackend]:
    with LocalBackend(tmp.mktemp("local")) as backend:
        yield backend


@contextmanager
def _aws_emulator(tmp: pytest.TempPathFactory) -> Iterator[FeatureStoreBackend]:
    from scenarios.emulator_backend import emulator_backend, running_emulator

    with running_emulator(tmp.mktemp("emulator")) as emulator, emulator_backend(emulator) as backend:
        yield backend


BACKENDS: dict[str, Callable[[pytest.TempPathFactory], contextmanager]] = {
    "local": _local,
    "aws-emulator": _aws_emulator,
}
_names = itertools.count()


@pytest.fixture(scope="session", params=list(BACKENDS))
def backend(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Iterator[FeatureStoreBackend]:
    """One backend per id, shared by the session's scenarios (each scenario uses its own groups)."""
    with BACKENDS[request.param](tmp_path_factory) as store:
        yield store


@pytest.fixture
def group_name(request: pytest.FixtureRequest) -> str:
    """A feature-group name unique in the session."""
    return f"scn-{next(_names)}"
