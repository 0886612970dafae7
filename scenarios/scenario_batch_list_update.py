"""Writing many records at once, listing what the online store holds, and changing a record in place.

- **BatchWriteRecord** writes 1 to 25 records, of one or more feature groups, each a full
  overwrite as PutRecord writes it. One bad entry does not sink the batch: it comes back in
  ``errors`` with its AWS code and message, and the others are written. A TTL given for the
  batch applies to the entries without their own.
- **ListRecords** pages through the record identifiers of a group's online store: live
  records, plus the soft-deleted ones if you ask; hard-deleted and expired ones never show.
- **UpdateRecord** changes only the features it names, on groups whose online store is
  Standard_V2 or InMemory. The record must exist (and not be soft-deleted); an update older
  than the record is a conflict; one without an event time keeps the record's. Offline, the
  whole resulting record is written as a put, so the history shows each state.

Times are relative to the real clock, so the very same scenario runs against AWS.
"""

from __future__ import annotations

import time
from dataclasses import replace

import pytest

from featurestore_demo.errors import ConflictException, ResourceNotFound, ValidationException
from featurestore_demo.runtime_types import WriteEntry
from featurestore_demo.schemas import FeatureDefinition, FeatureGroupSpec, TtlDuration
from support import offline_rows

WALLETS = FeatureGroupSpec(
    name="wallets",
    record_identifier_name="wallet_id",
    event_time_feature_name="event_time",
    features=(
        FeatureDefinition("wallet_id", "String"),
        FeatureDefinition("balance", "Fractional"),
        FeatureDefinition("visits", "Integral"),
        FeatureDefinition("event_time", "Fractional"),
    ),
    storage_type="Standard_V2",
)


def wallet(event_time: float, wallet_id: str = "w1", balance: float = 10.0, visits: int = 1) -> dict:
    return {"wallet_id": wallet_id, "balance": balance, "visits": visits, "event_time": event_time}


@pytest.fixture
def now() -> float:
    """Whole seconds, a little in the past."""
    return float(int(time.time()) - 10)


@pytest.fixture
def wallets(feature_groups) -> str:
    return feature_groups.create(WALLETS).name


@pytest.fixture
def standard(feature_groups) -> str:
    return feature_groups.create(replace(WALLETS, name="cards", storage_type="Standard")).name


# ---------------------------------------------------------------- tiers


def test_the_storage_type_is_kept_and_described(backend, wallets, standard):
    assert backend.feature_group_spec(wallets).storage_type == "Standard_V2"
    assert backend.describe_feature_group(wallets)["OnlineStoreConfig"]["StorageType"] == "Standard_V2"
    assert backend.describe_feature_group(standard)["OnlineStoreConfig"]["StorageType"] == "Standard"


# ---------------------------------------------------------------- batch write


def test_a_batch_writes_records_of_several_groups(backend, wallets, standard, now):
    result = backend.batch_write_record([
        WriteEntry(wallets, wallet(now, "w1")),
        WriteEntry(wallets, wallet(now, "w2", balance=2.5)),
        WriteEntry(standard, wallet(now, "c1", visits=7)),
    ])

    assert result.errors == [] and result.unprocessed == []
    assert backend.get_record(wallets, "w2") == wallet(now, "w2", balance=2.5)
    assert backend.get_record(standard, "c1") == wallet(now, "c1", visits=7)
    assert sorted(offline_rows(backend, wallets)["wallet_id"]) == ["w1", "w2"]


def test_a_bad_entry_is_reported_and_the_others_are_written(backend, wallets, unique_name, now):
    missing = unique_name("no-such-group")
    entries = [
        WriteEntry(wallets, wallet(now, "ok")),
        WriteEntry(wallets, {**wallet(now, "bad"), "visits": "1.5"}),
        WriteEntry(missing, wallet(now, "lost")),
    ]

    result = backend.batch_write_record(entries)

    assert [(failure.position, failure.entry, failure.error.code) for failure in result.errors] == [
        (1, entries[1], "ValidationException"),
        (2, entries[2], "ResourceNotFound"),
    ]
    assert "Invalid value '1.5' for feature 'visits' of type Integral" in str(result.errors[0].error)
    assert str(result.errors[1].error) == (
        f"Resource Not Found: Amazon SageMaker can't find a FeatureGroup with name {missing}")
    assert backend.get_record(wallets, "ok") is not None and backend.get_record(wallets, "bad") is None
    assert offline_rows(backend, wallets)["wallet_id"].tolist() == ["ok"]


def test_the_batch_ttl_applies_to_entries_without_their_own(backend, wallets, now):
    backend.batch_write_record([
        WriteEntry(wallets, wallet(now - 120, "own"), ttl=TtlDuration("Hours", 1)),
        WriteEntry(wallets, wallet(now - 120, "batch")),
    ], ttl=TtlDuration("Seconds", 60))

    assert backend.get_record(wallets, "own") is not None  # an hour from its event time
    assert backend.get_record(wallets, "batch") is None  # 60 s from its event time: expired


@pytest.mark.parametrize("count", [0, 26])
def test_a_batch_takes_1_to_25_entries(backend, wallets, now, count):
    with pytest.raises(ValidationException, match="at 'entries' failed to satisfy constraint") as raised:
        backend.batch_write_record([WriteEntry(wallets, wallet(now, f"w{i}")) for i in range(count)])

    assert raised.value.code == "ValidationException"
    assert backend.list_records(wallets).record_identifiers == []


# ---------------------------------------------------------------- list records


def test_list_records_pages_through_the_live_records(backend, wallets, now):
    backend.batch_write_record([WriteEntry(wallets, wallet(now, f"w{i}")) for i in range(5)])

    seen, token = [], None
    while True:
        page = backend.list_records(wallets, max_results=2, next_token=token)
        assert len(page.record_identifiers) <= 2
        seen += page.record_identifiers
        if page.next_token is None:
            break
        token = page.next_token

    assert sorted(seen) == ["w0", "w1", "w2", "w3", "w4"] and len(seen) == 5


def test_list_records_shows_soft_deleted_records_only_when_asked(backend, wallets, now):
    for name in ("live", "soft", "hard", "expired"):
        ttl = TtlDuration("Seconds", 60) if name == "expired" else None
        backend.put_record(wallets, wallet(now - 120, name), ttl=ttl)
    backend.delete_record(wallets, "soft", now)
    backend.delete_record(wallets, "hard", now, deletion_mode="HardDelete")

    assert backend.list_records(wallets).record_identifiers == ["live"]
    assert sorted(backend.list_records(wallets, include_soft_deleted=True).record_identifiers) == ["live", "soft"]


@pytest.mark.parametrize("max_results", [0, 101])
def test_list_records_takes_1_to_100_results_a_page(backend, wallets, max_results):
    with pytest.raises(ValidationException, match="at 'maxResults' failed to satisfy constraint"):
        backend.list_records(wallets, max_results=max_results)


# ---------------------------------------------------------------- update record


def test_an_update_changes_only_the_named_features(backend, wallets, now):
    backend.put_record(wallets, wallet(now - 60, balance=10.0, visits=1))

    backend.update_record(wallets, "w1", {"visits": 2})

    assert backend.get_record(wallets, "w1") == wallet(now - 60, balance=10.0, visits=2)
    # Offline, the whole resulting record is written as a put, with the kept event time.
    rows = offline_rows(backend, wallets)
    assert rows[["visits", "balance", "event_time"]].values.tolist() == [[1, 10.0, now - 60], [2, 10.0, now - 60]]
    assert not rows["is_deleted"].any()


def test_an_update_with_a_newer_or_equal_event_time_applies(backend, wallets, now):
    backend.put_record(wallets, wallet(now - 60))

    backend.update_record(wallets, "w1", {"balance": 1.0, "event_time": now - 60})
    backend.update_record(wallets, "w1", {"balance": 2.0, "event_time": now})

    assert backend.get_record(wallets, "w1") == wallet(now, balance=2.0)


def test_an_older_update_is_a_conflict_and_changes_nothing(backend, wallets, now):
    backend.put_record(wallets, wallet(now))

    with pytest.raises(ConflictException, match="older than the record's") as raised:
        backend.update_record(wallets, "w1", {"balance": 99.0, "event_time": now - 60})

    assert raised.value.code == "ConflictException"
    assert backend.get_record(wallets, "w1") == wallet(now)
    assert len(offline_rows(backend, wallets)) == 1


@pytest.mark.parametrize("history", ["never put", "soft-deleted"])
def test_an_update_needs_a_live_record(backend, wallets, now, history):
    if history == "soft-deleted":
        backend.put_record(wallets, wallet(now - 60))
        backend.delete_record(wallets, "w1", now)

    with pytest.raises(ResourceNotFound, match="has no record 'w1' in its OnlineStore") as raised:
        backend.update_record(wallets, "w1", {"visits": 5})

    assert raised.value.code == "ResourceNotFound"
    assert backend.get_record(wallets, "w1") is None


def test_an_update_with_a_ttl_needs_an_event_time(backend, wallets, now):
    backend.put_record(wallets, wallet(now - 60))

    with pytest.raises(ValidationException, match="A TtlDuration needs an EventTime"):
        backend.update_record(wallets, "w1", {"visits": 5}, ttl=TtlDuration("Days", 1))

    backend.update_record(wallets, "w1", {"visits": 5, "event_time": now - 120 + 60}, ttl=TtlDuration("Seconds", 30))
    assert backend.get_record(wallets, "w1") is None  # expired 30 s after its new event time


def test_an_update_on_a_standard_group_is_refused(backend, standard, now):
    backend.put_record(standard, wallet(now))

    with pytest.raises(ValidationException, match="only for feature groups whose online store is Standard_V2 or "
                                                  "InMemory"):
        backend.update_record(standard, "w1", {"visits": 5})

    assert backend.get_record(standard, "w1") == wallet(now)
