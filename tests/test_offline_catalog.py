"""The offline store's Glue table as CreateFeatureGroup configures it (SAGEMAKER_SPEC §1.2), on the local backend.

The DataCatalogConfig / DisableGlueTableCreation matrix of ``local_backend.catalog.new_description``,
the spec's round trip through the AWS shapes, Iceberg's rules, and the local offline store's own
limit (every table in ``AwsDataCatalog.sagemaker_featurestore``).
"""

from __future__ import annotations

from dataclasses import replace

import pytest

from featurestore_demo.errors import ValidationException
from featurestore_demo.schemas import USERS, DataCatalogConfig, FeatureDefinition, FeatureGroupSpec, OfflineStoreConfig
from local_backend import LocalBackend
from local_backend.catalog import new_description, table_of

T0 = 1_700_000_000.7
GIVEN = DataCatalogConfig("my_users", "sagemaker_featurestore", "AwsDataCatalog")
GENERATED = {"TableName": "users_1700000000", "Catalog": "AwsDataCatalog", "Database": "sagemaker_featurestore"}
MATRIX = {  # (DisableGlueTableCreation, DataCatalogConfig) -> the description's DataCatalogConfig
    "names generated": (False, None, GENERATED),
    "the given names, table created": (False, GIVEN, GIVEN.to_aws()),
    "the given names, your own table": (True, GIVEN, GIVEN.to_aws()),
    "no table at all": (True, None, None),
}


def _with(**config) -> FeatureGroupSpec:
    return replace(USERS, offline_config=OfflineStoreConfig(**config))


@pytest.mark.parametrize("case", MATRIX)
def test_new_description_follows_the_data_catalog_matrix(case):
    disable, catalog, expected = MATRIX[case]

    offline = new_description(_with(disable_glue_table_creation=disable, data_catalog=catalog),
                              T0, "us-east-1", "123456789012")["OfflineStoreConfig"]

    assert offline.get("DataCatalogConfig") == expected
    assert offline["DisableGlueTableCreation"] is disable
    assert offline["S3StorageConfig"]["ResolvedOutputS3Uri"].endswith("/123456789012/sagemaker/us-east-1/offline-store/"
                                                                      "users-1700000000/data")
    assert table_of({"OfflineStoreConfig": offline}) == (expected or {}).get("TableName", "")
    assert "TableFormat" not in offline and "KmsKeyId" not in offline["S3StorageConfig"]


def test_table_format_and_kms_key_are_described_when_given():
    spec = _with(table_format="Glue", kms_key_id="alias/offline")

    offline = new_description(spec, T0, "us-east-1", "123456789012")["OfflineStoreConfig"]

    assert offline["TableFormat"] == "Glue"
    assert offline["S3StorageConfig"]["KmsKeyId"] == "alias/offline"


@pytest.mark.parametrize("config", [
    OfflineStoreConfig(),
    OfflineStoreConfig(True, GIVEN, "Iceberg", "key"),
    OfflineStoreConfig(False, GIVEN, "Default"),
    OfflineStoreConfig(True),
])
def test_the_spec_round_trips_through_the_create_request(config):
    spec = replace(USERS, offline_config=config)

    request = spec.to_create_request(role_arn=None, s3_uri="s3://bucket/prefix")

    assert request["OfflineStoreConfig"]["DisableGlueTableCreation"] is config.disable_glue_table_creation
    assert FeatureGroupSpec.from_aws(request) == spec
    assert spec.with_name("other").offline_config == config


@pytest.mark.parametrize(("member", "catalog"), [
    ("Database", DataCatalogConfig("t", "my_database", "AwsDataCatalog")),
    ("Catalog", DataCatalogConfig("t", "sagemaker_featurestore", "OtherCatalog")),
])
def test_another_database_or_catalog_is_refused_by_the_local_store(tmp_path, member, catalog):
    with LocalBackend(tmp_path) as store:
        with pytest.raises(ValidationException, match=f"DataCatalogConfig.{member} '.*' is not supported here"):
            store.create_feature_group(_with(data_catalog=catalog))
        assert store.list_feature_groups() == []


ICEBERG_REFUSALS = {
    "creation disabled": (_with(table_format="Iceberg", disable_glue_table_creation=True),
                          "The Iceberg table format is only supported when DisableGlueTableCreation is set to False"),
    "a Fractional event time": (_with(table_format="Iceberg"),
                                "The Iceberg table format requires an event time feature of type String; "
                                "'event_time' is Fractional."),
    "an unknown format": (_with(table_format="Delta"),
                          "Value 'Delta' at 'offlineStoreConfig.tableFormat' failed to satisfy constraint: "
                          "Member must satisfy enum value set: [Default, Glue, Iceberg]"),
    "an empty table name": (_with(data_catalog=DataCatalogConfig("", "sagemaker_featurestore", "AwsDataCatalog")),
                            "Value '' at 'offlineStoreConfig.dataCatalogConfig.tableName' failed to satisfy "
                            "constraint: Member must have length greater than or equal to 1"),
}


@pytest.mark.parametrize("case", ICEBERG_REFUSALS)
def test_offline_configs_create_feature_group_refuses(tmp_path, case):
    spec, message = ICEBERG_REFUSALS[case]
    with LocalBackend(tmp_path) as store:
        with pytest.raises(ValidationException) as raised:
            store.create_feature_group(spec)
        assert message in str(raised.value)
        assert raised.value.code == "ValidationException"
        assert store.list_feature_groups() == []


def test_an_iceberg_group_with_a_string_event_time_is_created(tmp_path):
    features = tuple(FeatureDefinition(f.name, "String") if f.name == "event_time" else f for f in USERS.features)
    spec = replace(USERS, features=features, offline_config=OfflineStoreConfig(table_format="Iceberg"))
    with LocalBackend(tmp_path, clock=lambda: T0) as store:
        store.create_feature_group(spec)
        assert store.describe_feature_group("users")["OfflineStoreConfig"]["TableFormat"] == "Iceberg"
        assert store.offline_table("users") == '"sagemaker_featurestore"."users_1700000000"'


def test_a_given_table_name_is_the_table_to_query(tmp_path):
    with LocalBackend(tmp_path) as store:
        store.create_feature_group(_with(data_catalog=GIVEN))
        store.put_record("users", {"user_id": "u1", "event_time": 1.0})
        assert store.offline_table("users") == '"sagemaker_featurestore"."my_users"'
        assert store.query('SELECT user_id FROM "sagemaker_featurestore"."my_users"')["user_id"].tolist() == ["u1"]


def test_a_group_without_a_glue_table_has_nothing_to_query_but_keeps_its_offline_writes(tmp_path):
    with LocalBackend(tmp_path) as store:
        store.create_feature_group(_with(disable_glue_table_creation=True))
        store.put_record("users", {"user_id": "u1", "event_time": 1.0})
        with pytest.raises(ValidationException, match="has no Glue table") as raised:
            store.offline_table("users")
        assert raised.value.code == "ValidationException"
        assert store.get_record("users", "u1") == {"user_id": "u1", "event_time": 1.0}


def test_the_offline_config_survives_a_reopened_store(tmp_path):
    spec = _with(data_catalog=GIVEN, table_format="Glue")
    with LocalBackend(tmp_path) as store:
        store.create_feature_group(spec)
    with LocalBackend(tmp_path) as store:
        assert store.feature_group_spec("users").offline_config == spec.offline_config
