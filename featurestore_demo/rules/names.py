"""Name rules for feature groups and features (SAGEMAKER_SPEC §1.2), and text checked against the model.

The lengths and patterns of ``FeatureGroupName`` and ``FeatureName`` are the installed botocore
model's (1 to 64 characters, alphanumeric ends, ``-`` and ``_`` only inside), read when checked,
never copied here; the reserved feature names are the service's own rule.
"""

from __future__ import annotations

from collections.abc import Mapping
from functools import lru_cache
from typing import Any

from featurestore_demo.errors import ValidationException
from featurestore_demo.service_model import fits_pattern, shape_metadata

__all__ = ["RESERVED_FEATURE_NAMES", "checked_text", "constraint_error", "validate_feature_group_name",
           "validate_feature_name"]

RESERVED_FEATURE_NAMES = frozenset({"is_deleted", "write_time", "api_invocation_time"})


def constraint_error(value: object, field: str, constraint: str) -> ValidationException:
    """A ValidationException worded as AWS words its constraint failures."""
    return ValidationException(
        f"1 validation error detected: Value '{value}' at '{field}' failed to satisfy "
        f"constraint: {constraint}"
    )


def checked_text(value: object, field: str, constraints: Mapping[str, Any]) -> str:
    """``value`` if it is a string within a model shape's ``constraints`` (``min``, ``max``,
    ``pattern``: those it has), else the AWS ValidationException for the first it breaks."""
    low, high, pattern = constraints.get("min", 0), constraints.get("max"), constraints.get("pattern")
    if not isinstance(value, str) and not low:
        raise constraint_error(value, field, "Member must be a string")
    if not isinstance(value, str) or len(value) < low:
        raise constraint_error(value, field, f"Member must have length greater than or equal to {low}")
    if high is not None and len(value) > high:
        raise constraint_error(value, field, f"Member must have length less than or equal to {high}")
    if pattern is not None and not fits_pattern(value, pattern):
        raise constraint_error(value, field, f"Member must satisfy regular expression pattern: {pattern}")
    return value


def validate_feature_group_name(name: object, field: str = "featureGroupName") -> str:
    """Return ``name`` if it is a valid feature-group name, else raise ValidationException."""
    if name.__class__ is str:  # every read names its group: the names found valid are remembered
        return _checked_group_name(name, field)
    return checked_text(name, field, shape_metadata("sagemaker", "FeatureGroupName"))


@lru_cache(maxsize=1024)
def _checked_group_name(name: str, field: str) -> str:
    return checked_text(name, field, shape_metadata("sagemaker", "FeatureGroupName"))


def validate_feature_name(name: object, field: str = "featureName") -> str:
    """Return ``name`` if it is a valid, unreserved feature name, else raise ValidationException."""
    checked_text(name, field, shape_metadata("sagemaker", "FeatureName"))
    if str(name).lower() in RESERVED_FEATURE_NAMES:
        raise ValidationException(
            f"Feature name '{name}' is reserved: {', '.join(sorted(RESERVED_FEATURE_NAMES))} "
            "are added to every offline-store row by the service. Rename the feature."
        )
    return str(name)
