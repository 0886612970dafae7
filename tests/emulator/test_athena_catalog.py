"""Athena's workgroup and data catalog through the emulator, with boto3: the shapes of botocore's
model, the feature groups' tables and external tables, pages, and the errors AWS answers."""

from __future__ import annotations

from datetime import datetime

import botocore.session
import pytest
from botocore.exceptions import ClientError

from emulator_helpers import athena_call, output_misfits, run_query, state, unique_name
from local_backend.athena_guard import INTERNAL_SCHEMAS

CATALOG = "AwsDataCatalog"
MODEL = botocore.session.get_session().get_service_model("athena")
FEATURE_GROUP_COLUMNS = [  # emulator_helpers.create_request's features, then the offline store's own
    {"Name": "id", "Type": "string"}, {"Name": "age", "Type": "bigint"}, {"Name": "score", "Type": "double"},
    {"Name": "event_time", "Type": "double"}, {"Name": "write_time", "Type": "timestamp"},
    {"Name": "api_invocation_time", "Type": "timestamp"}, {"Name": "is_deleted", "Type": "boolean"},
]


def _error(call, **kwargs) -> tuple[str, str]:
    with pytest.raises(ClientError) as raised:
        call(**kwargs)
    error = raised.value.response["Error"]
    return error["Code"], error["Message"]


def _external_table(athena, s3, database: str, table: str, columns: str = "`n` bigint, `s` string",
                    row: bytes = b'"1","a"') -> None:
    key = f"catalog/{database}/{table}/part-0.csv"
    s3.put_object(Bucket="featurestore-demo-emulator", Key=key, Body=row + b"\n")
    ddl = run_query(athena, f"CREATE EXTERNAL TABLE {database}.{table} ({columns}) "
                            f"LOCATION 's3://featurestore-demo-emulator/catalog/{database}/{table}/'")
    assert ddl["Status"]["State"] == "SUCCEEDED", ddl["Status"]


@pytest.fixture
def table(sm, group) -> str:
    return sm.describe_feature_group(FeatureGroupName=group)["OfflineStoreConfig"]["DataCatalogConfig"]["TableName"]


# ---------------------------------------------------------------- workgroups


def test_the_primary_workgroup_is_enabled_on_engine_3_with_no_result_location(athena):
    workgroup = athena.get_work_group(WorkGroup="primary")["WorkGroup"]
    created = workgroup.pop("CreationTime")
    assert isinstance(created, datetime) and created.tzinfo is not None
    assert workgroup == {
        "Name": "primary", "State": "ENABLED", "Description": "",
        "Configuration": {
            "ResultConfiguration": {}, "EnforceWorkGroupConfiguration": False,
            "PublishCloudWatchMetricsEnabled": False, "RequesterPaysEnabled": False,
            "EngineVersion": {"SelectedEngineVersion": "AUTO", "EffectiveEngineVersion": "Athena engine version 3"},
            "EnableMinimumEncryptionConfiguration": False,
        },
    }
    listed = athena.list_work_groups()
    assert "NextToken" not in listed
    assert listed["WorkGroups"] == [{
        "Name": "primary", "State": "ENABLED", "Description": "", "CreationTime": created,
        "EngineVersion": {"SelectedEngineVersion": "AUTO", "EffectiveEngineVersion": "Athena engine version 3"},
    }]


@pytest.mark.parametrize("call, request_", [
    ("get_work_group", {"WorkGroup": "analytics"}),
    ("get_work_group", {"WorkGroup": "Primary"}),
    ("list_data_catalogs", {"WorkGroup": "analytics"}),
    ("list_databases", {"CatalogName": CATALOG, "WorkGroup": "analytics"}),
    ("get_table_metadata", {"CatalogName": CATALOG, "DatabaseName": "default", "TableName": "t", "WorkGroup": "x"}),
    ("list_query_executions", {"WorkGroup": "analytics"}),
])
def test_another_workgroup_is_not_found(athena, call, request_):
    assert _error(getattr(athena, call), **request_) == ("InvalidRequestException", "WorkGroup is not found.")


def test_a_query_in_another_workgroup_is_refused_and_starts_nothing(emulator, athena, kept):
    before, executions = state(emulator, kept), athena.list_query_executions()["QueryExecutionIds"]
    code, message = _error(athena.start_query_execution, QueryString="SELECT 1", WorkGroup="analytics",
                           ResultConfiguration={"OutputLocation": "s3://featurestore-demo-emulator/athena"})
    assert (code, message) == ("InvalidRequestException", "WorkGroup is not found.")
    assert athena.list_query_executions()["QueryExecutionIds"] == executions
    assert state(emulator, kept) == before


def test_a_workgroup_name_must_match_the_models_pattern(athena):
    pattern = MODEL.shape_for("WorkGroupName").metadata["pattern"]
    code, message = _error(athena.get_work_group, WorkGroup="no spaces!")
    assert code == "InvalidRequestException"
    assert message == ("1 validation error detected: Value 'no spaces!' at 'workGroup' failed to satisfy "
                       f"constraint: Member must satisfy regular expression pattern: {pattern}")


# ---------------------------------------------------------------- data catalogs


def test_the_one_data_catalog_is_aws_data_catalog_of_type_glue(athena):
    assert athena.list_data_catalogs()["DataCatalogsSummary"] == [{"CatalogName": CATALOG, "Type": "GLUE"}]
    assert athena.get_data_catalog(Name=CATALOG)["DataCatalog"] == {
        "Name": CATALOG, "Type": "GLUE", "Parameters": {"catalog-id": "123456789012"}}
    assert "GLUE" in MODEL.shape_for("DataCatalogType").enum


@pytest.mark.parametrize("call, request_", [
    ("get_data_catalog", {"Name": "hive_catalog"}),
    ("list_databases", {"CatalogName": "hive_catalog"}),
    ("get_database", {"CatalogName": "hive_catalog", "DatabaseName": "sagemaker_featurestore"}),
    ("list_table_metadata", {"CatalogName": "hive_catalog", "DatabaseName": "sagemaker_featurestore"}),
    ("get_table_metadata", {"CatalogName": "hive_catalog", "DatabaseName": "default", "TableName": "t"}),
])
def test_another_catalog_is_not_found(athena, call, request_):
    assert _error(getattr(athena, call), **request_) == ("InvalidRequestException",
                                                         "DataCatalog hive_catalog was not found.")


def test_catalog_names_are_case_insensitive(athena):
    names = [d["Name"] for d in athena.list_databases(CatalogName="awsdatacatalog")["DatabaseList"]]
    assert "sagemaker_featurestore" in names


# ---------------------------------------------------------------- databases


def test_databases_are_default_the_feature_store_and_external_ones_never_the_kits(athena, s3, group):
    database = unique_name("labels").replace("-", "_")
    _external_table(athena, s3, database, "events")
    names = [d["Name"] for d in athena.get_paginator("list_databases").paginate(CatalogName=CATALOG)
             .build_full_result()["DatabaseList"]]
    assert {"default", "sagemaker_featurestore", database} <= set(names)
    assert names == sorted(names) and not set(names) & INTERNAL_SCHEMAS
    for name in names:
        assert athena.get_database(CatalogName=CATALOG, DatabaseName=name)["Database"] == {"Name": name}
    assert athena.get_database(CatalogName=CATALOG, DatabaseName="SageMaker_FeatureStore")["Database"] == {
        "Name": "sagemaker_featurestore"}
    names_only = athena.list_databases(CatalogName=CATALOG, AttributesToGet=["NAME"])["DatabaseList"]
    assert [d["Name"] for d in names_only] == names[:50]


@pytest.mark.parametrize("schema", [*sorted(INTERNAL_SCHEMAS), "nowhere"])
def test_an_unknown_or_internal_database_is_not_found(emulator, athena, kept, schema):
    before = state(emulator, kept)
    expected = ("MetadataException", f"Database {schema} not found. (Service: AmazonDataCatalog; "
                                     "Status Code: 400; Error Code: EntityNotFoundException)")
    assert _error(athena.get_database, CatalogName=CATALOG, DatabaseName=schema) == expected
    assert _error(athena.list_table_metadata, CatalogName=CATALOG, DatabaseName=schema) == expected
    assert _error(athena.get_table_metadata, CatalogName=CATALOG, DatabaseName=schema,
                  TableName="feature_groups") == expected
    assert state(emulator, kept) == before


# ---------------------------------------------------------------- tables


def test_a_feature_groups_table_shows_its_columns_as_athena_types(sm, athena, group, table):
    description = sm.describe_feature_group(FeatureGroupName=group)
    metadata = athena.get_table_metadata(CatalogName=CATALOG, DatabaseName="sagemaker_featurestore",
                                         TableName=table)["TableMetadata"]
    assert metadata == {
        "Name": table, "CreateTime": description["CreationTime"], "TableType": "EXTERNAL_TABLE",
        "Columns": FEATURE_GROUP_COLUMNS, "PartitionKeys": [],
        "Parameters": {
            "EXTERNAL": "TRUE", "classification": "parquet",
            "inputformat": "org.apache.hadoop.hive.ql.io.parquet.MapredParquetInputFormat",
            "outputformat": "org.apache.hadoop.hive.ql.io.parquet.MapredParquetOutputFormat",
            "serde.serialization.lib": "org.apache.hadoop.hive.ql.io.parquet.serde.ParquetHiveSerDe",
            "location": description["OfflineStoreConfig"]["S3StorageConfig"]["ResolvedOutputS3Uri"],
        },
    }
    listed = athena.get_paginator("list_table_metadata").paginate(
        CatalogName=CATALOG, DatabaseName="sagemaker_featurestore").build_full_result()["TableMetadataList"]
    assert [t for t in listed if t["Name"] == table] == [metadata]


def test_a_feature_group_added_feature_shows_in_its_table(sm, athena, group, table):
    sm.update_feature_group(FeatureGroupName=group, FeatureAdditions=[{"FeatureName": "City", "FeatureType": "String"}])
    columns = athena.get_table_metadata(CatalogName=CATALOG, DatabaseName="sagemaker_featurestore",
                                        TableName=table)["TableMetadata"]["Columns"]
    assert columns == [*FEATURE_GROUP_COLUMNS[:4], {"Name": "city", "Type": "string"}, *FEATURE_GROUP_COLUMNS[4:]]


def test_an_external_table_shows_its_declared_types(athena, s3):
    database = unique_name("typed").replace("-", "_")
    _external_table(athena, s3, database, "Mixed_Case",
                    "`n` bigint, `i` int, `s` string, `d` double, `b` boolean, `t` timestamp, `dt` date, "
                    "`m` decimal(10,2)", b'"1","2","a","0.5","true","2024-01-01 00:00:00","2024-01-01","1.25"')
    metadata = athena.get_table_metadata(CatalogName=CATALOG, DatabaseName=database,
                                         TableName="mixed_case")["TableMetadata"]
    assert metadata == {
        "Name": "mixed_case", "TableType": "EXTERNAL_TABLE", "PartitionKeys": [], "Parameters": {"EXTERNAL": "TRUE"},
        "Columns": [{"Name": n, "Type": t} for n, t in [("n", "bigint"), ("i", "int"), ("s", "string"),
                                                          ("d", "double"), ("b", "boolean"), ("t", "timestamp"),
                                                          ("dt", "date"), ("m", "decimal(10,2)")]],
    }


def test_list_table_metadata_pages_filters_and_names_only(athena, s3):
    database = unique_name("paged").replace("-", "_")
    for name in ("t1", "t2", "t3", "other"):
        _external_table(athena, s3, database, name)
    first = athena.list_table_metadata(CatalogName=CATALOG, DatabaseName=database, MaxResults=3)
    assert [t["Name"] for t in first["TableMetadataList"]] == ["other", "t1", "t2"]
    second = athena.list_table_metadata(CatalogName=CATALOG, DatabaseName=database, MaxResults=3,
                                        NextToken=first["NextToken"])
    assert [t["Name"] for t in second["TableMetadataList"]] == ["t3"] and "NextToken" not in second
    matched = athena.list_table_metadata(CatalogName=CATALOG, DatabaseName=database, Expression="T[12]")
    assert [t["Name"] for t in matched["TableMetadataList"]] == ["t1", "t2"]
    names = athena.list_table_metadata(CatalogName=CATALOG, DatabaseName=database, AttributesToGet=["NAME"])
    assert names["TableMetadataList"] == [{"Name": n} for n in ("other", "t1", "t2", "t3")]
    typed = athena.list_table_metadata(CatalogName=CATALOG, DatabaseName=database,
                                       AttributesToGet=["NAME", "TABLE_TYPE"], MaxResults=1)
    assert typed["TableMetadataList"] == [{"Name": "other", "TableType": "EXTERNAL_TABLE"}]
    assert athena.list_table_metadata(CatalogName=CATALOG, DatabaseName="default",
                                      Expression="no_such_.*")["TableMetadataList"] == []


@pytest.mark.parametrize("request_, message", [
    ({"MaxResults": MODEL.shape_for("MaxTableMetadataCount").metadata["max"] + 1},
     "Member must have value less than or equal to 50"),
    ({"AttributesToGet": ["TABLE_TYPE"]}, "AttributesToGet must include NAME."),
    ({"AttributesToGet": ["NAME", "COLUMNS"]}, "Member must satisfy enum value set: [NAME, TABLE_TYPE]"),
    ({"Expression": "(unclosed"}, "is not a valid regular expression"),
    ({"NextToken": "not-a-token"}, "Invalid NextToken"),
])
def test_bad_list_table_metadata_requests_are_invalid(athena, request_, message):
    code, text = _error(athena.list_table_metadata, CatalogName=CATALOG, DatabaseName="default", **request_)
    assert code == "InvalidRequestException" and message in text


def test_an_unknown_table_is_an_entity_not_found_metadata_exception(emulator, athena, kept):
    before = state(emulator, kept)
    assert _error(athena.get_table_metadata, CatalogName=CATALOG, DatabaseName="sagemaker_featurestore",
                  TableName="no_such_table") == (
        "MetadataException",
        "Entity Not Found (Service: AmazonDataCatalog; Status Code: 400; Error Code: EntityNotFoundException)")
    assert state(emulator, kept) == before


def test_a_dropped_external_table_leaves_the_catalog(athena, s3):
    database = unique_name("dropped").replace("-", "_")
    _external_table(athena, s3, database, "gone")
    assert run_query(athena, f"DROP TABLE {database}.gone")["Status"]["State"] == "SUCCEEDED"
    assert athena.list_table_metadata(CatalogName=CATALOG, DatabaseName=database)["TableMetadataList"] == []
    assert _error(athena.get_table_metadata, CatalogName=CATALOG, DatabaseName=database,
                  TableName="gone")[0] == "MetadataException"


# ---------------------------------------------------------------- the model's shapes, strictly


def test_every_catalog_answer_fits_the_models_output_shape(emulator, table):
    requests = {
        "GetWorkGroup": {"WorkGroup": "primary"},
        "ListWorkGroups": {},
        "ListDataCatalogs": {},
        "GetDataCatalog": {"Name": CATALOG},
        "ListDatabases": {"CatalogName": CATALOG},
        "GetDatabase": {"CatalogName": CATALOG, "DatabaseName": "sagemaker_featurestore"},
        "ListTableMetadata": {"CatalogName": CATALOG, "DatabaseName": "sagemaker_featurestore", "MaxResults": 2},
        "GetTableMetadata": {"CatalogName": CATALOG, "DatabaseName": "sagemaker_featurestore", "TableName": table},
    }
    for operation, body in requests.items():
        status, answer = athena_call(emulator, operation, body)
        assert status == 200, (operation, answer)
        assert output_misfits("athena", operation, answer) == [], operation


@pytest.mark.parametrize("operation, body, code", [
    ("GetWorkGroup", {"WorkGroup": "analytics"}, "InvalidRequestException"),
    ("GetWorkGroup", {}, "InvalidRequestException"),
    ("GetDatabase", {"CatalogName": CATALOG, "DatabaseName": "nowhere"}, "MetadataException"),
    ("ListDatabases", {"CatalogName": ""}, "InvalidRequestException"),
])
def test_errors_carry_a_code_of_the_operations_error_shapes(emulator, operation, body, code):
    status, answer = athena_call(emulator, operation, body)
    assert (status, answer["__type"]) == (400, code) and answer["Message"]
    assert code in [error.name for error in MODEL.operation_model(operation).error_shapes]
