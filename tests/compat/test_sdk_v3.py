"""SageMaker Python SDK v3 (``sagemaker.mlops.feature_store``) against the emulator: the core flow.

Runs in ``.venv-compat-v3`` (``make test-compat-v3``); skipped elsewhere. v3 builds its clients
from the same environment variables as v2 and reads the same telemetry opt-out. Its modules
build boto3 clients when imported, so they are imported by a fixture, once the emulator's
environment is in place.
"""

from __future__ import annotations

import importlib
import warnings
from types import ModuleType

import pandas as pd
import pytest

from compat_clients import require_sdk

require_sdk(major=3)

USERS = pd.DataFrame({"user_id": ["u1", "u2", "u3"], "age": [30, 40, 50],
                      "event_time": [1_700_000_000.0, 1_700_000_100.0, 1_700_000_200.0]}).astype({"user_id": object})


@pytest.fixture(scope="module")
def fs() -> ModuleType:
    """``sagemaker.mlops.feature_store``, imported with the emulator's environment set."""
    with warnings.catch_warnings():  # v3's own import shims warn (sagemaker.train.configs has moved)
        warnings.simplefilter("ignore", DeprecationWarning)
        return importlib.import_module("sagemaker.mlops.feature_store")


@pytest.fixture(scope="module")
def group(fs, s3_uri, role_arn):  # -> sagemaker.core.resources.FeatureGroup
    created = fs.FeatureGroup.create(
        feature_group_name="compat-v3-users", record_identifier_feature_name="user_id",
        event_time_feature_name="event_time", feature_definitions=fs.load_feature_definitions_from_dataframe(USERS),
        online_store_config=fs.OnlineStoreConfig(enable_online_store=True),
        offline_store_config=fs.OfflineStoreConfig(s3_storage_config=fs.S3StorageConfig(s3_uri=s3_uri)),
        role_arn=role_arn)
    created.wait_for_status(target_status="Created", poll=1, timeout=30)
    fs.ingest_dataframe(feature_group_name=created.feature_group_name, data_frame=USERS, max_workers=2, wait=True)
    return created


def _values(response) -> dict[str, str]:  # response: a sagemaker-core GetRecordResponse
    return {value.feature_name: value.value_as_string for value in response.record}


def test_create_ingest_get_record_and_list(fs, group) -> None:
    assert group.feature_group_status == "Created"
    assert _values(group.get_record(record_identifier_value_as_string="u2")) == {
        "user_id": "u2", "age": "40", "event_time": "1700000100.0"}
    assert "compat-v3-users" in [g.feature_group_name for g in fs.FeatureGroup.get_all()]


def test_delete_record_then_athena_sees_the_marker(fs, group, s3_uri) -> None:
    group.delete_record(record_identifier_value_as_string="u3", event_time="1700000300.0")
    assert not isinstance(group.get_record(record_identifier_value_as_string="u3").record, list)
    session = importlib.import_module("sagemaker.core.helper.session_helper").Session()
    query = fs.create_athena_query(group.feature_group_name, session)
    query.run(f'SELECT user_id, is_deleted FROM "{query.table_name}" ORDER BY api_invocation_time',
              output_location=f"{s3_uri}/compat-v3-athena")
    query.wait()
    rows = query.as_dataframe()
    assert sorted(rows["user_id"]) == ["u1", "u2", "u3", "u3"]
    assert list(rows["is_deleted"]) == [False, False, False, True]


def test_ingest_with_batch_write_record_writes_every_row(fs, group) -> None:
    """``ingest_dataframe(use_batch_write_record=True)`` sends BatchWriteRecord, 25 records a call."""
    batch = pd.DataFrame({"user_id": [f"b{i}" for i in range(60)], "age": list(range(60)),
                          "event_time": [1_700_001_000.0 + i for i in range(60)]}).astype({"user_id": object})
    fs.ingest_dataframe(feature_group_name=group.feature_group_name, data_frame=batch, max_workers=2, wait=True,
                        use_batch_write_record=True)
    for i in (0, 24, 25, 59):  # first and last of each call
        assert _values(group.get_record(record_identifier_value_as_string=f"b{i}")) == {
            "user_id": f"b{i}", "age": str(i), "event_time": repr(1_700_001_000.0 + i)}
