"""How the online store decides, put by put and delete by delete.

The online store holds **one record per record identifier**: the one with the newest event
time. The offline store is the witness: it appends every put and every delete marker, so each
rule below shows in both stores.

- A put with a **newer** event time replaces the record; an **older** one is ignored online
  (no error) but still appended offline; an **equal** one overwrites (last writer wins, as the
  Developer Guide says).
- A record identifier with no record reads as None; a feature group that does not exist is
  ResourceNotFound.
- **TTL**: a record expires at *event time* + TTL (the record's own TtlDuration, else the
  group's default), not at put time. An expired record reads as None, as if hard-deleted.
- **DeleteRecord** works as of an event time that must be *later* than the record's:
  SoftDelete hides the record, HardDelete removes it, and both append a marker row offline
  (``is_deleted = true``, features NULL). A stale SoftDelete still writes its marker but leaves
  the record; a stale HardDelete is rejected and writes nothing. After a HardDelete, nothing is
  remembered: even an older put is accepted.

Times here are relative to the real clock (``time.time()``), so that the very same scenario
runs against AWS: a record whose event time is already older than its TTL is expired at once.
"""

from __future__ import annotations

import time
from dataclasses import replace

import pytest

from featurestore_demo.errors import ResourceNotFound, ValidationException
from featurestore_demo.schemas import FeatureDefinition, FeatureGroupSpec, TtlDuration
from support import offline_rows

ACCOUNTS = FeatureGroupSpec(
    name="accounts",
    record_identifier_name="account_id",
    event_time_feature_name="event_time",
    features=(
        FeatureDefinition("account_id", "String"),
        FeatureDefinition("balance", "Fractional"),
        FeatureDefinition("status", "String"),
        FeatureDefinition("event_time", "Fractional"),
    ),
)


def account(event_time: float, balance: float = 100.0, status: str = "open", account_id: str = "a1") -> dict:
    return {"account_id": account_id, "balance": balance, "status": status, "event_time": event_time}


@pytest.fixture
def now() -> float:
    """The scenario's reference instant: whole seconds, a little in the past."""
    return float(int(time.time()) - 10)


@pytest.fixture
def accounts(feature_groups) -> str:
    return feature_groups.create(ACCOUNTS).name


def with_ttl(feature_groups, ttl: TtlDuration) -> str:
    return feature_groups.create(replace(ACCOUNTS, ttl=ttl)).name


# ---------------------------------------------------------------- which put wins


def test_a_newer_put_replaces_the_record(backend, accounts, now):
    backend.put_record(accounts, account(now - 60, balance=100.0))
    backend.put_record(accounts, account(now, balance=250.0))

    assert backend.get_record(accounts, "a1") == account(now, balance=250.0)


def test_an_older_put_is_ignored_online_but_kept_offline(backend, accounts, now):
    backend.put_record(accounts, account(now, balance=250.0))
    backend.put_record(accounts, account(now - 60, balance=100.0))  # arrives late: no error

    assert backend.get_record(accounts, "a1") == account(now, balance=250.0)
    assert offline_rows(backend, accounts)["balance"].tolist() == [250.0, 100.0]


def test_an_equal_event_time_overwrites(backend, accounts, now):
    backend.put_record(accounts, account(now, balance=1.0))
    backend.put_record(accounts, account(now, balance=2.0))

    assert backend.get_record(accounts, "a1")["balance"] == 2.0


def test_a_put_replaces_the_whole_record(backend, accounts, now):
    backend.put_record(accounts, account(now - 60, status="frozen"))
    backend.put_record(accounts, {"account_id": "a1", "balance": 5.0, "event_time": now})

    # No partial update: the feature left out of the newer put is gone.
    assert backend.get_record(accounts, "a1") == {"account_id": "a1", "balance": 5.0, "event_time": now}


# ---------------------------------------------------------------- reading


def test_a_missing_record_is_none(backend, accounts, now):
    backend.put_record(accounts, account(now))

    assert backend.get_record(accounts, "a2") is None


def test_a_missing_feature_group_is_resource_not_found(backend, unique_name):
    missing = unique_name("no-such-group")

    for call in (lambda: backend.get_record(missing, "a1"),
                 lambda: backend.describe_feature_group(missing),
                 lambda: backend.delete_feature_group(missing)):
        with pytest.raises(ResourceNotFound, match=missing) as raised:
            call()
        assert raised.value.code == "ResourceNotFound"


def test_feature_names_select_features(backend, accounts, now):
    backend.put_record(accounts, account(now))

    assert backend.get_record(accounts, "a1", ["status"]) == {"status": "open"}
    assert backend.batch_get_record(accounts, ["a1"], ["balance", "status"]) == {
        "a1": {"balance": 100.0, "status": "open"}
    }


def test_batch_get_record_skips_ids_without_a_live_record(backend, accounts, now):
    for name in ("a1", "a2", "a3"):
        backend.put_record(accounts, account(now - 60, account_id=name))
    backend.delete_record(accounts, "a2", now)

    found = backend.batch_get_record(accounts, ["a1", "a2", "a3", "a4"])

    assert sorted(found) == ["a1", "a3"]  # a2 is deleted, a4 never existed


# ---------------------------------------------------------------- TTL


def test_a_group_ttl_counts_from_the_event_time(backend, feature_groups, now):
    group = with_ttl(feature_groups, TtlDuration("Minutes", 10))

    backend.put_record(group, account(now - 3600, account_id="old"))  # its TTL ran out 50 minutes ago
    backend.put_record(group, account(now, account_id="fresh"))

    assert backend.get_record(group, "old") is None
    assert backend.get_record(group, "fresh") == account(now, account_id="fresh")
    # Expiry hides a record online; the offline store still has both puts.
    assert sorted(offline_rows(backend, group)["account_id"]) == ["fresh", "old"]


def test_a_record_ttl_overrides_the_group_default(backend, feature_groups, now):
    group = with_ttl(feature_groups, TtlDuration("Weeks", 1))

    backend.put_record(group, account(now - 120, account_id="short"), ttl=TtlDuration("Seconds", 60))
    backend.put_record(group, account(now - 120, account_id="default"))

    assert backend.get_record(group, "short") is None
    assert backend.get_record(group, "default") is not None


def test_a_record_ttl_works_without_a_group_default(backend, accounts, now):
    backend.put_record(accounts, account(now - 120, account_id="short"), ttl=TtlDuration("Seconds", 60))
    backend.put_record(accounts, account(now - 120, account_id="long"), ttl=TtlDuration("Hours", 1))

    assert backend.get_record(accounts, "short") is None
    assert backend.get_record(accounts, "long") is not None


def test_an_expired_record_no_longer_blocks_older_puts(backend, accounts, now):
    backend.put_record(accounts, account(now - 100, balance=1.0), ttl=TtlDuration("Seconds", 60))
    assert backend.get_record(accounts, "a1") is None

    # Expiry counts as a hard delete: an older but still-live put is accepted.
    backend.put_record(accounts, account(now - 200, balance=2.0), ttl=TtlDuration("Days", 1))

    assert backend.get_record(accounts, "a1") == account(now - 200, balance=2.0)


# ---------------------------------------------------------------- deletes


def markers(backend, group: str):
    return offline_rows(backend, group, "is_deleted")


def test_soft_delete_hides_the_record_and_writes_a_marker(backend, accounts, now):
    backend.put_record(accounts, account(now - 60))

    backend.delete_record(accounts, "a1", now, deletion_mode="SoftDelete")

    assert backend.get_record(accounts, "a1") is None
    marker = markers(backend, accounts)
    assert len(marker) == 1
    assert marker.loc[0, "account_id"] == "a1" and marker.loc[0, "event_time"] == now
    assert marker[["balance", "status"]].isna().all(axis=None)  # features are NULL in a marker


@pytest.mark.parametrize("delay", [0, -60], ids=["equal-time", "older"])
def test_a_stale_soft_delete_writes_a_marker_but_keeps_the_record(backend, accounts, now, delay):
    backend.put_record(accounts, account(now))

    backend.delete_record(accounts, "a1", now + delay)  # not later than the record: stale

    assert backend.get_record(accounts, "a1") == account(now)
    assert len(markers(backend, accounts)) == 1


def test_after_a_hard_delete_an_older_put_is_accepted(backend, accounts, now):
    backend.put_record(accounts, account(now - 60, balance=1.0))
    backend.delete_record(accounts, "a1", now, deletion_mode="HardDelete")
    assert backend.get_record(accounts, "a1") is None

    # The hard delete kept no event time for a1, so nothing blocks an older put.
    backend.put_record(accounts, account(now - 120, balance=2.0))

    assert backend.get_record(accounts, "a1") == account(now - 120, balance=2.0)
    assert len(markers(backend, accounts)) == 1


def test_a_stale_hard_delete_is_rejected_and_writes_nothing(backend, accounts, now):
    backend.put_record(accounts, account(now))
    rows_before = len(offline_rows(backend, accounts))

    with pytest.raises(ValidationException, match="HardDelete") as raised:
        backend.delete_record(accounts, "a1", now - 60, deletion_mode="HardDelete")

    assert raised.value.code == "ValidationException"
    assert backend.get_record(accounts, "a1") == account(now)
    assert len(offline_rows(backend, accounts)) == rows_before
    assert markers(backend, accounts).empty


@pytest.mark.parametrize("mode", ["SoftDelete", "HardDelete"])
def test_a_delete_on_an_offline_only_group_writes_a_marker(backend, feature_groups, now, mode):
    group = feature_groups.create(replace(ACCOUNTS, online_store=False)).name
    backend.put_record(group, account(now - 60))

    backend.delete_record(group, "a1", now, deletion_mode=mode)

    rows = offline_rows(backend, group)
    assert rows["is_deleted"].tolist() == [False, True]
    assert rows["event_time"].tolist() == [now - 60, now]
