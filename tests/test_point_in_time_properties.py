"""Property tests: every point-in-time path of the local backend equals the brute-force oracle.

Hypothesis writes random histories through the public API (put_record, delete_record, ingest)
into two feature groups, one keyed by text with a Fractional event time, one keyed by integer
with an ISO String event time, both with a feature called ``value``. The event times sit on a
coarse grid, so equal event times, same-time rewrites and deletes, labels at exactly a
feature's time and rows exactly ``max_age`` old happen often. Labels repeat, come before the
first feature, name unknown or missing entities, and carry their times as epoch seconds, naive
datetimes, datetimes in a non-UTC zone, or a mix of the three in one column.
"""

from __future__ import annotations

import itertools
from datetime import datetime, timedelta, timezone
from zoneinfo import ZoneInfo

import pandas as pd
import pytest
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st
from pit_oracle import offline_rows, state_at, utc_micros

from featurestore_demo.errors import ValidationException
from featurestore_demo.schemas import FeatureDefinition, FeatureGroupSpec
from hypothesis_profiles import examples
from local_backend import LocalBackend

T0 = 1_700_000_000  # 2023-11-14 22:13:20 UTC
ZONE = ZoneInfo("Asia/Kolkata")  # UTC+05:30: a naive reading of it would be off by hours
TEXT_KEYS, INT_KEYS = ("a", "b", "None"), (1, 2, 3)  # "None": a real id, not a missing one
PATHS = ("asof", "sql")
_names = itertools.count()


def _spec(name: str, id_name: str, id_type: str, time_name: str, time_type: str, **features: str) -> FeatureGroupSpec:
    definitions = {id_name: id_type, time_name: time_type, **features}
    return FeatureGroupSpec(
        name, id_name, time_name, tuple(FeatureDefinition(n, t) for n, t in definitions.items())  # type: ignore[arg-type]
    )


def users_spec(name: str) -> FeatureGroupSpec:
    return _spec(name, "entity_id", "String", "event_time", "Fractional",
                 value="Fractional", count="Integral", tag="String")


def items_spec(name: str) -> FeatureGroupSpec:
    return _spec(name, "item_id", "Integral", "ts", "String", value="Fractional", flag="Integral")


def iso(seconds: float) -> str:
    return datetime.fromtimestamp(seconds, tz=timezone.utc).strftime("%Y-%m-%dT%H:%M:%S.%f")[:-3] + "Z"


# ------------------------------------------------------------------ strategies

offsets = st.integers(0, 6).map(float) | st.sampled_from([0.5, 2.5, 4.25])  # seconds after T0


def maybe(values: st.SearchStrategy) -> st.SearchStrategy:
    """A feature value or NULL (an absent feature)."""
    return st.none() | values


user_values = st.fixed_dictionaries({
    "value": maybe(st.floats(-1e6, 1e6, allow_nan=False)),
    "count": maybe(st.integers(-(2**63), 2**63 - 1)),
    "tag": maybe(st.text(max_size=5)),
})
item_values = st.fixed_dictionaries(
    {"value": maybe(st.floats(-10, 10, allow_nan=False)), "flag": maybe(st.integers(0, 9))}
)


def operations(keys: tuple, values: st.SearchStrategy) -> st.SearchStrategy:
    """A group's history: puts, deletes (soft and hard) and small ingest batches."""
    put = st.tuples(st.just("put"), st.sampled_from(keys), offsets, values)
    delete = st.tuples(st.just("delete"), st.sampled_from(keys), offsets, st.sampled_from(["SoftDelete", "HardDelete"]))
    rows = st.lists(st.tuples(st.sampled_from(keys), offsets, values), min_size=1, max_size=4)
    batch = st.tuples(st.just("ingest"), rows)
    return st.lists(put | put | delete | batch, min_size=1, max_size=10)


label_rows = st.lists(
    st.tuples(
        st.sampled_from((*TEXT_KEYS, "zz", None)),  # an unknown and a missing entity too
        st.sampled_from((*INT_KEYS, 99)),
        offsets | st.integers(-2, 8).map(float),  # at and between feature times, before the first, after all
    ),
    min_size=1,
    max_size=8,
).flatmap(lambda rows: st.lists(st.sampled_from(rows), min_size=len(rows), max_size=len(rows) + 4))  # duplicates
time_kinds = st.sampled_from(["epoch", "naive", "zoned", "mixed"])


def label_times(offsets_s: list[float], kind: str, draw_kind: list[str]) -> pd.Series:
    """Label times T0 + offset in one of the accepted representations."""
    stamps = [datetime.fromtimestamp(T0 + s, tz=timezone.utc) for s in offsets_s]
    if kind == "epoch":
        return pd.Series([T0 + s for s in offsets_s], dtype="float64")
    if kind == "naive":
        return pd.Series([s.replace(tzinfo=None) for s in stamps], dtype="datetime64[us]")
    if kind == "zoned":
        return pd.Series(stamps).dt.tz_convert(ZONE)
    as_one = {
        "epoch": lambda s: s.timestamp(),
        "naive": lambda s: s.replace(tzinfo=None),
        "zoned": lambda s: s.astimezone(ZONE),
    }
    return pd.Series([as_one[k](s) for k, s in zip(draw_kind, stamps)], dtype=object)


# ------------------------------------------------------------------ writing histories


def write_history(backend: LocalBackend, spec: FeatureGroupSpec, ops: list, stamp) -> None:
    """Apply ``ops`` through the public API; ``stamp`` turns an offset into this group's event time."""
    for op in ops:
        if op[0] == "put":
            _, key, offset, values = op
            record = {spec.record_identifier_name: key, spec.event_time_feature_name: stamp(offset), **values}
            backend.put_record(spec.name, record)
        elif op[0] == "delete":
            _, key, offset, mode = op
            try:
                backend.delete_record(spec.name, key, stamp(offset), deletion_mode=mode)
            except ValidationException as refused:  # only a stale HardDelete may be refused: no marker
                if mode != "HardDelete" or "HardDelete" not in str(refused):
                    raise
        else:
            backend.ingest(spec.name, batch_frame(spec, op[1], stamp))


def batch_frame(spec: FeatureGroupSpec, rows: list, stamp) -> pd.DataFrame:
    records = [{spec.record_identifier_name: key, spec.event_time_feature_name: stamp(offset), **values}
               for key, offset, values in rows]
    dtypes = {"Integral": "Int64", "Fractional": "Float64", "String": object}
    return pd.DataFrame({name: pd.array([record[name] for record in records], dtype=dtypes[kind])
                         for name, kind in spec.types.items()})


@pytest.fixture(scope="module")
def backend(tmp_path_factory: pytest.TempPathFactory):
    with LocalBackend(home=tmp_path_factory.mktemp("pit-properties")) as store:
        yield store


# ------------------------------------------------------------------ the property


@settings(
    max_examples=examples(100),
    deadline=None,
    phases=[Phase.explicit, Phase.reuse, Phase.generate, Phase.target, Phase.shrink],  # no slow "explain"
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(
    user_ops=operations(TEXT_KEYS, user_values),
    item_ops=operations(INT_KEYS, item_values),
    labels=label_rows,
    time_kind=time_kinds,
    mixed_kinds=st.lists(st.sampled_from(["epoch", "naive", "zoned"]), min_size=12, max_size=12),
    max_age=st.none() | st.integers(0, 4) | st.just(timedelta(seconds=1.5)),
    as_of_pick=st.none() | st.integers(0, 60),
    user_features=st.none() | st.sampled_from([["value"], ["tag", "count"], ["count", "value", "tag"]]),
)
def test_every_path_equals_the_oracle(
    backend, user_ops, item_ops, labels, time_kind, mixed_kinds, max_age, as_of_pick, user_features
):
    n = next(_names)
    users, items = users_spec(f"pit-users-{n}"), items_spec(f"pit-items-{n}")
    backend.create_feature_group(users)
    backend.create_feature_group(items)
    try:
        write_history(backend, users, user_ops, lambda s: T0 + s)
        write_history(backend, items, item_ops, lambda s: iso(T0 + s))
        history = {spec.name: read_history(backend, spec) for spec in (users, items)}
        frame = pd.DataFrame({
            "entity": pd.Series([e for e, _, _ in labels], dtype=object),
            "item": [i for _, i, _ in labels],
            "label": range(len(labels)),
        }, index=pd.RangeIndex(100, 100 + len(labels)))  # the labels' own index must survive
        frame["at"] = label_times([t for _, _, t in labels], time_kind, mixed_kinds).set_axis(frame.index)
        as_of = pick_as_of(history, as_of_pick)
        options = dict(
            label_time_column="at",
            entity_columns={users.name: "entity", items.name: "item"},
            features={} if user_features is None else {users.name: user_features},
            max_age=max_age,
            as_of=as_of,
        )
        expected = oracle_frame(frame, users, items, history, user_features, max_age, as_of)
        for path in PATHS:
            backend.point_in_time_method = path
            result = backend.point_in_time_join(frame, [users.name, items.name], **options)
            assert_same(result, expected, path)
    finally:
        backend.point_in_time_method = "asof"
        backend.delete_feature_group(users.name)
        backend.delete_feature_group(items.name)


def read_history(backend: LocalBackend, spec: FeatureGroupSpec):
    """The oracle's view of a group: its offline rows, through the public query API."""
    table = backend.describe_feature_group(spec.name)["OfflineStoreConfig"]["DataCatalogConfig"]
    frame = backend.query(f'SELECT * FROM "{table["Database"]}"."{table["TableName"]}"')
    return offline_rows(frame, spec.record_identifier_name, spec.event_time_feature_name)


def pick_as_of(history: dict, pick: int | None) -> datetime | None:
    """None, or exactly one of the stored write times (the inclusive edge), as a naive UTC datetime."""
    writes = sorted(row.write_us for rows in history.values() for row in rows)
    if pick is None or not writes:
        return None
    return datetime(1970, 1, 1) + timedelta(microseconds=writes[pick % len(writes)])


def oracle_frame(frame, users, items, history, user_features, max_age, as_of) -> pd.DataFrame:
    """The expected join, label by label, with the oracle; features named as the kit names them."""
    user_names = user_features or ["value", "count", "tag"]
    wanted = [(users, "entity", user_names), (items, "item", ["value", "flag"])]
    seconds = max_age.total_seconds() if isinstance(max_age, timedelta) else max_age
    max_age_us = None if seconds is None else round(seconds * 1_000_000)
    as_of_us = None if as_of is None else utc_micros(as_of)
    expected = frame.copy()
    for spec, column, names in wanted:
        states = [
            state_at(history[spec.name], None if key is None else str(key), utc_micros(at),
                     max_age_us=max_age_us, as_of_us=as_of_us)
            for key, at in zip(frame[column], frame["at"])
        ]
        for name in names:
            output = f"{spec.name}.value" if name == "value" and "value" in user_names else name
            expected[output] = [None if state is None else state[name] for state in states]
    return expected


def assert_same(result: pd.DataFrame, expected: pd.DataFrame, path: str) -> None:
    assert list(result.columns) == list(expected.columns), path
    assert result.index.equals(expected.index), path
    for column in expected.columns:
        got = [None if pd.isna(v) else v for v in result[column].astype(object)]
        want = [None if pd.isna(v) else v for v in expected[column].astype(object)]
        assert got == want, f"{path}: column {column}"
