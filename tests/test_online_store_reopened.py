"""A reopened store's online store is the one it closed with, and takes later writes alike.

A store opens with its entries as sorted columns looked up by bisection, and keeps later writes
in a dict that shadows them (local_backend/online_store.py). This property runs the same writes
on a store that stays open and on one closed and reopened between two halves of them, and
compares every read: GetRecord, BatchGetRecord, ListRecords (with and without soft-deleted
records) and the number of keys held, for String, Integral and Fractional record identifiers.
"""

from __future__ import annotations

import contextlib
import threading
from tempfile import TemporaryDirectory
from typing import Any

import pyarrow as pa
from fakes import Clock
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from featurestore_demo.errors import ValidationException
from featurestore_demo.rules.online import OnlineEntry
from featurestore_demo.schemas import FeatureDefinition, FeatureGroupSpec
from hypothesis_profiles import examples
from local_backend import LocalBackend
from local_backend.online_store import OnlineStore, SortedEntries
from local_backend.online_values import opened_entries

T0 = 1_700_000_000.0
GROUP = "g"
IDS = {
    "String": st.text(st.characters(codec="utf-8", exclude_characters="\x00"), min_size=1, max_size=4),
    "Integral": st.integers(-1_000, 1_000),
    "Fractional": st.floats(-1e6, 1e6, allow_nan=False).filter(lambda value: value != 0.0 or str(value) == "0.0"),
}


def spec(id_type: str) -> FeatureGroupSpec:
    features = (FeatureDefinition("id", id_type), FeatureDefinition("t", "Fractional"),
                FeatureDefinition("v", "Integral"), FeatureDefinition("s", "String"))
    return FeatureGroupSpec(GROUP, "id", "t", features)


def writes(id_type: str) -> st.SearchStrategy[list[tuple[Any, ...]]]:
    """Puts (id, event time, value, text) and deletes (id, event time, mode) over a few ids."""
    ids = st.shared(st.lists(IDS[id_type], min_size=1, max_size=6, unique_by=str), key=id_type)
    times = st.sampled_from([T0 - 30, T0 - 20, T0 - 10, T0])
    put = st.tuples(st.just("put"), ids.flatmap(st.sampled_from), times, st.integers(0, 9),
                    st.sampled_from(["gold", "silver", None]))
    delete = st.tuples(st.sampled_from(["SoftDelete", "HardDelete"]), ids.flatmap(st.sampled_from), times)
    return st.lists(st.one_of(put, delete), max_size=14)


def apply(store: LocalBackend, write: tuple[Any, ...]) -> None:
    if write[0] == "put":
        _, key, time, value, text = write
        store.put_record(GROUP, {"id": key, "t": time, "v": value} | ({"s": text} if text else {}))
    else:
        mode, key, time = write
        with contextlib.suppress(ValidationException):  # a stale HardDelete: both stores refuse it alike
            store.delete_record(GROUP, key, time, deletion_mode=mode)


def reads(store: LocalBackend, ids: list[Any]) -> dict[str, Any]:
    return {
        "get": {str(key): store.get_record(GROUP, key) for key in ids},
        "batch": store.batch_get_record(GROUP, ids) if ids else {},
        "listed": store.list_records(GROUP, max_results=100).record_identifiers,
        "listed with soft-deleted": store.list_records(GROUP, max_results=100,
                                                       include_soft_deleted=True).record_identifiers,
        "held": store._online.count(GROUP),
    }


@settings(max_examples=examples(60), deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(data=st.data(), id_type=st.sampled_from(sorted(IDS)))
def test_a_reopened_store_reads_and_takes_writes_as_one_that_stayed_open(data, id_type):
    first, then = data.draw(writes(id_type), "before closing"), data.draw(writes(id_type), "after reopening")
    ids = list({str(write[1]): write[1] for write in first + then}.values())
    with TemporaryDirectory() as reopened_home, TemporaryDirectory() as open_home, \
            LocalBackend(open_home, clock=Clock(T0)) as stayed_open:
        stayed_open.create_feature_group(spec(id_type))
        with LocalBackend(reopened_home, clock=Clock(T0)) as closed:
            closed.create_feature_group(spec(id_type))
            for write in first:
                apply(stayed_open, write)
                apply(closed, write)
        with LocalBackend(reopened_home, clock=Clock(T0)) as reopened:
            assert reads(reopened, ids) == reads(stayed_open, ids)  # the opened entries bisected, or indexed
            reopened._online.wait_indexed()
            assert reads(reopened, ids) == reads(stayed_open, ids)
            for write in then:
                apply(stayed_open, write)
                apply(reopened, write)
            assert reads(reopened, ids) == reads(stayed_open, ids)


def test_writes_after_opening_shadow_the_opened_entries():
    store = OnlineStore()
    store.open_with(GROUP, SortedEntries(["a", "b", "c"], [[1, 2, 3]], [10.0, 10.0, 10.0]))
    assert store.put(GROUP, "b", OnlineEntry((20,), 20.0), now=T0)
    assert not store.put(GROUP, "c", OnlineEntry((5,), 5.0), now=T0)  # older than the opened entry
    store.delete(GROUP, "a", 30.0, T0, "HardDelete")
    store.delete(GROUP, "c", 30.0, T0, "SoftDelete")
    store.put(GROUP, "d", OnlineEntry((4,), 1.0), now=T0)

    assert [store.get(GROUP, key, T0) for key in "abcd"] == [
        None, OnlineEntry((20,), 20.0), None, OnlineEntry((4,), 1.0)]
    assert store.keys(GROUP, T0) == ["b", "d"]
    assert store.keys(GROUP, T0, include_soft_deleted=True) == ["b", "c", "d"]
    assert store.count(GROUP) == 3  # b, c (a tombstone) and d; a is gone


def test_opened_entries_are_put_in_text_order_whatever_order_they_come_in():
    """DuckDB orders the log by the identifier's text, as Python writes numbers; were the two ever
    to differ, the opened entries are sorted again rather than missed by bisection."""
    winners = pa.table({"id": [2, 10, 1], "t": [1.0, 2.0, 3.0], "v": [20, 100, 10], "s": ["b", None, "a"],
                        "__event_seconds": [1.0, 2.0, 3.0], "__texts": pa.nulls(3, pa.string())})
    opened, exact = opened_entries(spec("Integral"), winners)
    assert (opened.keys, exact) == (["1", "10", "2"], [])
    assert [opened.get(key) for key in ("1", "10", "2", "3")] == [
        OnlineEntry((1, 3.0, 10, "a"), 3.0), OnlineEntry((10, 2.0, 100, None), 2.0),
        OnlineEntry((2, 1.0, 20, "b"), 1.0), None]


def test_the_index_finds_what_bisection_finds():
    keys = [f"k{number:03d}" for number in range(0, 1000, 3)]
    entries = SortedEntries(keys, [list(range(len(keys)))], [1.0] * len(keys))
    asked = [f"k{number:03d}" for number in range(1000)] + ["", "k", "z"]
    bisected = [entries.get(key) for key in asked]
    entries.index()
    assert entries.rows is not None and len(entries.rows) == len(keys)
    assert [entries.get(key) for key in asked] == bisected
    assert sum(entry is not None for entry in bisected) == len(keys)


def test_a_stopped_index_leaves_bisection():
    stop = threading.Event()
    stop.set()
    entries = SortedEntries(["a", "b"], [[1, 2]], [1.0, 2.0])
    entries.index(stop)
    assert entries.rows is None and entries.get("b") == OnlineEntry((2,), 2.0)
