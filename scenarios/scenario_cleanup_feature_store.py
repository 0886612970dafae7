"""Step 6: clean up.

DeleteFeatureGroup removes a group and its online store at once: reads fail from then on
with ResourceNotFound. On AWS the offline data in S3 and the Glue table outlive the group
unless you remove them; the kit's cleanup step removes them too, so a new group of the same
name starts empty. Cleaning up twice is harmless: a group that is already gone is skipped.
"""

from __future__ import annotations

from dataclasses import replace

import pytest
from rich.console import Console

from featurestore_demo import cleanup_feature_store, create_feature_groups
from featurestore_demo.errors import ResourceNotFound, ValidationException
from featurestore_demo.schemas import USERS


@pytest.fixture
def demo(fresh_demo):
    """Every scenario here deletes the demo groups, so each gets its own demo."""
    return fresh_demo


def test_cleanup_deletes_every_demo_group(demo):
    cleanup_feature_store.run(demo)

    assert demo.backend.list_feature_groups(demo.settings.prefix) == []
    for spec in demo.demo_specs():
        with pytest.raises(ResourceNotFound, match=spec.name) as raised:
            demo.backend.describe_feature_group(spec.name)
        assert raised.value.code == "ResourceNotFound"


def test_the_online_store_is_gone_at_once(demo):
    assert demo.backend.get_record(demo.users.name, "user_0001") is not None

    cleanup_feature_store.run(demo)

    with pytest.raises(ResourceNotFound):
        demo.backend.get_record(demo.users.name, "user_0001")


def test_the_offline_table_is_removed_too(demo):
    catalog = demo.backend.describe_feature_group(demo.users.name)["OfflineStoreConfig"]["DataCatalogConfig"]
    table = demo.backend.offline_table(demo.users.name)

    cleanup_feature_store.run(demo)

    with pytest.raises(ValidationException, match=catalog["TableName"]) as raised:
        demo.backend.query(f"SELECT COUNT(*) FROM {table}")
    assert raised.value.code == "ValidationException"


def test_cleanup_says_which_tables_and_rows_it_removes(demo):
    tables = {spec.name: demo.backend.offline_table(spec.name) for spec in demo.demo_specs()}
    rows = demo.backend.query(f"SELECT COUNT(*) AS n FROM {tables[demo.users.name]}")["n"].iloc[0]
    console = Console(record=True, width=400)

    cleanup_feature_store.run(replace(demo, console=console))

    lines = console.export_text().splitlines()
    for name, table in tables.items():
        line = next(line for line in lines if f" {name} " in line)
        assert table in line and "deleted" in line
    assert f"{int(rows):,}" in next(line for line in lines if f" {demo.users.name} " in line)


def test_a_group_created_again_starts_empty(demo):
    cleanup_feature_store.run(demo)

    create_feature_groups.run(demo)

    assert demo.backend.get_record(demo.users.name, "user_0001") is None
    rows = demo.backend.query(f"SELECT COUNT(*) AS n FROM {demo.backend.offline_table(demo.users.name)}")
    assert int(rows.loc[0, "n"]) == 0


def test_cleaning_up_twice_is_harmless(demo):
    cleanup_feature_store.run(demo)
    cleanup_feature_store.run(demo)  # every group is "not found (nothing to do)"

    assert demo.backend.list_feature_groups(demo.settings.prefix) == []


def test_cleanup_leaves_other_groups_alone(demo, feature_groups):
    bystander = feature_groups.create(USERS)

    cleanup_feature_store.run(demo)

    assert [s["FeatureGroupName"] for s in demo.backend.list_feature_groups(bystander.name)] == [bystander.name]
