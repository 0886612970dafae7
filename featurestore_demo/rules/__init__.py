"""The rules of the service, written once in pure code.

The local backend and the emulator share them, so local, emulated and real AWS behave
alike: name and definition validation (SAGEMAKER_SPEC §1.2, §1.7), value validation (§2.5),
and which write wins in the online store, TTL and deletes (§2.6, §3.1, §3.2).
"""

from featurestore_demo.rules.definitions import validate_feature_group_spec
from featurestore_demo.rules.names import validate_feature_group_name, validate_feature_name
from featurestore_demo.rules.online import DeleteOutcome, OnlineEntry, delete_outcome, is_live, put_applies
from featurestore_demo.rules.values import event_time_seconds, normalize_record, parse_value

__all__ = [
    "DeleteOutcome",
    "OnlineEntry",
    "delete_outcome",
    "event_time_seconds",
    "is_live",
    "normalize_record",
    "parse_value",
    "put_applies",
    "validate_feature_group_name",
    "validate_feature_group_spec",
    "validate_feature_name",
]
