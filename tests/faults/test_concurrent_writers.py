"""Many threads writing the same ids with shuffled event times: the newest wins online, every
put lands offline (checked against an oracle), on the local backend and through the emulator."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from dataclasses import replace

from featurestore_demo.schemas import USERS
from featurestore_demo.wire_format import to_wire_record
from local_backend import LocalBackend
from scenarios.emulator_backend import emulator_backend, fake_session, running_emulator
from tests.robustness import Put, check_oracle, shuffled_puts

THREADS = 8


def lanes(puts: list[Put], count: int) -> list[list[Put]]:
    """``puts`` dealt round-robin to ``count`` writers: the same ids race on every writer."""
    return [puts[index::count] for index in range(count)]


def as_record(put: Put) -> dict:
    return put._asdict()


def test_threads_on_the_local_backend_keep_the_newest_online_and_every_put_offline(tmp_path):
    puts = shuffled_puts(ids=25, versions=40, seed=1)
    with LocalBackend(tmp_path) as store:
        store.create_feature_group(USERS)

        def write(lane: list[Put]) -> None:
            for put in lane:
                store.put_record("users", as_record(put))

        with ThreadPoolExecutor(THREADS) as pool:
            list(pool.map(write, lanes(puts, THREADS)))
        check_oracle(store, "users", puts)
    with LocalBackend(tmp_path) as reopened:  # and the history rebuilds the same online store
        check_oracle(reopened, "users", puts)


def test_boto3_clients_through_the_emulator_keep_the_newest_online_and_every_put_offline(tmp_path):
    puts = shuffled_puts(ids=10, versions=12, seed=2)
    spec = replace(USERS, name="racing-users")
    with running_emulator(tmp_path) as emulator:
        backend = emulator_backend(emulator)
        backend.create_feature_group(spec)
        backend.wait_for_status(spec.name, timeout=30)

        def write(lane: list[Put]) -> None:
            client = fake_session(emulator).client("sagemaker-featurestore-runtime", endpoint_url=emulator.url)
            for put in lane:
                client.put_record(FeatureGroupName=spec.name, Record=to_wire_record(as_record(put)))

        with ThreadPoolExecutor(THREADS) as pool:
            list(pool.map(write, lanes(puts, THREADS)))
        check_oracle(backend, spec.name, puts)
