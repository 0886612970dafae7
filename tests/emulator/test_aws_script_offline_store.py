"""A boto3 + pyarrow script written for AWS runs unmodified against the emulator: it creates a
group, puts records, waits for Parquet objects under ResolvedOutputS3Uri (the loop of AWS's
sample notebooks), reads them with pyarrow and finds the table in Glue."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

from emulator_helpers import unique_name

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
