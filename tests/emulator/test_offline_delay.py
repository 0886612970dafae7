"""``featurestore-demo emulator --offline-delay``: the offline store lags its writes, as on AWS,
so code that waits for the offline store can be tested against a lag."""

from __future__ import annotations

import time

import pytest

from emulator_helpers import create_request, record, unique_name, wait_created
from featurestore_demo.errors import ValidationException
from local_backend.emulator import Emulator
from scenarios.emulator_backend import FAST_LIFECYCLE, fake_session

DELAY = 1.5


def parquet_keys(s3, uri: str) -> list[str]:
    bucket, _, prefix = uri.removeprefix("s3://").partition("/")
    return [item["Key"] for item in s3.list_objects_v2(Bucket=bucket, Prefix=prefix).get("Contents", [])
            if item["Key"].endswith(".parquet")]


def test_with_an_offline_delay_the_files_appear_only_after_it(tmp_path):
    with Emulator(tmp_path, port=0, offline_delay=DELAY, **FAST_LIFECYCLE) as emulator:
        session = fake_session(emulator)
        sm, runtime, s3 = (session.client(name, endpoint_url=emulator.url)
                           for name in ("sagemaker", "sagemaker-featurestore-runtime", "s3"))
        name = unique_name()
        sm.create_feature_group(**create_request(name))
        wait_created(sm, name)
        put_at = time.monotonic()
        runtime.put_record(FeatureGroupName=name, Record=record(id="u1", age=30, score=0.5, event_time=100.0))
        uri = sm.describe_feature_group(FeatureGroupName=name)["OfflineStoreConfig"]["S3StorageConfig"][
            "ResolvedOutputS3Uri"]

        assert parquet_keys(s3, uri) == []  # held back
        while not parquet_keys(s3, uri) and time.monotonic() - put_at < DELAY + 10:
            time.sleep(0.2)
        assert len(parquet_keys(s3, uri)) == 1
        assert time.monotonic() - put_at >= DELAY


def test_an_offline_delay_out_of_range_is_refused(tmp_path):
    with pytest.raises(ValidationException, match="Offline delay"):
        Emulator(tmp_path, port=0, offline_delay=-1)
