"""Every store combination through the whole lifecycle: online only, offline only, both.

A feature group may have an online store, an offline store or both. Each kind is created,
written, read where it can be read, has a record deleted, is deleted itself, and its name can
then be used again: the lifecycle a test suite's set-up and clean-up go through (the SageMaker
SDK's own integration tests delete online-only groups in their clean-up).
"""

from __future__ import annotations

from dataclasses import replace

import pytest

from featurestore_demo.errors import ValidationException
from featurestore_demo.schemas import USERS
from support import offline_rows

COMBINATIONS = {"online-only": (True, False), "offline-only": (False, True), "both": (True, True)}


@pytest.mark.parametrize("kind", COMBINATIONS)
def test_each_store_combination_goes_through_the_whole_lifecycle(backend, feature_groups, kind):
    online, offline = COMBINATIONS[kind]
    spec = feature_groups.create(replace(USERS, online_store=online, offline_store=offline))
    description = backend.describe_feature_group(spec.name)
    assert ("OfflineStoreConfig" in description) == offline
    assert description.get("OnlineStoreConfig", {}).get("EnableOnlineStore", False) == online

    backend.put_record(spec.name, {"user_id": "u1", "total_purchases": 2, "event_time": 10.0})
    backend.delete_record(spec.name, "u1", 20.0)
    if online:
        assert backend.get_record(spec.name, "u1") is None  # the delete is newer than the put
    else:
        with pytest.raises(ValidationException, match="no online store"):
            backend.get_record(spec.name, "u1")
    if offline:  # the put, then the delete marker
        catalog = description["OfflineStoreConfig"]["DataCatalogConfig"]
        assert backend.offline_table(spec.name) == f'"{catalog["Database"]}"."{catalog["TableName"]}"'
        assert offline_rows(backend, spec.name)["is_deleted"].tolist() == [False, True]
    else:
        with pytest.raises(ValidationException, match="no offline store"):
            backend.offline_table(spec.name)

    backend.delete_feature_group(spec.name)
    backend.wait_for_status(spec.name, "Deleted", timeout=120)
    assert spec.name not in [s["FeatureGroupName"] for s in backend.list_feature_groups(spec.name)]

    backend.create_feature_group(spec)  # the name is free again
    backend.wait_for_status(spec.name, "Created", timeout=120)
    if online:
        assert backend.get_record(spec.name, "u1") is None  # nothing of the old group survives online
