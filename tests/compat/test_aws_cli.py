"""The AWS CLI (v1, from PyPI) against the emulator: the control plane, the runtime, Athena, S3.

Each command is the one a user types, with ``--endpoint-url`` (or only ``AWS_ENDPOINT_URL``);
the output is parsed from ``--output json``.
"""

from __future__ import annotations

import json
import subprocess
from typing import Any

import pytest

from compat_clients import aws_cli

AWS = aws_cli()
DEFINITIONS = json.dumps([
    {"FeatureName": "user_id", "FeatureType": "String"},
    {"FeatureName": "age", "FeatureType": "Integral"},
    {"FeatureName": "event_time", "FeatureType": "Fractional"},
])
RECORD = json.dumps([
    {"FeatureName": "user_id", "ValueAsString": "u1"},
    {"FeatureName": "age", "ValueAsString": "30"},
    {"FeatureName": "event_time", "ValueAsString": "1700000000.0"},
])


def aws(*args: str, endpoint: str | None = None) -> Any:
    """Run ``aws [--endpoint-url E] ARGS --output json``; its parsed output ({} when empty)."""
    command = [AWS, *(["--endpoint-url", endpoint] if endpoint else []), *args, "--output", "json"]
    done = subprocess.run(command, capture_output=True, text=True, timeout=60, check=False)
    assert done.returncode == 0, done.stderr
    return json.loads(done.stdout) if done.stdout.strip() else {}


@pytest.fixture(scope="module")
def group(emulator, client_environment) -> str:
    name = "compat-cli-users"
    arn = aws("sagemaker", "create-feature-group", "--feature-group-name", name,
              "--record-identifier-feature-name", "user_id", "--event-time-feature-name", "event_time",
              "--feature-definitions", DEFINITIONS, "--online-store-config", "EnableOnlineStore=true",
              "--offline-store-config",
              json.dumps({"S3StorageConfig": {"S3Uri": client_environment["FEATURESTORE_S3_URI"]}}),
              "--role-arn", client_environment["FEATURESTORE_ROLE_ARN"], endpoint=emulator.url)
    assert arn["FeatureGroupArn"].endswith(f":feature-group/{name}")
    for _ in range(100):
        if aws("sagemaker", "describe-feature-group", "--feature-group-name", name)["FeatureGroupStatus"] == "Created":
            return name
    raise AssertionError(f"{name} never became Created")


def test_describe_and_list_feature_groups(group, emulator) -> None:
    description = aws("sagemaker", "describe-feature-group", "--feature-group-name", group, endpoint=emulator.url)
    assert [d["FeatureName"] for d in description["FeatureDefinitions"]] == ["user_id", "age", "event_time"]
    listed = aws("sagemaker", "list-feature-groups", "--name-contains", "compat-cli")
    assert [s["FeatureGroupName"] for s in listed["FeatureGroupSummaries"]] == [group]


def test_put_record_then_get_record(group, emulator) -> None:
    assert aws("sagemaker-featurestore-runtime", "put-record", "--feature-group-name", group,
               "--record", RECORD, endpoint=emulator.url) == {}
    got = aws("sagemaker-featurestore-runtime", "get-record", "--feature-group-name", group,
              "--record-identifier-value-as-string", "u1", endpoint=emulator.url)
    assert got == {"Record": json.loads(RECORD)}


def test_athena_query_and_its_result_in_s3(group, client_environment) -> None:
    aws("sagemaker-featurestore-runtime", "put-record", "--feature-group-name", group, "--record", RECORD)
    table = aws("sagemaker", "describe-feature-group", "--feature-group-name", group)[
        "OfflineStoreConfig"]["DataCatalogConfig"]["TableName"]
    output = client_environment["FEATURESTORE_S3_URI"] + "/cli-athena/"
    started = aws("athena", "start-query-execution",
                  "--query-string", f'SELECT user_id, age FROM "{table}" ORDER BY write_time LIMIT 1',
                  "--query-execution-context", "Database=sagemaker_featurestore",
                  "--result-configuration", f"OutputLocation={output}")
    execution_id = started["QueryExecutionId"]
    for _ in range(100):
        state = aws("athena", "get-query-execution", "--query-execution-id", execution_id)[
            "QueryExecution"]["Status"]["State"]
        if state in ("SUCCEEDED", "FAILED", "CANCELLED"):
            break
    assert state == "SUCCEEDED"
    results = aws("athena", "get-query-results", "--query-execution-id", execution_id)
    rows = [[datum.get("VarCharValue") for datum in row["Data"]] for row in results["ResultSet"]["Rows"]]
    assert rows == [["user_id", "age"], ["u1", "30"]]
    listing = subprocess.run([AWS, "s3", "ls", output], capture_output=True, text=True, timeout=60, check=True)
    names = {line.split()[-1] for line in listing.stdout.splitlines()}
    assert {f"{execution_id}.csv", f"{execution_id}.csv.metadata"} <= names


def test_athena_workgroup_and_catalog_commands(group) -> None:
    workgroup = aws("athena", "get-work-group", "--work-group", "primary")["WorkGroup"]
    assert (workgroup["State"], workgroup["Configuration"]["EngineVersion"]["EffectiveEngineVersion"]) == (
        "ENABLED", "Athena engine version 3")
    assert aws("athena", "list-data-catalogs")["DataCatalogsSummary"] == [{"CatalogName": "AwsDataCatalog",
                                                                           "Type": "GLUE"}]
    databases = aws("athena", "list-databases", "--catalog-name", "AwsDataCatalog")["DatabaseList"]
    assert {"Name": "sagemaker_featurestore"} in databases
    table = aws("sagemaker", "describe-feature-group", "--feature-group-name", group)[
        "OfflineStoreConfig"]["DataCatalogConfig"]["TableName"]
    tables = aws("athena", "list-table-metadata", "--catalog-name", "AwsDataCatalog",
                 "--database-name", "sagemaker_featurestore", "--page-size", "1")["TableMetadataList"]
    columns = next(t["Columns"] for t in tables if t["Name"] == table)
    assert columns == [{"Name": "user_id", "Type": "string"}, {"Name": "age", "Type": "bigint"},
                       {"Name": "event_time", "Type": "double"}, {"Name": "write_time", "Type": "timestamp"},
                       {"Name": "api_invocation_time", "Type": "timestamp"}, {"Name": "is_deleted", "Type": "boolean"}]
    command = [AWS, "athena", "get-work-group", "--work-group", "analytics", "--output", "json"]
    done = subprocess.run(command, capture_output=True, text=True, timeout=60, check=False)
    assert done.returncode != 0
    assert "InvalidRequestException" in done.stderr and "WorkGroup is not found." in done.stderr
