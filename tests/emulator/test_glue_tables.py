"""The Glue Data Catalog of feature groups through the emulator, with plain boto3.

CreateFeatureGroup follows the DataCatalogConfig / DisableGlueTableCreation matrix (SAGEMAKER_SPEC
§1.2) and makes the group's Glue table when SageMaker would; DeleteFeatureGroup leaves the offline
data and the Glue table (§1.5); Glue's DeleteTable then removes the Athena table too.
"""

from __future__ import annotations

import json

import pytest
from botocore.exceptions import ClientError

from emulator_helpers import create_request, parse_response, record, run_query, send_bytes, unique_name, wait_created
from local_backend.emulator.glue_tables import GlueTables
from scenarios.emulator_backend import fake_session

DATABASE = "sagemaker_featurestore"
COLUMNS = [  # create_request's features with their Athena types, then the offline store's own columns
    {"Name": "id", "Type": "string"}, {"Name": "age", "Type": "bigint"}, {"Name": "score", "Type": "double"},
    {"Name": "event_time", "Type": "double"}, {"Name": "write_time", "Type": "timestamp"},
    {"Name": "api_invocation_time", "Type": "timestamp"}, {"Name": "is_deleted", "Type": "boolean"},
]
PARQUET_SERDE = "org.apache.hadoop.hive.ql.io.parquet.serde.ParquetHiveSerDe"


@pytest.fixture(scope="module")
def glue(emulator):
    return fake_session(emulator).client("glue", endpoint_url=emulator.url)


def _offline(**members) -> dict:
    return {"OfflineStoreConfig": {"S3StorageConfig": {"S3Uri": "s3://featurestore-demo-emulator/offline"},
                                   **members}}


def _catalog(table: str) -> dict:
    return {"TableName": table, "Catalog": "AwsDataCatalog", "Database": DATABASE}


def _created(sm, name: str, **request) -> dict:
    sm.create_feature_group(**create_request(name, **request))
    wait_created(sm, name)
    return sm.describe_feature_group(FeatureGroupName=name)


def _error(call, **kwargs) -> tuple[str, str]:
    with pytest.raises(ClientError) as raised:
        call(**kwargs)
    return raised.value.response["Error"]["Code"], raised.value.response["Error"]["Message"]


def _generated(name: str, description: dict) -> str:
    return f"{name.replace('-', '_')}_{int(description['CreationTime'].timestamp())}"


# ---------------------------------------------------------------- the matrix


@pytest.mark.parametrize(("disable", "given", "created"), [
    (False, False, True),  # names generated, table created
    (False, True, True),  # the given names, table created
    (True, True, False),  # the given names associated: you bring the table
    (True, False, False),  # no table at all
])
def test_the_data_catalog_matrix(sm, glue, disable, given, created):
    name = unique_name("matrix")
    given_table = f"given_{name.replace('-', '_')}"
    members = {"DisableGlueTableCreation": disable, **({"DataCatalogConfig": _catalog(given_table)} if given else {})}

    description = _created(sm, name, **_offline(**members))

    offline = description["OfflineStoreConfig"]
    assert offline["DisableGlueTableCreation"] is disable
    table = given_table if given else _generated(name, description)
    if disable and not given:
        assert "DataCatalogConfig" not in offline
    else:
        assert offline["DataCatalogConfig"] == _catalog(table)
    if created:
        assert glue.get_table(DatabaseName=DATABASE, Name=table)["Table"]["Name"] == table
    else:
        assert _error(glue.get_table, DatabaseName=DATABASE, Name=table) == (
            "EntityNotFoundException", f"Table {table} not found.")


def test_the_glue_table_describes_the_offline_store(sm, glue, athena):
    name = unique_name("glue")
    description = _created(sm, name, **_offline())
    offline = description["OfflineStoreConfig"]

    table = glue.get_table(DatabaseName=DATABASE, Name=offline["DataCatalogConfig"]["TableName"])["Table"]

    assert table["DatabaseName"] == DATABASE
    assert table["TableType"] == "EXTERNAL_TABLE"
    assert table["Parameters"] == {"EXTERNAL": "TRUE", "classification": "parquet"}
    assert table["PartitionKeys"] == []
    storage = table["StorageDescriptor"]
    assert storage["Columns"] == COLUMNS
    assert storage["Location"] == offline["S3StorageConfig"]["ResolvedOutputS3Uri"]
    assert storage["SerdeInfo"]["SerializationLibrary"] == PARQUET_SERDE
    assert storage["InputFormat"] == "org.apache.hadoop.hive.ql.io.parquet.MapredParquetInputFormat"
    assert storage["OutputFormat"] == "org.apache.hadoop.hive.ql.io.parquet.MapredParquetOutputFormat"
    # Athena's catalog shows the same columns for the same table
    metadata = athena.get_table_metadata(CatalogName="AwsDataCatalog", DatabaseName=DATABASE, TableName=table["Name"])
    assert metadata["TableMetadata"]["Columns"] == COLUMNS
    assert DATABASE in [database["Name"] for database in glue.get_databases()["DatabaseList"]]


def test_an_iceberg_group_gets_an_iceberg_table(sm, glue):
    name = unique_name("iceberg")
    request = create_request(name, **_offline(TableFormat="Iceberg"))
    request["FeatureDefinitions"][-1]["FeatureType"] = "String"  # Iceberg needs a String event time
    sm.create_feature_group(**request)
    wait_created(sm, name)
    offline = sm.describe_feature_group(FeatureGroupName=name)["OfflineStoreConfig"]

    assert offline["TableFormat"] == "Iceberg"
    table = glue.get_table(DatabaseName=DATABASE, Name=offline["DataCatalogConfig"]["TableName"])["Table"]
    assert table["Parameters"]["table_type"] == "ICEBERG"
    assert table["StorageDescriptor"]["Columns"][3] == {"Name": "event_time", "Type": "string"}


def test_describe_returns_the_table_format_and_kms_key_only_when_given(sm):
    plain = _created(sm, unique_name("plain"), **_offline())["OfflineStoreConfig"]
    assert "TableFormat" not in plain and "KmsKeyId" not in plain["S3StorageConfig"]

    request = _offline(TableFormat="Glue")
    request["OfflineStoreConfig"]["S3StorageConfig"]["KmsKeyId"] = "alias/offline"
    offline = _created(sm, unique_name("glue-format"), **request)["OfflineStoreConfig"]
    assert offline["TableFormat"] == "Glue"
    assert offline["S3StorageConfig"]["KmsKeyId"] == "alias/offline"


@pytest.mark.parametrize(("disable", "event_type", "message"), [
    (True, "String", "The Iceberg table format is only supported when DisableGlueTableCreation is set to False"),
    (False, "Fractional", "The Iceberg table format requires an event time feature of type String; "
                          "'event_time' is Fractional."),
])
def test_iceberg_is_refused_without_glue_table_creation_or_a_string_event_time(
        sm, glue, disable, event_type, message):
    name = unique_name("iceberg-refused")
    request = create_request(name, **_offline(TableFormat="Iceberg", DisableGlueTableCreation=disable))
    request["FeatureDefinitions"][-1]["FeatureType"] = event_type
    tables_before = glue.get_tables(DatabaseName=DATABASE)["TableList"]

    code, text = _error(sm.create_feature_group, **request)

    assert code == "ValidationException"
    assert message in text
    assert _error(sm.describe_feature_group, FeatureGroupName=name)[0] == "ResourceNotFound"
    assert glue.get_tables(DatabaseName=DATABASE)["TableList"] == tables_before


def test_a_table_format_outside_the_model_is_refused(sm):
    request = create_request(unique_name("format"), **_offline(TableFormat="Delta"))
    assert _error(sm.create_feature_group, **request) == (
        "ValidationException",
        "1 validation error detected: Value 'Delta' at 'offlineStoreConfig.tableFormat' failed to satisfy "
        "constraint: Member must satisfy enum value set: [Default, Glue, Iceberg]")


def test_a_glue_table_that_exists_already_refuses_the_group_and_creates_nothing(sm, glue):
    name = unique_name("taken")
    table = f"taken_{name.replace('-', '_')}"
    glue.create_table(DatabaseName=DATABASE, TableInput={"Name": table})

    code, text = _error(sm.create_feature_group, **create_request(name, **_offline(DataCatalogConfig=_catalog(table))))

    assert code == "ResourceInUse"
    assert f"The Glue table {DATABASE}.{table} already exists" in text
    assert _error(sm.describe_feature_group, FeatureGroupName=name)[0] == "ResourceNotFound"
    assert "StorageDescriptor" not in glue.get_table(DatabaseName=DATABASE, Name=table)["Table"]  # untouched


def test_a_data_catalog_in_another_database_is_refused_here(sm, glue):
    name = unique_name("elsewhere")
    catalog = {**_catalog("elsewhere_table"), "Database": "my_database"}

    code, text = _error(sm.create_feature_group, **create_request(name, **_offline(DataCatalogConfig=catalog)))

    assert code == "ValidationException"
    assert "DataCatalogConfig.Database 'my_database' is not supported here" in text
    assert _error(sm.describe_feature_group, FeatureGroupName=name)[0] == "ResourceNotFound"
    assert _error(glue.get_database, Name="my_database")[0] == "EntityNotFoundException"


# ---------------------------------------------------------------- DeleteFeatureGroup, then Glue's DeleteTable


def test_delete_feature_group_leaves_the_glue_table_and_the_offline_rows(sm, runtime, glue, athena):
    name = unique_name("kept")
    table = _created(sm, name, **_offline())["OfflineStoreConfig"]["DataCatalogConfig"]["TableName"]
    runtime.put_record(FeatureGroupName=name, Record=record(id="r1", age=7, score=1.5, event_time=100.0))

    sm.delete_feature_group(FeatureGroupName=name)

    assert _error(runtime.get_record, FeatureGroupName=name, RecordIdentifierValueAsString="r1")[0] in (
        "ResourceNotFound", "ValidationError")
    assert glue.get_table(DatabaseName=DATABASE, Name=table)["Table"]["StorageDescriptor"]["Columns"] == COLUMNS
    execution = run_query(athena, f'SELECT id, age, is_deleted FROM "{table}"')
    assert execution["Status"]["State"] == "SUCCEEDED", execution["Status"]
    rows = athena.get_query_results(QueryExecutionId=execution["QueryExecutionId"])["ResultSet"]["Rows"]
    assert [[cell.get("VarCharValue") for cell in row["Data"]] for row in rows] == [
        ["id", "age", "is_deleted"], ["r1", "7", "false"]]


def test_glue_delete_table_then_removes_the_athena_table(sm, glue, athena):
    name = unique_name("dropped")
    table = _created(sm, name, **_offline())["OfflineStoreConfig"]["DataCatalogConfig"]["TableName"]
    sm.delete_feature_group(FeatureGroupName=name)

    glue.delete_table(DatabaseName=DATABASE, Name=table)

    assert _error(glue.get_table, DatabaseName=DATABASE, Name=table)[0] == "EntityNotFoundException"
    execution = run_query(athena, f'SELECT * FROM "{table}"')
    assert execution["Status"]["State"] == "FAILED"
    assert "TABLE_NOT_FOUND" in execution["Status"]["StateChangeReason"]
    assert _error(athena.get_table_metadata, CatalogName="AwsDataCatalog", DatabaseName=DATABASE,
                  TableName=table)[0] == "MetadataException"


def test_glue_batch_delete_table_removes_the_athena_tables_it_deleted(sm, glue, athena):
    name = unique_name("batch")
    table = _created(sm, name, **_offline())["OfflineStoreConfig"]["DataCatalogConfig"]["TableName"]
    sm.delete_feature_group(FeatureGroupName=name)

    answer = glue.batch_delete_table(DatabaseName=DATABASE, TablesToDelete=[table, "no_such_table"])

    assert [error["TableName"] for error in answer["Errors"]] == ["no_such_table"]
    assert run_query(athena, f'SELECT * FROM "{table}"')["Status"]["State"] == "FAILED"


def test_glue_delete_table_of_a_live_group_leaves_its_athena_table(sm, glue, athena):
    name = unique_name("live")
    table = _created(sm, name, **_offline())["OfflineStoreConfig"]["DataCatalogConfig"]["TableName"]

    glue.delete_table(DatabaseName=DATABASE, Name=table)

    assert run_query(athena, f'SELECT * FROM "{table}"')["Status"]["State"] == "SUCCEEDED"
    assert sm.describe_feature_group(FeatureGroupName=name)["FeatureGroupStatus"] == "Created"


def test_a_failed_glue_delete_drops_nothing(sm, glue, athena):
    name = unique_name("failed")
    table = _created(sm, name, **_offline())["OfflineStoreConfig"]["DataCatalogConfig"]["TableName"]
    sm.delete_feature_group(FeatureGroupName=name)

    assert _error(glue.delete_table, DatabaseName="no_such_database", Name=table)[0] == "EntityNotFoundException"

    assert run_query(athena, f'SELECT * FROM "{table}"')["Status"]["State"] == "SUCCEEDED"


class _Backend:
    """What GlueTables.after_delete asks of a backend: the Athena catalog and drop_external_table."""

    def __init__(self) -> None:
        self.dropped: list[tuple[str, str]] = []

    def athena_relations(self):
        return {"reports": {"daily": [("n", "BIGINT")], "weekly": [("n", "BIGINT")]}, "other": {"kept": []}}

    def drop_external_table(self, database: str, table: str, *, if_exists: bool = False) -> None:
        assert if_exists
        self.dropped.append((database, table))


def test_glue_delete_database_drops_every_athena_table_of_that_database():
    backend = _Backend()

    GlueTables(backend, "123456789012", "us-east-1").after_delete(
        "DeleteDatabase", json.dumps({"Name": "reports"}).encode(), b"{}")

    assert backend.dropped == [("reports", "daily"), ("reports", "weekly")]


def test_an_emulator_on_a_reopened_store_restores_the_glue_tables(tmp_path):
    from moto.glue.models import glue_backends

    from scenarios.emulator_backend import running_emulator

    name = unique_name("restored")
    with running_emulator(tmp_path) as first:
        sm = fake_session(first).client("sagemaker", endpoint_url=first.url)
        table = _created(sm, name, **_offline())["OfflineStoreConfig"]["DataCatalogConfig"]["TableName"]
    glue_backends["123456789012"]["us-east-1"].delete_table(DATABASE, table)  # moto's memory, as in a new process

    with running_emulator(tmp_path) as second:
        glue = fake_session(second).client("glue", endpoint_url=second.url)
        assert glue.get_table(DatabaseName=DATABASE, Name=table)["Table"]["StorageDescriptor"]["Columns"] == COLUMNS


def test_a_glue_delete_whose_body_cannot_be_framed_is_refused_and_drops_nothing(emulator, sm, athena):
    name = unique_name("framed")
    table = _created(sm, name, **_offline())["OfflineStoreConfig"]["DataCatalogConfig"]["TableName"]
    sm.delete_feature_group(FeatureGroupName=name)
    body = json.dumps({"DatabaseName": DATABASE, "Name": table}).encode()
    head = (f"POST / HTTP/1.1\r\nHost: {emulator.host}\r\nX-Amz-Target: AWSGlue.DeleteTable\r\n"
            "Content-Type: application/x-amz-json-1.1\r\nContent-Length: 12abc\r\n\r\n").encode()

    status, _, answer = parse_response(send_bytes(emulator, head + body))

    assert status == 400
    assert json.loads(answer) == {"__type": "SerializationException",
                                  "message": "Content-Length '12abc' is not a byte count."}
    assert run_query(athena, f'SELECT * FROM "{table}"')["Status"]["State"] == "SUCCEEDED"
