"""Step 1: create feature groups.

A feature group is a table of features with two special columns: the *record identifier*
(which entity a row describes, e.g. ``user_id``) and the *event time* (when the values were
true). It can have two stores:

- the **online store** keeps only the latest record per identifier, for millisecond reads at
  inference time;
- the **offline store** keeps every version ever written, as a table that Athena queries (Glue
  database ``sagemaker_featurestore`` in catalog ``AwsDataCatalog``), for training sets.

Creation is asynchronous on AWS (``Creating`` -> ``Created``), so code polls
DescribeFeatureGroup before using a new group. The demo makes three groups: ``users`` and
``products`` with both stores, ``transactions`` offline only (they are the labels).
"""

from __future__ import annotations

import re

from featurestore_demo import create_feature_groups
from featurestore_demo.schemas import FeatureGroupSpec

OFFLINE_COLUMNS = ["write_time", "api_invocation_time", "is_deleted"]


def test_the_step_creates_three_groups_that_reach_created(step_context):
    create_feature_groups.run(step_context)

    # ListFeatureGroups filters by a substring of the name: our unique prefix.
    listed = step_context.backend.list_feature_groups(step_context.settings.prefix)
    expected = sorted(spec.name for spec in step_context.demo_specs())
    assert sorted(summary["FeatureGroupName"] for summary in listed) == expected
    assert {summary["FeatureGroupStatus"] for summary in listed} == {"Created"}


def test_describe_returns_the_schema_that_was_asked_for(step_context):
    create_feature_groups.run(step_context)
    backend = step_context.backend

    for spec in step_context.demo_specs():
        description = backend.describe_feature_group(spec.name)
        # The spec round-trips: what DescribeFeatureGroup says is what we created.
        assert FeatureGroupSpec.from_aws(description).features == spec.features
        assert backend.feature_group_spec(spec.name) == spec
        assert description["RecordIdentifierFeatureName"] == spec.record_identifier_name
        assert description["EventTimeFeatureName"] == "event_time"
        assert re.fullmatch(
            rf"arn:aws[a-z-]*:sagemaker:[a-z0-9-]+:\d{{12}}:feature-group/{re.escape(spec.name.lower())}",
            description["FeatureGroupArn"],
        )
        online = (description.get("OnlineStoreConfig") or {}).get("EnableOnlineStore", False)
        assert online is spec.online_store


def test_transactions_have_no_online_store(step_context):
    create_feature_groups.run(step_context)
    description = step_context.backend.describe_feature_group(step_context.transactions.name)

    # Labels are only ever read in bulk for training, so an online store would be wasted.
    assert not (description.get("OnlineStoreConfig") or {}).get("EnableOnlineStore", False)
    assert description["OfflineStoreStatus"]["Status"] == "Active"


def test_each_offline_store_is_an_empty_athena_table_with_three_extra_columns(step_context):
    create_feature_groups.run(step_context)

    for spec in step_context.demo_specs():
        catalog = step_context.backend.describe_feature_group(spec.name)["OfflineStoreConfig"]["DataCatalogConfig"]
        assert catalog["Catalog"] == "AwsDataCatalog"
        assert catalog["Database"] == "sagemaker_featurestore"
        # AWS names the table after the group, lowercased, with underscores (Athena style).
        assert catalog["TableName"].startswith(spec.name.lower().replace("-", "_"))

        table = step_context.backend.query(f"SELECT * FROM {step_context.backend.offline_table(spec.name)}")
        # The features in definition order, then the three columns the service adds to every row.
        assert list(table.columns) == spec.feature_names + OFFLINE_COLUMNS
        assert len(table) == 0


def test_the_step_keeps_groups_that_exist_already(step_context):
    create_feature_groups.run(step_context)
    first = {spec.name: step_context.backend.describe_feature_group(spec.name)["CreationTime"]
             for spec in step_context.demo_specs()}

    create_feature_groups.run(step_context)  # a second run: ResourceInUse is caught, groups kept

    again = {spec.name: step_context.backend.describe_feature_group(spec.name)["CreationTime"]
             for spec in step_context.demo_specs()}
    assert again == first
