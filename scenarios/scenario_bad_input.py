"""Bad input: what the service refuses, and how it says so.

SageMaker validates every request and refuses bad ones with an error *code* you can branch
on (``ValidationException``, ``ResourceInUse``, ``ResourceNotFound``) and a *message* that
names what is wrong. A refused request changes nothing: no group is created, no row is
written online or offline. Each case below checks the three: the code, the message naming
the offending field or value, and that the stores are as they were.

The rules (SAGEMAKER_SPEC §1.2, §2.4, §2.5): names of 1-64 characters, alphanumerics with
``-``/``_`` only between them; three reserved feature names; three feature types; an event
time that is String (ISO-8601 UTC) or Fractional (epoch seconds); identifier and event time
among the definitions; Integral values that are whole signed 64-bit numbers (``"1.0"`` is
refused); TargetStores among the group's stores; TTLs of at least 1 of a known unit.
"""

from __future__ import annotations

import re
from dataclasses import replace

import pandas as pd
import pytest

from featurestore_demo.errors import ResourceInUse, ResourceNotFound, ValidationException
from featurestore_demo.schemas import FeatureDefinition, FeatureGroupSpec, TtlDuration
from support import offline_rows

EVENTS = FeatureGroupSpec(
    name="events",
    record_identifier_name="event_id",
    event_time_feature_name="event_time",
    features=(
        FeatureDefinition("event_id", "String"),
        FeatureDefinition("count", "Integral"),
        FeatureDefinition("score", "Fractional"),
        FeatureDefinition("event_time", "String"),  # ISO-8601, e.g. 2024-01-31T12:00:00Z
    ),
)
GOOD = {"event_id": "e1", "count": 3, "score": 0.5, "event_time": "2024-01-31T12:00:00Z"}


def refused(error_class, fragment: str, call) -> None:
    """``call()`` raises ``error_class`` with its AWS code and a message containing ``fragment``."""
    with pytest.raises(error_class, match=re.escape(fragment)) as raised:
        call()
    assert raised.value.code == error_class.code


# ---------------------------------------------------------------- CreateFeatureGroup


def with_feature(spec: FeatureGroupSpec, name: str, feature_type: str) -> FeatureGroupSpec:
    return replace(spec, features=(*spec.features, FeatureDefinition(name, feature_type)))


BAD_SPECS = {
    "name with a space": (lambda s: replace(s, name="bad name!"), "bad name!"),
    "name starting with a dash": (lambda s: replace(s, name="-events"), "-events"),
    "name ending with an underscore": (lambda s: replace(s, name="events_"), "events_"),
    "name of 65 characters": (lambda s: replace(s, name="e" * 65), "less than or equal to 64"),
    "reserved is_deleted": (lambda s: with_feature(s, "is_deleted", "String"), "is_deleted"),
    "reserved write_time": (lambda s: with_feature(s, "write_time", "String"), "write_time"),
    "reserved api_invocation_time": (lambda s: with_feature(s, "api_invocation_time", "String"),
                                     "api_invocation_time"),
    "unknown feature type": (lambda s: with_feature(s, "colour", "Text"), "Text"),
    "same feature twice": (lambda s: with_feature(s, "Score", "Fractional"), "Score"),
    "bad feature name": (lambda s: with_feature(s, "my feature", "String"), "my feature"),
    "Integral event time": (
        lambda s: replace(s, features=(*s.features[:3], FeatureDefinition("event_time", "Integral"))),
        "Integral",
    ),
    "identifier not defined": (lambda s: replace(s, record_identifier_name="customer_id"), "customer_id"),
    "event time not defined": (lambda s: replace(s, event_time_feature_name="created_at"), "created_at"),
    "no store at all": (lambda s: replace(s, online_store=False, offline_store=False), "OnlineStoreConfig"),
    "TTL of an unknown unit": (lambda s: replace(s, ttl=TtlDuration("Years", 1)), "Years"),
    "TTL of zero": (lambda s: replace(s, ttl=TtlDuration("Days", 0)), "ttlDuration.value"),
    "TTL without an online store": (lambda s: replace(s, online_store=False, ttl=TtlDuration("Days", 1)),
                                    "online store"),
}


@pytest.mark.parametrize("case", list(BAD_SPECS))
def test_create_feature_group_refuses_a_bad_spec(backend, unique_name, case):
    mutate, fragment = BAD_SPECS[case]
    spec = mutate(replace(EVENTS, name=unique_name("events")))

    refused(ValidationException, fragment, lambda: backend.create_feature_group(spec))

    # Nothing was created, under either name (NameContains takes at most 64 characters).
    assert backend.list_feature_groups(spec.name[:64]) == []
    assert backend.list_feature_groups("events") == []


def test_a_second_group_of_the_same_name_is_resource_in_use(backend, feature_groups):
    events = feature_groups.create(EVENTS)
    created = backend.describe_feature_group(events.name)["CreationTime"]

    refused(ResourceInUse, events.name, lambda: backend.create_feature_group(with_feature(events, "x", "String")))

    # The first group is untouched: same creation time, same schema.
    assert backend.describe_feature_group(events.name)["CreationTime"] == created
    assert backend.feature_group_spec(events.name) == events


# ---------------------------------------------------------------- PutRecord


@pytest.fixture
def events(backend, feature_groups) -> str:
    """A group holding one good record, GOOD."""
    name = feature_groups.create(EVENTS).name
    backend.put_record(name, GOOD)
    return name


BAD_RECORDS = {
    'Integral "1.0"': ({"count": "1.0"}, "1.0"),
    "Integral 1.5": ({"count": 1.5}, "1.5"),
    "Integral boolean": ({"count": True}, "boolean"),
    "Integral beyond int64": ({"count": 2**63}, str(2**63)),
    "Fractional text": ({"score": "high"}, "high"),
    "Fractional infinity": ({"score": float("inf")}, "inf"),
    "String given a number": ({"event_id": 7}, "'7'"),
    "event time with a space": ({"event_time": "2024-01-31 12:00:00"}, "2024-01-31 12:00:00"),
    "event time with an offset": ({"event_time": "2024-01-31T12:00:00+00:00"}, "2024-01-31T12:00:00+00:00"),
    "event time with 6 digits": ({"event_time": "2024-01-31T12:00:00.123456Z"}, "2024-01-31T12:00:00.123456Z"),
    "event time not a date": ({"event_time": "2024-02-30T12:00:00Z"}, "2024-02-30T12:00:00Z"),
    "event time as a number": ({"event_time": 1706702400.0}, "1706702400.0"),
    "unknown feature": ({"colour": "red"}, "colour"),
    "missing record identifier": ({"event_id": None}, "event_id"),
    "missing event time": ({"event_time": None}, "event_time"),
}


@pytest.mark.parametrize("case", list(BAD_RECORDS))
def test_put_record_refuses_a_bad_record(backend, events, case):
    change, fragment = BAD_RECORDS[case]
    record = {name: value for name, value in {**GOOD, "count": 4, **change}.items() if value is not None}
    rows = len(offline_rows(backend, events))

    refused(ValidationException, fragment, lambda: backend.put_record(events, record))

    assert backend.get_record(events, "e1") == GOOD
    assert len(offline_rows(backend, events)) == rows


BAD_OPTIONS = {
    "unknown target store": ({"target_stores": ["Disk"]}, "Disk"),
    "no target store": ({"target_stores": []}, "TargetStores"),
    "TTL of an unknown unit": ({"ttl": TtlDuration("Months", 1)}, "Months"),
    "TTL of zero": ({"ttl": TtlDuration("Seconds", 0)}, "ttlDuration.value"),
}


@pytest.mark.parametrize("case", list(BAD_OPTIONS))
def test_put_record_refuses_bad_options(backend, events, case):
    options, fragment = BAD_OPTIONS[case]
    newer = {**GOOD, "count": 4, "event_time": "2024-02-01T00:00:00Z"}

    refused(ValidationException, fragment, lambda: backend.put_record(events, newer, **options))

    assert backend.get_record(events, "e1") == GOOD
    assert len(offline_rows(backend, events)) == 1


def test_an_offline_only_group_refuses_online_target_store(backend, feature_groups):
    group = feature_groups.create(replace(EVENTS, online_store=False)).name

    refused(ValidationException, "OnlineStore",
            lambda: backend.put_record(group, GOOD, target_stores=["OnlineStore"]))

    assert offline_rows(backend, group).empty


def test_put_to_a_missing_group_is_resource_not_found(backend, unique_name):
    missing = unique_name("events")

    refused(ResourceNotFound, missing, lambda: backend.put_record(missing, GOOD))

    assert backend.list_feature_groups(missing) == []


def test_the_offline_table_of_a_missing_group_is_resource_not_found(backend, unique_name):
    missing = unique_name("events")

    refused(ResourceNotFound, missing, lambda: backend.offline_table(missing))


# ---------------------------------------------------------------- reads and deletes


def test_get_record_refuses_an_unknown_feature_name(backend, events):
    refused(ValidationException, "colour", lambda: backend.get_record(events, "e1", ["count", "colour"]))


def test_batch_get_record_takes_at_most_100_ids(backend, events):
    ids = [f"e{i}" for i in range(101)]

    refused(ValidationException, "101", lambda: backend.batch_get_record(events, ids))


@pytest.mark.parametrize(
    ("options", "fragment"),
    [({"deletion_mode": "Purge"}, "Purge"), ({"event_time": "yesterday"}, "yesterday")],
    ids=["unknown deletion mode", "malformed event time"],
)
def test_delete_record_refuses_bad_input(backend, events, options, fragment):
    arguments = {"event_time": "2024-02-01T00:00:00Z", **options}

    refused(ValidationException, fragment, lambda: backend.delete_record(events, "e1", **arguments))

    assert backend.get_record(events, "e1") == GOOD
    assert not offline_rows(backend, events)["is_deleted"].any()


# ---------------------------------------------------------------- ingest


BAD_FRAMES = {
    "float Integral column": (lambda f: f.assign(count=f["count"].astype("float64")), "count"),
    "unknown column": (lambda f: f.assign(colour="red"), "colour"),
    "no event time column": (lambda f: f.drop(columns="event_time"), "event_time"),
    "a missing identifier": (lambda f: f.assign(event_id=["e2", None, "e4"]), "event_id"),
    "a malformed event time": (
        lambda f: f.assign(event_time=["2024-03-01T00:00:00Z", "2024-03-01", "2024-03-02T00:00:00Z"]),
        "2024-03-01",
    ),
}


@pytest.mark.parametrize("case", list(BAD_FRAMES))
def test_ingest_refuses_a_bad_frame_whole(backend, events, case):
    mutate, fragment = BAD_FRAMES[case]
    good = pd.DataFrame({
        "event_id": ["e2", "e3", "e4"],
        "count": [1, 2, 3],
        "score": [0.1, 0.2, 0.3],
        "event_time": ["2024-03-01T00:00:00Z"] * 3,
    })

    refused(ValidationException, fragment, lambda: backend.ingest(events, mutate(good)))

    # Validated whole before anything is written: not even the good rows went in.
    assert backend.batch_get_record(events, ["e1", "e2", "e3", "e4"]) == {"e1": GOOD}
    assert len(offline_rows(backend, events)) == 1


# ---------------------------------------------------------------- Athena


@pytest.mark.parametrize(
    ("sql", "fragment"),
    [("", "empty"), ("  ", "empty"), ("SELECT * FROM sagemaker_featurestore.no_such_table", "no_such_table")],
    ids=["empty", "blank", "unknown table"],
)
def test_query_refuses_bad_sql(backend, sql, fragment):
    refused(ValidationException, fragment, lambda: backend.query(sql))
