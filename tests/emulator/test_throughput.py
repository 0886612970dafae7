"""ThroughputConfig kept by CreateFeatureGroup and changed by UpdateFeatureGroup; the online
store's KMS key and the Description described (SAGEMAKER_SPEC §1.2, §1.5)."""

from __future__ import annotations

import pytest
from botocore.exceptions import ClientError

from emulator_helpers import create_request, unique_name, wait_created
from featurestore_demo.schemas import ThroughputConfig

PROVISIONED = {"ThroughputMode": "Provisioned", "ProvisionedReadCapacityUnits": 5, "ProvisionedWriteCapacityUnits": 6}


def _error(excinfo) -> tuple[str, str]:
    return excinfo.value.response["Error"]["Code"], excinfo.value.response["Error"]["Message"]


def created(sm, **extra) -> str:
    name = unique_name("tp")
    sm.create_feature_group(**create_request(name, **extra))
    wait_created(sm, name)
    return name


def offline_only(name: str, **extra) -> dict:
    request = create_request(name, **extra)
    del request["OnlineStoreConfig"]
    return request


def test_without_throughput_config_a_group_is_on_demand(sm) -> None:
    assert sm.describe_feature_group(FeatureGroupName=created(sm))["ThroughputConfig"] == {"ThroughputMode": "OnDemand"}


def test_provisioned_capacities_and_kms_key_and_description_are_described(sm) -> None:
    name = created(sm, ThroughputConfig=PROVISIONED, Description="scored users",
                   OnlineStoreConfig={"EnableOnlineStore": True, "SecurityConfig": {"KmsKeyId": "alias/online"}})
    description = sm.describe_feature_group(FeatureGroupName=name)
    assert description["ThroughputConfig"] == PROVISIONED
    assert description["OnlineStoreConfig"]["SecurityConfig"] == {"KmsKeyId": "alias/online"}
    assert description["Description"] == "scored users"


def test_offline_only_provisioned_needs_write_units_only(sm) -> None:
    name = unique_name("tp-off")
    sm.create_feature_group(**offline_only(name, ThroughputConfig={"ThroughputMode": "Provisioned",
                                                                   "ProvisionedWriteCapacityUnits": 3}))
    assert sm.describe_feature_group(FeatureGroupName=name)["ThroughputConfig"] == {
        "ThroughputMode": "Provisioned", "ProvisionedWriteCapacityUnits": 3}


@pytest.mark.parametrize(("request_", "message"), [
    (create_request("tp-bad", ThroughputConfig={"ThroughputMode": "OnDemand", "ProvisionedReadCapacityUnits": 1}),
     "ThroughputConfig.ProvisionedReadCapacityUnits is not applicable to a OnDemand feature group; leave it out."),
    (create_request("tp-bad", ThroughputConfig={"ThroughputMode": "Provisioned", "ProvisionedReadCapacityUnits": 1}),
     "ThroughputConfig.ProvisionedWriteCapacityUnits is required for a Provisioned feature group."),
    (create_request("tp-bad", ThroughputConfig={"ThroughputMode": "Provisioned", "ProvisionedWriteCapacityUnits": 1}),
     "ThroughputConfig.ProvisionedReadCapacityUnits is required for a Provisioned feature group with an online "
     "store."),
    (offline_only("tp-bad", ThroughputConfig=PROVISIONED),
     "ThroughputConfig.ProvisionedReadCapacityUnits is not applicable to a Provisioned feature group without an "
     "online store; leave it out."),
    (create_request("tp-bad", ThroughputConfig=PROVISIONED,
                    OnlineStoreConfig={"EnableOnlineStore": True, "StorageType": "InMemory"}),
     "Provisioned throughput is supported only for feature groups that are offline-only or use the Standard tier "
     "online store; this group's OnlineStoreConfig.StorageType is InMemory. Use ThroughputMode OnDemand."),
    (create_request("tp-bad", ThroughputConfig={"ThroughputMode": "Fast"}),
     "1 validation error detected: Value 'Fast' at 'throughputConfig.throughputMode' failed to satisfy constraint: "
     "Member must satisfy enum value set: [OnDemand, Provisioned]"),
    (create_request("tp-bad", ThroughputConfig={**PROVISIONED, "ProvisionedWriteCapacityUnits": 10_000_001}),
     "1 validation error detected: Value '10000001' at 'throughputConfig.provisionedWriteCapacityUnits' failed to "
     "satisfy constraint: Member must have value less than or equal to 10000000"),
])
def test_bad_throughput_creates_nothing(sm, request_, message) -> None:
    with pytest.raises(ClientError) as excinfo:
        sm.create_feature_group(**request_)
    assert _error(excinfo) == ("ValidationException", message)
    with pytest.raises(sm.exceptions.ResourceNotFound):
        sm.describe_feature_group(FeatureGroupName="tp-bad")


def test_update_switches_modes_and_keeps_capacities_not_named(sm) -> None:
    name = created(sm)
    sm.update_feature_group(FeatureGroupName=name, ThroughputConfig=PROVISIONED)
    assert sm.describe_feature_group(FeatureGroupName=name)["ThroughputConfig"] == PROVISIONED
    sm.update_feature_group(FeatureGroupName=name, ThroughputConfig={"ProvisionedReadCapacityUnits": 9})
    description = sm.describe_feature_group(FeatureGroupName=name)
    assert description["ThroughputConfig"] == {**PROVISIONED, "ProvisionedReadCapacityUnits": 9}
    assert description["LastUpdateStatus"] == {"Status": "Successful"}
    sm.update_feature_group(FeatureGroupName=name, ThroughputConfig={"ThroughputMode": "OnDemand"})
    assert sm.describe_feature_group(FeatureGroupName=name)["ThroughputConfig"] == {"ThroughputMode": "OnDemand"}


@pytest.mark.parametrize(("update", "message"), [
    ({"ThroughputMode": "Provisioned", "ProvisionedReadCapacityUnits": 2},
     "ThroughputConfig.ProvisionedWriteCapacityUnits is required for a Provisioned feature group."),
    ({"ProvisionedWriteCapacityUnits": 2},
     "ThroughputConfig.ProvisionedWriteCapacityUnits is not applicable to a OnDemand feature group; leave it out."),
    ({"ThroughputMode": "Slow"}, "1 validation error detected: Value 'Slow' at 'throughputConfig.throughputMode' "
                                 "failed to satisfy constraint: Member must satisfy enum value set: "
                                 "[OnDemand, Provisioned]"),
])
def test_bad_throughput_update_changes_nothing(sm, update, message) -> None:
    name = created(sm)
    with pytest.raises(ClientError) as excinfo:
        sm.update_feature_group(FeatureGroupName=name, ThroughputConfig=update)
    assert _error(excinfo) == ("ValidationException", message)
    description = sm.describe_feature_group(FeatureGroupName=name)
    assert description["ThroughputConfig"] == {"ThroughputMode": "OnDemand"} and "LastUpdateStatus" not in description


def test_throughput_on_every_backend(store) -> None:
    from dataclasses import replace

    from featurestore_demo.schemas import USERS

    spec = replace(USERS, name=unique_name("tpstore"), throughput=ThroughputConfig("Provisioned", 4, 5))
    store.create_feature_group(spec)
    store.wait_for_status(spec.name)
    assert store.describe_feature_group(spec.name)["ThroughputConfig"] == {
        "ThroughputMode": "Provisioned", "ProvisionedReadCapacityUnits": 4, "ProvisionedWriteCapacityUnits": 5}
    store.update_feature_group(spec.name, throughput=ThroughputConfig(None, None, 8))
    assert store.describe_feature_group(spec.name)["ThroughputConfig"]["ProvisionedWriteCapacityUnits"] == 8
    assert store.feature_group_spec(spec.name).throughput == ThroughputConfig("Provisioned", 4, 8)
