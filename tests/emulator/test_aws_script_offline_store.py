"""A boto3 + pyarrow script written for AWS runs unmodified against the emulator: it creates a
group, puts records, waits for Parquet objects under ResolvedOutputS3Uri (the loop of AWS's
sample notebooks), reads them with pyarrow and finds the table in Glue."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

from emulator_helpers import record, run_query, unique_name

SCRIPT = Path(__file__).with_name("scripts") / "offline_store_files.py"
FILE = re.compile(r"year=2024/month=0[45]/day=01/hour=1[01]/2024\d{4}T\d{6}Z_[A-Za-z0-9]{16}\.parquet")


def test_the_script_written_for_aws_runs_unmodified_against_the_emulator(emulator):
    name = unique_name("customers")
    environment = {**os.environ, **emulator.environment()}
    result = subprocess.run([sys.executable, str(SCRIPT), name], env=environment, capture_output=True, text=True,
                            timeout=120)
    assert result.returncode == 0, result.stderr

    lines = result.stdout.splitlines()
    files = [line for line in lines if line.endswith(".parquet")]
    assert len(files) == 3 and all(FILE.fullmatch(line) for line in files), lines  # one per event hour
    assert "    {'customer_id': 'c-1', 'lifetime_value': 120.5, 'event_time': '2024-05-01T10:00:00Z', " \
           "'is_deleted': False}" in lines
    glue = next(line for line in lines if line.startswith("Glue:"))
    assert f"sagemaker_featurestore.{name.lower().replace('-', '_')}_" in glue and "/data" in glue
    assert "customer_id string, lifetime_value double, event_time string, write_time timestamp" in result.stdout


def test_offline_objects_deleted_through_s3_leave_athena(sm, runtime, athena, s3, group):
    """As on AWS, where Athena reads what S3 holds: deleting a Glue-format group's files purges those rows."""
    for seconds in (100.0, 100.0 + 3600):  # two event hours: two files
        runtime.put_record(FeatureGroupName=group, Record=record(id=f"u{seconds}", age=1, score=0.5,
                                                                 event_time=seconds))
    offline = sm.describe_feature_group(FeatureGroupName=group)["OfflineStoreConfig"]
    bucket, _, prefix = offline["S3StorageConfig"]["ResolvedOutputS3Uri"].removeprefix("s3://").partition("/")
    keys = sorted(item["Key"] for item in s3.list_objects_v2(Bucket=bucket, Prefix=prefix)["Contents"])
    assert len(keys) == 2

    s3.delete_object(Bucket=bucket, Key=keys[0])  # the hour=00 file: u100.0

    table = offline["DataCatalogConfig"]["TableName"]
    execution = run_query(athena, f'SELECT id FROM "{table}"')
    rows = athena.get_query_results(QueryExecutionId=execution["QueryExecutionId"])["ResultSet"]["Rows"]
    assert [row["Data"][0]["VarCharValue"] for row in rows[1:]] == ["u3700.0"]
