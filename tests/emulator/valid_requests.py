"""A full valid request of every operation the emulator serves: the data the generated tests start from.

Each request sets every member the emulator takes (and the members it keeps without using, whose
constraints the front end checks all the same). Where members cannot all be set at once (a
Vector feature needs an InMemory group, provisioned throughput a Standard one), an operation has
a list of requests. Placeholders name what the test provides:

- ``{group}``: a Created Standard group holding record ``r1`` (conftest's ``kept``), ``{arn}`` its
  ARN, ``{table}`` its offline store's table;
- ``{memory}``: a Created InMemory group (conftest's ``in_memory``);
- ``{new}``: a name no group has; ``{token}``: a ClientRequestToken not used before;
- ``{query}``: the id of a query that SUCCEEDED.
"""

from __future__ import annotations

from typing import Any

from emulator_helpers import ATHENA_OUTPUT, ROLE, record

__all__ = ["ATHENA", "RUNTIME", "SAGEMAKER"]

GROUP = "{group}"
ENTRY = {"FeatureGroupName": GROUP, "Record": record(id="r1", age=7, event_time=50.0),
         "TargetStores": ["OnlineStore"], "TtlDuration": {"Unit": "Days", "Value": 1}}
RUNTIME: dict[str, Any] = {
    "PutRecord": dict(ENTRY),
    "GetRecord": {"FeatureGroupName": GROUP, "RecordIdentifierValueAsString": "r1", "FeatureNames": ["age"],
                  "ExpirationTimeResponse": "Enabled"},
    "DeleteRecord": {"FeatureGroupName": GROUP, "RecordIdentifierValueAsString": "r1", "EventTime": "50",
                     "TargetStores": ["OnlineStore"], "DeletionMode": "SoftDelete"},
    "BatchGetRecord": {"Identifiers": [{"FeatureGroupName": GROUP, "RecordIdentifiersValueAsString": ["r1"],
                                        "FeatureNames": ["age"]}], "ExpirationTimeResponse": "Enabled"},
    "BatchWriteRecord": {"Entries": [ENTRY], "TtlDuration": {"Unit": "Days", "Value": 1}},
    "ListRecords": {"FeatureGroupName": GROUP, "MaxResults": 10, "NextToken": "eyJhZnRlciI6ICIifQ==",
                    "IncludeSoftDeletedRecords": True},
    "UpdateRecord": {"FeatureGroupName": "{memory}", "RecordIdentifierValueAsString": "r1",
                     "Features": record(age=8, event_time=150.0), "TargetStores": ["OnlineStore"],
                     "TtlDuration": {"Unit": "Days", "Value": 1}},
}

ARN = "{arn}"
TAG = {"Key": "team", "Value": "ml"}
KEY = "arn:aws:kms:us-east-1:123456789012:key/fs-key"
FIRST_PAGE = "b2Zmc2V0OjA="
"""A SageMaker NextToken the emulator hands out: the page at offset 0."""
FEATURES = [{"FeatureName": "id", "FeatureType": "String"}, {"FeatureName": "age", "FeatureType": "Integral"},
            {"FeatureName": "event_time", "FeatureType": "Fractional"}]
VECTOR = {"FeatureName": "embedding", "FeatureType": "Fractional", "CollectionType": "Vector",
          "CollectionConfig": {"VectorConfig": {"Dimension": 4}}}
FILTER = {"Name": "FeatureGroupName", "Operator": "Contains", "Value": "kept"}
SAGEMAKER: dict[str, Any] = {
    "CreateFeatureGroup": [
        {"FeatureGroupName": "{new}", "RecordIdentifierFeatureName": "id", "EventTimeFeatureName": "event_time",
         "FeatureDefinitions": FEATURES,
         "OnlineStoreConfig": {"SecurityConfig": {"KmsKeyId": KEY}, "EnableOnlineStore": True,
                               "TtlDuration": {"Unit": "Days", "Value": 30}, "StorageType": "Standard"},
         "OfflineStoreConfig": {"S3StorageConfig": {"S3Uri": "s3://featurestore-demo-emulator/offline",
                                                    "KmsKeyId": KEY},
                                "DisableGlueTableCreation": False,
                                "DataCatalogConfig": {"TableName": "{new}", "Catalog": "AwsDataCatalog",
                                                      "Database": "sagemaker_featurestore"},
                                "TableFormat": "Glue"},
         "ThroughputConfig": {"ThroughputMode": "Provisioned", "ProvisionedReadCapacityUnits": 5,
                              "ProvisionedWriteCapacityUnits": 5},
         "RoleArn": ROLE, "Description": "Customers, by id", "Tags": [TAG]},
        {"FeatureGroupName": "{new}", "RecordIdentifierFeatureName": "id", "EventTimeFeatureName": "event_time",
         "FeatureDefinitions": [*FEATURES, VECTOR],
         "OnlineStoreConfig": {"EnableOnlineStore": True, "StorageType": "InMemory"}, "RoleArn": ROLE},
    ],
    "DescribeFeatureGroup": {"FeatureGroupName": GROUP, "NextToken": FIRST_PAGE},
    "ListFeatureGroups": {"NameContains": "kept", "FeatureGroupStatusEquals": "Created",
                          "OfflineStoreStatusEquals": "Active", "CreationTimeAfter": 0,
                          "CreationTimeBefore": 4102444800, "SortOrder": "Ascending", "SortBy": "Name",
                          "MaxResults": 10, "NextToken": FIRST_PAGE},
    "DeleteFeatureGroup": {"FeatureGroupName": GROUP},
    "UpdateFeatureGroup": [
        {"FeatureGroupName": GROUP, "FeatureAdditions": [{"FeatureName": "extra", "FeatureType": "String"}],
         "OnlineStoreConfig": {"TtlDuration": {"Unit": "Days", "Value": 7}},
         "ThroughputConfig": {"ThroughputMode": "Provisioned", "ProvisionedReadCapacityUnits": 10,
                              "ProvisionedWriteCapacityUnits": 10}},
        {"FeatureGroupName": "{memory}", "FeatureAdditions": [VECTOR],
         "OnlineStoreConfig": {"StorageType": "InMemory"}},
    ],
    "DescribeFeatureMetadata": {"FeatureGroupName": GROUP, "FeatureName": "age"},
    "UpdateFeatureMetadata": {"FeatureGroupName": GROUP, "FeatureName": "age", "Description": "Years",
                              "ParameterAdditions": [{"Key": "unit", "Value": "years"}],
                              "ParameterRemovals": ["source"]},
    "Search": {"Resource": "FeatureGroup",
               "SearchExpression": {
                   "Filters": [FILTER],
                   "NestedFilters": [{"NestedPropertyName": "FeatureDefinitions",
                                      "Filters": [{"Name": "FeatureDefinitions.FeatureName", "Operator": "Equals",
                                                   "Value": "age"}]}],
                   "SubExpressions": [{"Filters": [FILTER], "Operator": "And"}],
                   "Operator": "Or"},
               "SortBy": "CreationTime", "SortOrder": "Ascending", "NextToken": FIRST_PAGE, "MaxResults": 10,
               "CrossAccountFilterOption": "SameAccount", "VisibilityConditions": [{"Key": "team", "Value": "ml"}]},
    "AddTags": {"ResourceArn": ARN, "Tags": [TAG]},
    "ListTags": {"ResourceArn": ARN, "NextToken": FIRST_PAGE, "MaxResults": 50},
    "DeleteTags": {"ResourceArn": ARN, "TagKeys": ["team"]},
}

CATALOG = "AwsDataCatalog"
DATABASE = "sagemaker_featurestore"
QUERY = "{query}"
ATHENA: dict[str, Any] = {
    "StartQueryExecution": [
        {"QueryString": "SELECT ? AS one", "ClientRequestToken": "{token}",
         "QueryExecutionContext": {"Database": DATABASE, "Catalog": CATALOG},
         "ResultConfiguration": {"OutputLocation": ATHENA_OUTPUT,
                                 "EncryptionConfiguration": {"EncryptionOption": "SSE_KMS", "KmsKey": KEY},
                                 "ExpectedBucketOwner": "123456789012",
                                 "AclConfiguration": {"S3AclOption": "BUCKET_OWNER_FULL_CONTROL"}},
         "WorkGroup": "primary", "ExecutionParameters": ["1"],
         "ResultReuseConfiguration": {"ResultReuseByAgeConfiguration": {"Enabled": True, "MaxAgeInMinutes": 60}},
         "EngineVersion": "Athena engine version 3"},
        {"QueryString": "SELECT 1", "ResultConfiguration": {"OutputLocation": ATHENA_OUTPUT},
         "EngineConfiguration": {"CoordinatorDpuSize": 1, "MaxConcurrentDpus": 2, "DefaultExecutorDpuSize": 1,
                                 "AdditionalConfigs": {"NotebookId": "n1"},
                                 "SparkProperties": {"spark.executor.memory": "4g"},
                                 "Classifications": [{"Name": "spark-defaults",
                                                      "Properties": {"spark.driver.cores": "1"}}]}},
    ],
    "GetQueryExecution": {"QueryExecutionId": QUERY},
    "BatchGetQueryExecution": {"QueryExecutionIds": [QUERY]},
    "GetQueryResults": {"QueryExecutionId": QUERY, "NextToken": "1", "MaxResults": 10,
                        "QueryResultType": "DATA_ROWS"},
    "GetQueryRuntimeStatistics": {"QueryExecutionId": QUERY},
    "StopQueryExecution": {"QueryExecutionId": QUERY},
    "ListQueryExecutions": {"NextToken": "0", "MaxResults": 10, "WorkGroup": "primary"},
    "GetWorkGroup": {"WorkGroup": "primary"},
    "ListWorkGroups": {"NextToken": "0", "MaxResults": 10},
    "ListDataCatalogs": {"NextToken": "0", "MaxResults": 10, "WorkGroup": "primary"},
    "GetDataCatalog": {"Name": CATALOG, "WorkGroup": "primary"},
    "ListDatabases": {"CatalogName": CATALOG, "NextToken": "0", "MaxResults": 10, "WorkGroup": "primary",
                      "AttributesToGet": ["NAME"]},
    "GetDatabase": {"CatalogName": CATALOG, "DatabaseName": DATABASE, "WorkGroup": "primary"},
    "ListTableMetadata": {"CatalogName": CATALOG, "DatabaseName": DATABASE, "Expression": "kept.*",
                          "NextToken": "0", "MaxResults": 10, "WorkGroup": "primary",
                          "AttributesToGet": ["NAME", "TABLE_TYPE"]},
    "GetTableMetadata": {"CatalogName": CATALOG, "DatabaseName": DATABASE, "TableName": "{table}",
                         "WorkGroup": "primary"},
}
