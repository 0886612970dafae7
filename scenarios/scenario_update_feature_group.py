"""Changing a feature group after it was created: UpdateFeatureGroup and feature metadata.

A group's schema only grows: UpdateFeatureGroup *adds* features (never removes or retypes
one) and sets or removes the online store's default TTL, which applies to records written
after the update. Old rows simply have no value for a new feature: NULL offline, absent online.
On AWS the update runs asynchronously; ``update_feature_group`` returns once
``LastUpdateStatus`` is Successful.

Each feature also carries metadata: a description and up to 25 ``{Key, Value}`` parameters
(UpdateFeatureMetadata adds them in order, a known key takes the new value, removals go by
key; DescribeFeatureMetadata reads them back). Bad input is refused with ValidationException
and changes nothing (SAGEMAKER_SPEC §1.5).
"""

from __future__ import annotations

import re
from dataclasses import replace

import pytest

from featurestore_demo.errors import ResourceNotFound, ValidationException
from featurestore_demo.schemas import FeatureDefinition, FeatureGroupSpec, TtlDuration
from support import offline_rows

PROFILES = FeatureGroupSpec(
    name="profiles",
    record_identifier_name="profile_id",
    event_time_feature_name="event_time",
    features=(
        FeatureDefinition("profile_id", "String"),
        FeatureDefinition("visits", "Integral"),
        FeatureDefinition("event_time", "Fractional"),
    ),
)
CITY = FeatureDefinition("city", "String")


@pytest.fixture
def profiles(feature_groups) -> str:
    return feature_groups.create(PROFILES).name


def refused(error_class, fragment: str, call) -> None:
    """``call()`` raises ``error_class`` with its AWS code and a message containing ``fragment``."""
    with pytest.raises(error_class, match=re.escape(fragment)) as raised:
        call()
    assert raised.value.code == error_class.code


# ---------------------------------------------------------------- UpdateFeatureGroup


def test_an_added_feature_is_written_and_read_like_the_others(backend, profiles):
    backend.put_record(profiles, {"profile_id": "p1", "visits": 1, "event_time": 10.0})

    arn = backend.update_feature_group(profiles, feature_additions=[CITY])

    described = backend.describe_feature_group(profiles)
    assert arn == described["FeatureGroupArn"]
    assert described["FeatureDefinitions"][-1] == {"FeatureName": "city", "FeatureType": "String"}
    assert described["LastUpdateStatus"]["Status"] == "Successful"
    assert backend.get_record(profiles, "p1") == {"profile_id": "p1", "visits": 1, "event_time": 10.0}
    backend.put_record(profiles, {"profile_id": "p2", "visits": 2, "city": "Oslo", "event_time": 20.0})
    assert backend.get_record(profiles, "p2", ["city"]) == {"city": "Oslo"}
    rows = offline_rows(backend, profiles)
    assert rows["city"].isna().tolist() == [True, False]  # the row written before the update: NULL
    assert rows["city"].iloc[1] == "Oslo"


def test_a_record_put_before_numeric_features_were_added_is_read_without_them(backend, profiles):
    """(The local backend indexed the new features' values in the old record: IndexError.)"""
    backend.put_record(profiles, {"profile_id": "p1", "visits": 1, "event_time": 10.0})

    backend.update_feature_group(profiles, feature_additions=[FeatureDefinition("score", "Fractional"),
                                                              FeatureDefinition("rank", "Integral")])

    old = {"profile_id": "p1", "visits": 1, "event_time": 10.0}
    assert backend.get_record(profiles, "p1") == old
    assert backend.get_record(profiles, "p1", ["visits", "score"]) == {"visits": 1}
    assert backend.batch_get_record(profiles, ["p1"]) == {"p1": old}


def test_the_default_ttl_is_set_and_removed(backend, profiles):
    backend.update_feature_group(profiles, ttl=TtlDuration("Days", 7))
    assert backend.describe_feature_group(profiles)["OnlineStoreConfig"]["TtlDuration"] == {
        "Unit": "Days", "Value": 7}
    assert backend.feature_group_spec(profiles).ttl == TtlDuration("Days", 7)

    backend.update_feature_group(profiles, ttl=None)

    assert "TtlDuration" not in backend.describe_feature_group(profiles)["OnlineStoreConfig"]
    assert backend.feature_group_spec(profiles).ttl is None


BAD_UPDATES = {
    "a feature it already has": ({"feature_additions": [FeatureDefinition("visits", "Fractional")]}, "visits"),
    "a name differing only in case": ({"feature_additions": [FeatureDefinition("Visits", "String")]}, "Visits"),
    "a reserved name": ({"feature_additions": [FeatureDefinition("write_time", "String")]}, "write_time"),
    "an unknown type": ({"feature_additions": [FeatureDefinition("colour", "Text")]}, "Text"),
    "a bad feature name": ({"feature_additions": [FeatureDefinition("my city", "String")]}, "my city"),
    "101 additions": ({"feature_additions": [FeatureDefinition(f"f{i}", "String") for i in range(101)]},
                      "featureAdditions"),
    "a TTL of zero": ({"ttl": TtlDuration("Days", 0)}, "ttlDuration.value"),
    "a TTL of an unknown unit": ({"ttl": TtlDuration("Years", 1)}, "Years"),
}


@pytest.mark.parametrize("case", BAD_UPDATES)
def test_a_bad_update_is_refused_and_changes_nothing(backend, profiles, case):
    options, fragment = BAD_UPDATES[case]
    before = backend.describe_feature_group(profiles)

    refused(ValidationException, fragment, lambda: backend.update_feature_group(profiles, **options))

    after = backend.describe_feature_group(profiles)
    assert after["FeatureDefinitions"] == before["FeatureDefinitions"]
    assert after["OnlineStoreConfig"] == before["OnlineStoreConfig"]
    assert backend.feature_group_spec(profiles).features == PROFILES.features


def test_an_offline_only_group_takes_no_ttl(backend, feature_groups):
    group = feature_groups.create(replace(PROFILES, online_store=False)).name

    refused(ValidationException, "online store",
            lambda: backend.update_feature_group(group, ttl=TtlDuration("Days", 1)))


def test_updating_a_missing_group_is_resource_not_found(backend, unique_name):
    missing = unique_name("profiles")

    refused(ResourceNotFound, missing, lambda: backend.update_feature_group(missing, feature_additions=[CITY]))


# ---------------------------------------------------------------- feature metadata


def test_metadata_starts_empty_and_names_the_feature(backend, profiles):
    metadata = backend.describe_feature_metadata(profiles, "visits")

    assert (metadata["FeatureGroupName"], metadata["FeatureName"], metadata["FeatureType"]) == (
        profiles, "visits", "Integral")
    assert metadata["Parameters"] == []
    assert "Description" not in metadata


def test_a_description_and_parameters_are_added_in_order_and_removed_by_key(backend, profiles):
    backend.update_feature_metadata(profiles, "visits", description="visits this month",
                                    parameter_additions=[{"Key": "unit", "Value": "count"},
                                                         {"Key": "source", "Value": "web"}])
    backend.update_feature_metadata(profiles, "visits", parameter_additions=[{"Key": "unit", "Value": "visits"}],
                                    parameter_removals=["source"])

    metadata = backend.describe_feature_metadata(profiles, "visits")
    assert metadata["Description"] == "visits this month"  # kept: the second update gave none
    assert metadata["Parameters"] == [{"Key": "unit", "Value": "visits"}]
    assert backend.describe_feature_metadata(profiles, "event_time")["Parameters"] == []


BAD_METADATA = {
    "a description of 256 characters": ({"description": "d" * 256}, "description"),
    "26 parameters": ({"parameter_additions": [{"Key": f"k{i}", "Value": "v"} for i in range(26)]},
                      "parameterAdditions"),
    "a key with a forbidden character": ({"parameter_additions": [{"Key": "unit!", "Value": "v"}]}, "unit!"),
    "an empty value": ({"parameter_additions": [{"Key": "unit", "Value": ""}]}, "parameterAdditions.1.member.value"),
    "26 removals": ({"parameter_removals": [f"k{i}" for i in range(26)]}, "parameterRemovals"),
}


@pytest.mark.parametrize("case", BAD_METADATA)
def test_bad_metadata_is_refused_and_changes_nothing(backend, profiles, case):
    backend.update_feature_metadata(profiles, "visits", description="kept",
                                    parameter_additions=[{"Key": "unit", "Value": "count"}])
    options, fragment = BAD_METADATA[case]

    refused(ValidationException, fragment, lambda: backend.update_feature_metadata(profiles, "visits", **options))

    metadata = backend.describe_feature_metadata(profiles, "visits")
    assert (metadata["Description"], metadata["Parameters"]) == ("kept", [{"Key": "unit", "Value": "count"}])


def test_metadata_of_an_unknown_feature_or_group_is_resource_not_found(backend, profiles, unique_name):
    missing = unique_name("profiles")

    refused(ResourceNotFound, "colour", lambda: backend.describe_feature_metadata(profiles, "colour"))
    refused(ResourceNotFound, "colour",
            lambda: backend.update_feature_metadata(profiles, "colour", description="nope"))
    refused(ResourceNotFound, missing, lambda: backend.describe_feature_metadata(missing, "visits"))
