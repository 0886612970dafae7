"""Fixtures of the scenarios: a fresh backend per scenario, on every selected backend.

Scenarios talk to the backend only through the :class:`FeatureStoreBackend` interface, with
no backend-specific hook (no injected clock), so each one runs unchanged on every entry of
``backend_registry.BACKENDS``. Feature groups get unique names and are deleted afterwards, so
scenarios may share a real AWS account.
"""

from __future__ import annotations

import argparse
import uuid
from collections.abc import Callable, Iterator
from contextlib import ExitStack

import pytest

from backend_registry import BackendFactory, backend_params
from featurestore_demo import create_feature_groups, ingest_features
from featurestore_demo.backend import FeatureStoreBackend
from featurestore_demo.config import Settings
from featurestore_demo.demo.console import make_console
from featurestore_demo.errors import ResourceNotFound
from featurestore_demo.demo.sample_data import SampleData, generate
from featurestore_demo.schemas import FeatureGroupSpec
from featurestore_demo.demo.step import StepContext

SAMPLE_SIZE = {"users": 30, "products": 10, "transactions": 300, "seed": 7}
"""Small enough for the emulated AWS backend (one PutRecord per row), large enough to teach."""


def pytest_generate_tests(metafunc: pytest.Metafunc) -> None:
    """Run every scenario that uses ``backend`` once per backend chosen by ``--backend``."""
    if "backend_factory" in metafunc.fixturenames:
        metafunc.parametrize("backend_factory", backend_params(metafunc.config.getoption("backend")))


@pytest.fixture(scope="session")
def backend_servers(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Callable[[BackendFactory], object]]:
    """Starts a backend's server (the emulator) the first time a scenario needs it; stops all at the end."""
    with ExitStack() as stack:
        started: dict[str, object] = {}

        def server_of(factory: BackendFactory) -> object:
            if factory.server is not None and factory.name not in started:
                started[factory.name] = stack.enter_context(factory.server(tmp_path_factory.mktemp(factory.name)))
            return started.get(factory.name)

        yield server_of


@pytest.fixture
def backend(
    backend_factory: BackendFactory, backend_servers: Callable[[BackendFactory], object], tmp_path
) -> Iterator[FeatureStoreBackend]:
    """A fresh backend, closed after the scenario."""
    store = backend_factory.make(tmp_path / "featurestore", backend_servers(backend_factory))
    try:
        yield store
    finally:
        store.close()


@pytest.fixture
def unique_name() -> Callable[[str], str]:
    """``unique_name("users")`` -> ``"users-1a2b3c4d"``: a name no other scenario uses."""

    def make(base: str) -> str:
        return f"{base}-{uuid.uuid4().hex[:8]}"

    return make


class FeatureGroups:
    """Creates feature groups under unique names and deletes them when the scenario ends."""

    def __init__(self, backend: FeatureStoreBackend, unique_name: Callable[[str], str]) -> None:
        self.backend = backend
        self.unique_name = unique_name
        self.names: list[str] = []

    def create(self, spec: FeatureGroupSpec) -> FeatureGroupSpec:
        """Create ``spec`` under a unique name, wait until it is Created; returns the renamed spec."""
        named = spec.with_name(self.unique_name(spec.name))
        self.backend.create_feature_group(named)
        self.names.append(named.name)
        self.backend.wait_for_status(named.name, "Created", timeout=120)
        return named

    def delete_all(self) -> None:
        """Delete every group created here that still exists."""
        for name in self.names:
            _delete_if_present(self.backend, name)


@pytest.fixture
def feature_groups(backend: FeatureStoreBackend, unique_name: Callable[[str], str]) -> Iterator[FeatureGroups]:
    groups = FeatureGroups(backend, unique_name)
    try:
        yield groups
    finally:
        groups.delete_all()


@pytest.fixture
def sample() -> SampleData:
    """The sample data the demo fixture ingests: the oracle scenarios compare against."""
    return generate(SAMPLE_SIZE["users"], SAMPLE_SIZE["products"], SAMPLE_SIZE["transactions"],
                    seed=SAMPLE_SIZE["seed"])


@pytest.fixture
def step_context(backend: FeatureStoreBackend, unique_name: Callable[[str], str]) -> Iterator[StepContext]:
    """What the demo's steps get, with a unique prefix on the three group names; no group yet.

    Groups left at the end are deleted.
    """
    options = argparse.Namespace(
        **SAMPLE_SIZE, user_id="user_0001", product_id="prod_0001", repeat=1, timeline_user=None
    )
    settings = Settings(prefix=unique_name("s") + "-")
    ctx = StepContext(backend, make_console(quiet=True), settings, options)
    try:
        yield ctx
    finally:
        for spec in ctx.demo_specs():
            _delete_if_present(backend, spec.name)


@pytest.fixture
def demo(step_context: StepContext) -> StepContext:
    """The state after steps 1 and 2: the three demo groups, created and holding the sample data."""
    create_feature_groups.run(step_context)
    ingest_features.run(step_context)
    return step_context


def _delete_if_present(backend: FeatureStoreBackend, name: str) -> None:
    """Delete the group ``name`` and wait until it is gone; nothing if there is no such group."""
    try:
        backend.delete_feature_group(name)
    except ResourceNotFound:
        return
    backend.wait_for_status(name, "Deleted", timeout=120)
