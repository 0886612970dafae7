"""An ingest leaves the online store as putting its rows one after another would, and so does
reopening the store.

The local backend puts online (and logs) only the puts that can matter (the newest per record,
unless a TTL makes arrival times count): this property keeps that shortcut honest against
plain put_record, with TTLs, ties, tombstones and entries already stored.
"""

from __future__ import annotations

import contextlib
from pathlib import Path
from tempfile import TemporaryDirectory
from typing import Any

import pandas as pd
from fakes import Clock
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from featurestore_demo.errors import ValidationException
from featurestore_demo.schemas import FeatureDefinition, FeatureGroupSpec, TtlDuration
from hypothesis_profiles import examples
from local_backend import LocalBackend

T0 = 1_700_000_000.0
IDS = ["a", "b", "c"]
TIMES = [T0 - 30, T0 - 20, T0 - 10, T0]
GROUP = "g"


def spec(ttl_seconds: int | None) -> FeatureGroupSpec:
    features = (FeatureDefinition("id", "String"), FeatureDefinition("t", "Fractional"),
                FeatureDefinition("v", "Integral"))
    ttl = TtlDuration("Seconds", ttl_seconds) if ttl_seconds else None
    return FeatureGroupSpec(GROUP, "id", "t", features, ttl=ttl)


rows = st.lists(st.tuples(st.sampled_from(IDS), st.sampled_from(TIMES), st.integers(0, 9)), max_size=12)
earlier = st.lists(st.tuples(st.sampled_from(IDS), st.sampled_from(TIMES), st.integers(0, 9),
                             st.sampled_from([None, 5, 15, 100, "SoftDelete", "HardDelete"])), max_size=6)


def store_with(home: Path, group: FeatureGroupSpec, equal_overwrites: bool,
               before: list[tuple[Any, ...]]) -> LocalBackend:
    """A store holding ``group`` after the ``before`` writes: puts (with a request TTL in
    seconds, or none) and deletes."""
    store = LocalBackend(home, clock=Clock(T0), equal_overwrites=equal_overwrites)
    store.create_feature_group(group)
    for key, time, value, how in before:
        if how in ("SoftDelete", "HardDelete"):
            with contextlib.suppress(ValidationException):  # a stale HardDelete: both stores refuse it alike
                store.delete_record(GROUP, key, time, deletion_mode=how)
        else:
            store.put_record(GROUP, {"id": key, "t": time, "v": value},
                             ttl=TtlDuration("Seconds", how) if how else None)
    return store


def online(store: LocalBackend) -> dict[str, Any]:
    return {key: store.get_record(GROUP, key) for key in IDS}


def offline(store: LocalBackend) -> pd.DataFrame:
    return store.query(f"SELECT * FROM {store.offline_table(GROUP)} ORDER BY api_invocation_time")


@settings(max_examples=examples(100), deadline=None,
          suppress_health_check=[HealthCheck.too_slow])
@given(puts=rows, before=earlier, equal_overwrites=st.booleans(), ttl=st.sampled_from([None, 15]))
@example(  # the stored entry (received at T0) expires 2.5 µs later, while the ingest's puts arrive 1 µs apart
    puts=[("a", T0 - 100, 1), ("a", T0 - 100, 2), ("a", T0 - 200, 3), ("a", T0 - 300, 4)],
    before=[("a", T0 - 60 + 2.5e-6, 0, 60)], equal_overwrites=True, ttl=None,
)
def test_an_ingest_is_its_puts_one_after_another(puts, before, equal_overwrites, ttl):
    group = spec(ttl)
    frame = pd.DataFrame(puts, columns=["id", "t", "v"])
    with TemporaryDirectory() as ingested_home, TemporaryDirectory() as put_home:
        with store_with(Path(put_home), group, equal_overwrites, before) as one_by_one:
            for key, time, value in puts:
                one_by_one.put_record(GROUP, {"id": key, "t": time, "v": value})
            expected, expected_offline = online(one_by_one), offline(one_by_one)
        with store_with(Path(ingested_home), group, equal_overwrites, before) as ingested:
            ingested.ingest(GROUP, frame)
            assert online(ingested) == expected
            pd.testing.assert_frame_equal(offline(ingested), expected_offline)  # every put, not only the kept ones
        with LocalBackend(Path(ingested_home), clock=Clock(T0), equal_overwrites=equal_overwrites) as reopened:
            assert online(reopened) == expected
