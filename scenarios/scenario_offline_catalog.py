"""Where the offline store is catalogued: the Glue table behind Athena.

CreateFeatureGroup makes a Glue table for the offline store, in the database
``sagemaker_featurestore``, so Athena can query the Parquet files SageMaker writes to S3. Two
members of ``OfflineStoreConfig`` decide which table (SAGEMAKER_SPEC §1.2):

- neither: SageMaker generates the table name (lowercase, underscores, the creation epoch);
- a ``DataCatalogConfig``: the table gets the names you give;
- ``DisableGlueTableCreation`` with a DataCatalogConfig: you bring the table, SageMaker only
  records its names;
- ``DisableGlueTableCreation`` alone: no table at all; the data is still written to S3.

``TableFormat="Iceberg"`` needs the table to be created (DisableGlueTableCreation False) and a
String event time. DescribeFeatureGroup's ``DataCatalogConfig`` is always the table to query.
"""

from __future__ import annotations

import re
from dataclasses import replace

import pytest

from featurestore_demo.errors import ValidationException
from featurestore_demo.schemas import USERS, DataCatalogConfig, FeatureDefinition, OfflineStoreConfig

DATABASE = "sagemaker_featurestore"


def _given(unique_name) -> DataCatalogConfig:
    """A table name no other run uses, as Athena recommends them: lowercase with underscores."""
    return DataCatalogConfig(unique_name("users").replace("-", "_"), DATABASE, "AwsDataCatalog")


def test_a_given_table_name_is_the_table_athena_queries(backend, feature_groups, unique_name):
    catalog = _given(unique_name)
    spec = feature_groups.create(replace(USERS, offline_config=OfflineStoreConfig(data_catalog=catalog)))

    offline = backend.describe_feature_group(spec.name)["OfflineStoreConfig"]
    assert offline["DataCatalogConfig"] == catalog.to_aws()
    assert offline["DisableGlueTableCreation"] is False
    assert backend.offline_table(spec.name) == f'"{DATABASE}"."{catalog.table_name}"'
    backend.put_record(spec.name, {"user_id": "u1", "age": 30, "event_time": 10.0})
    rows = backend.query(f"SELECT user_id, age FROM {backend.offline_table(spec.name)}")
    assert rows.values.tolist() == [["u1", 30]]


def test_without_glue_table_creation_or_names_there_is_no_table(backend, feature_groups):
    spec = feature_groups.create(
        replace(USERS, offline_config=OfflineStoreConfig(disable_glue_table_creation=True)))

    offline = backend.describe_feature_group(spec.name)["OfflineStoreConfig"]
    assert offline["DisableGlueTableCreation"] is True
    assert "DataCatalogConfig" not in offline
    backend.put_record(spec.name, {"user_id": "u1", "event_time": 10.0})  # still written, online and to S3
    assert backend.get_record(spec.name, "u1") == {"user_id": "u1", "event_time": 10.0}
    with pytest.raises(ValidationException, match="has no Glue table") as raised:
        backend.offline_table(spec.name)
    assert raised.value.code == "ValidationException"


def test_bringing_your_own_table_records_its_names(backend, feature_groups, unique_name):
    catalog = _given(unique_name)
    config = OfflineStoreConfig(disable_glue_table_creation=True, data_catalog=catalog)
    spec = feature_groups.create(replace(USERS, offline_config=config))

    offline = backend.describe_feature_group(spec.name)["OfflineStoreConfig"]
    assert offline["DataCatalogConfig"] == catalog.to_aws()
    assert offline["DisableGlueTableCreation"] is True
    assert backend.offline_table(spec.name) == f'"{DATABASE}"."{catalog.table_name}"'


def _iceberg(event_type: str, disable: bool):
    features = tuple(FeatureDefinition(f.name, event_type) if f.name == "event_time" else f for f in USERS.features)
    config = OfflineStoreConfig(disable_glue_table_creation=disable, table_format="Iceberg")
    return replace(USERS, features=features, offline_config=config)


@pytest.mark.parametrize(("spec", "fragment"), [
    (_iceberg("String", disable=True),
     "The Iceberg table format is only supported when DisableGlueTableCreation is set to False"),
    (_iceberg("Fractional", disable=False),
     "The Iceberg table format requires an event time feature of type String; 'event_time' is Fractional."),
], ids=["creation disabled", "fractional event time"])
def test_iceberg_needs_glue_table_creation_and_a_string_event_time(backend, unique_name, spec, fragment):
    named = spec.with_name(unique_name("iceberg"))

    with pytest.raises(ValidationException, match=re.escape(fragment)) as raised:
        backend.create_feature_group(named)

    assert raised.value.code == "ValidationException"
    assert backend.list_feature_groups(named.name) == []


def test_an_iceberg_group_describes_its_table_format(backend, feature_groups):
    spec = feature_groups.create(_iceberg("String", disable=False))

    offline = backend.describe_feature_group(spec.name)["OfflineStoreConfig"]

    assert offline["TableFormat"] == "Iceberg"
    assert offline["DataCatalogConfig"]["Database"] == DATABASE
