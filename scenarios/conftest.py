"""Fixtures of the scenarios: a fresh backend per scenario, on every selected backend.

Scenarios talk to the backend only through the :class:`FeatureStoreBackend` interface, with
no backend-specific hook (no injected clock), so each one runs unchanged on every entry of
``backend_registry.BACKENDS``. Feature groups get unique names and are deleted afterwards, so
scenarios may share a real AWS account.

The state after steps 1 and 2 comes two ways. ``demo`` is built once per session (per xdist
worker) and backend, and shared by the scenarios of every module that only read it: its backend
refuses every call that writes, and each module fails at its teardown if the shared groups,
online records or offline row counts changed while it ran. ``fresh_demo`` is built for one
scenario alone, for the scenarios that write.
"""

from __future__ import annotations

import argparse
import copy
import dataclasses
import uuid
from collections.abc import Callable, Iterator
from contextlib import AbstractContextManager, ExitStack, contextmanager, nullcontext
from typing import Any

import pytest

from backend_registry import BackendFactory, backend_params
from featurestore_demo import create_feature_groups, ingest_features
from featurestore_demo.backend import FeatureStoreBackend
from featurestore_demo.config import Settings
from featurestore_demo.demo.console import make_console
from featurestore_demo.demo.sample_data import SampleData, generate
from featurestore_demo.demo.step import StepContext
from featurestore_demo.errors import ResourceNotFound
from featurestore_demo.schemas import FeatureGroupSpec

SAMPLE_SIZE = {"users": 30, "products": 10, "transactions": 300, "seed": 7}
"""Small enough for the emulated AWS backend (one PutRecord per row), large enough to teach."""


def pytest_generate_tests(metafunc: pytest.Metafunc) -> None:
    """Run every scenario that uses ``backend`` once per backend chosen by ``--backend``.

    The backend is a module-scoped parameter, so that a module's scenarios on one backend can
    share one ``demo``; each scenario still gets its own ``backend``.
    """
    if "backend_factory" in metafunc.fixturenames:
        metafunc.parametrize("backend_factory", backend_params(metafunc.config.getoption("backend")), scope="module")


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


def _unique(base: str) -> str:
    return f"{base}-{uuid.uuid4().hex[:8]}"


@pytest.fixture
def unique_name() -> Callable[[str], str]:
    """``unique_name("users")`` -> ``"users-1a2b3c4d"``: a name no other scenario uses."""
    return _unique


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


def _sample() -> SampleData:
    return generate(SAMPLE_SIZE["users"], SAMPLE_SIZE["products"], SAMPLE_SIZE["transactions"],
                    seed=SAMPLE_SIZE["seed"])


@pytest.fixture
def sample() -> SampleData:
    """The sample data the demo fixtures ingest: the oracle scenarios compare against."""
    return _sample()


@contextmanager
def _steps_on(backend: FeatureStoreBackend) -> Iterator[StepContext]:
    """What the demo's steps get, with a unique prefix on the three group names; no group yet.

    Groups left at the end are deleted.
    """
    options = argparse.Namespace(
        **SAMPLE_SIZE, user_id="user_0001", product_id="prod_0001", repeat=1, timeline_user=None
    )
    ctx = StepContext(backend, make_console(quiet=True), Settings(prefix=_unique("s") + "-"), options)
    try:
        yield ctx
    finally:
        for spec in ctx.demo_specs():
            _delete_if_present(backend, spec.name)


@pytest.fixture
def step_context(backend: FeatureStoreBackend) -> Iterator[StepContext]:
    """What the demo's steps get, on this scenario's backend; demo groups left at the end are deleted."""
    with _steps_on(backend) as ctx:
        yield ctx


def _run_steps_1_and_2(ctx: StepContext) -> StepContext:
    create_feature_groups.run(ctx)
    ingest_features.run(ctx)
    return ctx


@pytest.fixture
def fresh_demo(step_context: StepContext) -> StepContext:
    """The state after steps 1 and 2 (the three demo groups, holding the sample data), for this
    scenario alone: a scenario that writes (puts, deletes, cleans up) takes this one."""
    return _run_steps_1_and_2(step_context)


@pytest.fixture(scope="session")
def demo_builds(
    backend_servers: Callable[[BackendFactory], object],
    offline_aws: Callable[[], AbstractContextManager[None]],
    tmp_path_factory: pytest.TempPathFactory,
) -> Iterator[Callable[[BackendFactory], StepContext]]:
    """``demo_builds(factory)``: steps 1 and 2 on that backend, run the first time a module asks and
    kept for the modules after it; the groups are deleted and the stores closed at the end.

    Built (and closed) under the fake AWS environment for offline backends, which the autouse
    fixture only sets for each test.
    """
    with ExitStack() as stack:
        built: dict[str, StepContext] = {}

        def demo_on(factory: BackendFactory) -> StepContext:
            if factory.name not in built:
                environment, own = _environment(factory, offline_aws), ExitStack()
                stack.callback(_close_in, environment, own)
                with environment():
                    home = tmp_path_factory.mktemp("featurestore")
                    store = own.enter_context(factory.make(home, backend_servers(factory)))
                    built[factory.name] = _run_steps_1_and_2(own.enter_context(_steps_on(store)))
            return built[factory.name]

        yield demo_on


def _environment(
    factory: BackendFactory, offline_aws: Callable[[], AbstractContextManager[None]]
) -> Callable[[], AbstractContextManager[None]]:
    return offline_aws if factory.offline else nullcontext


def _close_in(environment: Callable[[], AbstractContextManager[None]], stack: ExitStack) -> None:
    with environment():
        stack.close()


@pytest.fixture(scope="module")
def shared_demo(
    backend_factory: BackendFactory,
    demo_builds: Callable[[BackendFactory], StepContext],
    offline_aws: Callable[[], AbstractContextManager[None]],
) -> Iterator[StepContext]:
    """Steps 1 and 2 on this module's backend (built once per session: demo_builds); fails at the
    module's teardown if the state changed while the module ran."""
    environment, sample = _environment(backend_factory, offline_aws), _sample()
    ctx = demo_builds(backend_factory)
    with environment():
        before = _fingerprint(ctx, sample)
    yield ctx
    with environment():
        assert _fingerprint(ctx, sample) == before, "a scenario changed the shared demo: give it fresh_demo"


@pytest.fixture
def demo(shared_demo: StepContext) -> StepContext:
    """The state after steps 1 and 2, shared by this module's scenarios on this backend: read only.

    Its backend answers only the reading calls; options and console are this scenario's own copy.
    """
    return dataclasses.replace(shared_demo, backend=ReadOnlyBackend(shared_demo.backend),
                               console=make_console(quiet=True), options=copy.copy(shared_demo.options))


class ReadOnlyBackend:
    """A backend's reading calls; any other public attribute raises AssertionError, naming it."""

    READS = frozenset({"name", "describe_feature_group", "list_feature_groups", "feature_group_spec",
                       "describe_feature_metadata", "offline_table", "wait_for_status", "get_record",
                       "batch_get_record", "query", "point_in_time_join"})

    def __init__(self, backend: FeatureStoreBackend) -> None:
        self._backend = backend

    def __getattr__(self, name: str) -> Any:
        if name in self.READS:
            return getattr(self._backend, name)
        if name.startswith("_"):
            raise AttributeError(name)
        raise AssertionError(f"{name} on the shared demo: a scenario that writes takes fresh_demo")


def _fingerprint(ctx: StepContext, sample: SampleData) -> tuple:
    """The groups and their status, every sample record online, the offline row count per group."""
    backend = ctx.backend
    listed = backend.list_feature_groups(ctx.settings.prefix)
    groups = sorted((summary["FeatureGroupName"], summary["FeatureGroupStatus"]) for summary in listed)
    online = [backend.batch_get_record(spec.name, sorted(set(frame[spec.record_identifier_name])))
              for spec, frame in ((ctx.users, sample.users), (ctx.products, sample.products))]
    offline = [int(backend.query(f"SELECT COUNT(*) AS n FROM {backend.offline_table(spec.name)}").loc[0, "n"])
               for spec in ctx.demo_specs()]
    return groups, online, offline


def _delete_if_present(backend: FeatureStoreBackend, name: str) -> None:
    """Delete the group ``name`` and wait until it is gone; nothing if there is no such group."""
    try:
        backend.delete_feature_group(name)
    except ResourceNotFound:
        return
    backend.wait_for_status(name, "Deleted", timeout=120)
