"""Name rules for feature groups and features (SAGEMAKER_SPEC §1.2)."""

from __future__ import annotations

import re

from featurestore_demo.errors import ValidationException

NAME_PATTERN = r"[a-zA-Z0-9]([-_]*[a-zA-Z0-9]){0,63}"
_NAME_RE = re.compile(NAME_PATTERN)
RESERVED_FEATURE_NAMES = frozenset({"is_deleted", "write_time", "api_invocation_time"})


def constraint_error(value: object, field: str, constraint: str) -> ValidationException:
    """A ValidationException worded as AWS words its constraint failures."""
    return ValidationException(
        f"1 validation error detected: Value '{value}' at '{field}' failed to satisfy "
        f"constraint: {constraint}"
    )


def _validate_name(name: object, field: str) -> str:
    if not isinstance(name, str) or not name:
        raise constraint_error(name, field, "Member must have length greater than or equal to 1")
    if len(name) > 64:
        raise constraint_error(name, field, "Member must have length less than or equal to 64")
    if not _NAME_RE.fullmatch(name):
        raise constraint_error(
            name, field, f"Member must satisfy regular expression pattern: {NAME_PATTERN}"
        )
    return name


def validate_feature_group_name(name: object, field: str = "featureGroupName") -> str:
    """Return ``name`` if it is a valid feature-group name, else raise ValidationException."""
    return _validate_name(name, field)


def validate_feature_name(name: object, field: str = "featureName") -> str:
    """Return ``name`` if it is a valid, unreserved feature name, else raise ValidationException."""
    _validate_name(name, field)
    if str(name).lower() in RESERVED_FEATURE_NAMES:
        raise ValidationException(
            f"Feature name '{name}' is reserved: {', '.join(sorted(RESERVED_FEATURE_NAMES))} "
            "are added to every offline-store row by the service. Rename the feature."
        )
    return str(name)
