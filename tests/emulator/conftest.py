"""One emulator for the whole session, plain boto3 clients pointed at it, and unique group names.

Clients get fake credentials and the emulator's 127.0.0.1 endpoint; the top-level conftest's
autouse fixture strips real AWS settings from the environment, so no test can reach AWS.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from emulator_helpers import create_request, record, run_query, unique_name, wait_created
from local_backend import LocalBackend
from local_backend.emulator import Emulator
from scenarios.emulator_backend import emulator_backend, fake_session, running_emulator


@pytest.fixture(scope="session")
def emulator(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Emulator]:
    with running_emulator(tmp_path_factory.mktemp("emulator")) as running:
        yield running


@pytest.fixture(scope="session")
def clients(emulator: Emulator) -> dict[str, Any]:
    session = fake_session(emulator)
    names = ("sagemaker", "sagemaker-featurestore-runtime", "athena", "s3", "sts", "iam")
    return {name: session.client(name, endpoint_url=emulator.url) for name in names}


@pytest.fixture(scope="session")
def sm(clients):
    return clients["sagemaker"]


@pytest.fixture(scope="session")
def runtime(clients):
    return clients["sagemaker-featurestore-runtime"]


@pytest.fixture(scope="session")
def athena(clients):
    return clients["athena"]


@pytest.fixture(scope="session")
def s3(clients):
    return clients["s3"]


@pytest.fixture
def group(sm) -> str:
    """A new, Created feature group (see :func:`create_request`)."""
    name = unique_name()
    sm.create_feature_group(**create_request(name))
    wait_created(sm, name)
    return name


@pytest.fixture(scope="module")
def kept(sm, runtime) -> str:
    """A group holding one record ("r1"), which no bad request may change."""
    name = unique_name("kept")
    sm.create_feature_group(**create_request(name))
    wait_created(sm, name)
    runtime.put_record(FeatureGroupName=name, Record=record(id="r1", age=7, score=1.5, event_time=100.0))
    return name


@pytest.fixture(scope="module")
def in_memory(sm, runtime) -> str:
    """An online-only InMemory group holding one record ("r1")."""
    name = unique_name("memory")
    request = create_request(name, OnlineStoreConfig={"EnableOnlineStore": True, "StorageType": "InMemory"})
    del request["OfflineStoreConfig"]
    sm.create_feature_group(**request)
    wait_created(sm, name)
    runtime.put_record(FeatureGroupName=name, Record=record(id="r1", age=7, score=1.5, event_time=100.0))
    return name


@pytest.fixture(scope="module")
def places(sm, athena, kept, in_memory) -> dict[str, str]:
    """What the placeholders of valid_requests stand for (but ``{new}`` and ``{token}``, new each time)."""
    description = sm.describe_feature_group(FeatureGroupName=kept)
    query = run_query(athena, "SELECT 1 AS one")
    assert query["Status"]["State"] == "SUCCEEDED", query["Status"]
    return {"group": kept, "arn": description["FeatureGroupArn"], "memory": in_memory,
            "query": query["QueryExecutionId"],
            "table": description["OfflineStoreConfig"]["DataCatalogConfig"]["TableName"]}


@pytest.fixture(params=["local", "emulator"])
def store(request, tmp_path):
    """The same test on a local backend and on the AWS backend through the session's emulator."""
    if request.param == "local":
        with LocalBackend(tmp_path) as local:
            yield local
    else:
        yield emulator_backend(request.getfixturevalue("emulator"))
