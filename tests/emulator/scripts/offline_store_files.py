"""A script written for AWS: create a feature group, put records, wait for the offline store's
Parquet objects under ResolvedOutputS3Uri, read them with pyarrow, look the table up in Glue.

Run it against AWS, or against the emulator by exporting what `featurestore-demo emulator`
prints. Needs FEATURESTORE_ROLE_ARN and FEATURESTORE_S3_URI (s3://bucket/prefix).
"""

import io
import os
import sys
import time

import boto3
import pyarrow.parquet as pq

name = sys.argv[1] if len(sys.argv) > 1 else "customers"
sm, runtime = boto3.client("sagemaker"), boto3.client("sagemaker-featurestore-runtime")
s3, glue = boto3.client("s3"), boto3.client("glue")

sm.create_feature_group(
    FeatureGroupName=name, RecordIdentifierFeatureName="customer_id", EventTimeFeatureName="event_time",
    FeatureDefinitions=[{"FeatureName": "customer_id", "FeatureType": "String"},
                        {"FeatureName": "lifetime_value", "FeatureType": "Fractional"},
                        {"FeatureName": "event_time", "FeatureType": "String"}],
    OnlineStoreConfig={"EnableOnlineStore": True},
    OfflineStoreConfig={"S3StorageConfig": {"S3Uri": os.environ["FEATURESTORE_S3_URI"]}},
    RoleArn=os.environ["FEATURESTORE_ROLE_ARN"],
)
while sm.describe_feature_group(FeatureGroupName=name)["FeatureGroupStatus"] == "Creating":
    time.sleep(1)
for customer, value, when in [("c-1", "99.0", "2024-04-01T10:00:00Z"), ("c-2", "15.5", "2024-04-01T11:30:00Z"),
                              ("c-1", "120.5", "2024-05-01T10:00:00Z")]:
    runtime.put_record(FeatureGroupName=name, Record=[
        {"FeatureName": "customer_id", "ValueAsString": customer},
        {"FeatureName": "lifetime_value", "ValueAsString": value},
        {"FeatureName": "event_time", "ValueAsString": when}])

offline = sm.describe_feature_group(FeatureGroupName=name)["OfflineStoreConfig"]
bucket, _, prefix = offline["S3StorageConfig"]["ResolvedOutputS3Uri"].removeprefix("s3://").partition("/")
deadline = time.time() + 20 * 60  # AWS writes the offline store within about 15 minutes
while True:
    listed = s3.list_objects_v2(Bucket=bucket, Prefix=prefix).get("Contents", [])
    keys = [item["Key"] for item in listed if item["Key"].endswith(".parquet")]
    if len(keys) >= 3 or time.time() > deadline:  # one file per event hour
        break
    time.sleep(10)

for key in sorted(keys):
    table = pq.read_table(io.BytesIO(s3.get_object(Bucket=bucket, Key=key)["Body"].read()))
    print(key.removeprefix(prefix + "/"))
    for row in table.select(["customer_id", "lifetime_value", "event_time", "is_deleted"]).to_pylist():
        print("   ", row)

catalog = offline["DataCatalogConfig"]
described = glue.get_table(DatabaseName=catalog["Database"], Name=catalog["TableName"])["Table"]
print("Glue:", f'{catalog["Database"]}.{catalog["TableName"]}', described["StorageDescriptor"]["Location"])
print("     ", ", ".join(f'{column["Name"]} {column["Type"]}' for column in described["StorageDescriptor"]["Columns"]))
