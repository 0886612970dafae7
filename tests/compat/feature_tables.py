"""A feature group's offline-store table for the Athena clients' tests, made with plain boto3.

Two users are put and the second is then deleted, so the table holds a delete marker too:
:data:`ROWS` is what ``SELECT user_id, age, score, event_time, is_deleted`` returns, ordered by
user_id and is_deleted.
"""

from __future__ import annotations

import itertools
import time

import boto3

__all__ = ["DATABASE", "ROWS", "users_table"]

DATABASE = "sagemaker_featurestore"
ROWS = [("u1", 30, 0.5, 1700000000.5, False), ("u2", 40, None, 1700000001.0, False),
        ("u2", None, None, 1700000002.0, True)]
_names = itertools.count()


def _record(**values: object) -> list[dict[str, str]]:
    return [{"FeatureName": key, "ValueAsString": str(value)} for key, value in values.items() if value is not None]


def users_table(s3_uri: str, role_arn: str, prefix: str) -> str:
    """A new Created feature group holding :data:`ROWS` offline; the name of its table."""
    sm, runtime = boto3.client("sagemaker"), boto3.client("sagemaker-featurestore-runtime")
    name = f"compat-{prefix}-{next(_names)}"
    sm.create_feature_group(
        FeatureGroupName=name, RecordIdentifierFeatureName="user_id", EventTimeFeatureName="event_time",
        FeatureDefinitions=[{"FeatureName": "user_id", "FeatureType": "String"},
                            {"FeatureName": "age", "FeatureType": "Integral"},
                            {"FeatureName": "score", "FeatureType": "Fractional"},
                            {"FeatureName": "event_time", "FeatureType": "Fractional"}],
        OnlineStoreConfig={"EnableOnlineStore": True}, OfflineStoreConfig={"S3StorageConfig": {"S3Uri": s3_uri}},
        RoleArn=role_arn)
    for _ in range(200):
        if sm.describe_feature_group(FeatureGroupName=name)["FeatureGroupStatus"] == "Created":
            break
        time.sleep(0.05)
    for user_id, age, score, event_time, deleted in ROWS:
        if deleted:
            runtime.delete_record(FeatureGroupName=name, RecordIdentifierValueAsString=user_id,
                                  EventTime=str(event_time))
        else:
            runtime.put_record(FeatureGroupName=name,
                               Record=_record(user_id=user_id, age=age, score=score, event_time=event_time))
    return sm.describe_feature_group(FeatureGroupName=name)["OfflineStoreConfig"]["DataCatalogConfig"]["TableName"]
