"""Helpers of the emulator conformance tests: request shapes, names, raw HTTP."""

from __future__ import annotations

import itertools
import json
import time
import urllib.error
import urllib.request
from typing import Any

from local_backend.emulator import Emulator

_names = itertools.count()
ROLE = "arn:aws:iam::123456789012:role/featurestore-demo"


def unique_name(prefix: str = "conf") -> str:
    return f"{prefix}-{next(_names)}"


def create_request(name: str, *, s3_uri: str = "s3://featurestore-demo-emulator/offline", **extra: Any) -> dict:
    """A CreateFeatureGroup request: id (String), age (Integral), score (Fractional), event_time (Fractional)."""
    return {
        "FeatureGroupName": name,
        "RecordIdentifierFeatureName": "id",
        "EventTimeFeatureName": "event_time",
        "FeatureDefinitions": [
            {"FeatureName": "id", "FeatureType": "String"},
            {"FeatureName": "age", "FeatureType": "Integral"},
            {"FeatureName": "score", "FeatureType": "Fractional"},
            {"FeatureName": "event_time", "FeatureType": "Fractional"},
        ],
        "OnlineStoreConfig": {"EnableOnlineStore": True},
        "OfflineStoreConfig": {"S3StorageConfig": {"S3Uri": s3_uri}},
        "RoleArn": ROLE,
        **extra,
    }


def wait_created(sm, name: str) -> None:
    for _ in range(100):
        if sm.describe_feature_group(FeatureGroupName=name)["FeatureGroupStatus"] == "Created":
            return
        time.sleep(0.02)
    raise AssertionError(f"{name} never became Created")


def record(**values: Any) -> list[dict[str, str]]:
    return [{"FeatureName": key, "ValueAsString": str(value)} for key, value in values.items()]


def raw_post(emulator: Emulator, path: str, body: bytes, headers: dict[str, str]) -> tuple[int, dict, Any]:
    """POST raw bytes; returns (status, headers, parsed JSON body)."""
    request = urllib.request.Request(emulator.url + path, data=body, headers=headers, method="POST")
    try:
        with urllib.request.urlopen(request, timeout=10) as response:
            return response.status, dict(response.headers), json.loads(response.read() or b"{}")
    except urllib.error.HTTPError as error:
        return error.code, dict(error.headers), json.loads(error.read() or b"{}")
