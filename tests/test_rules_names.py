"""Name rules of SAGEMAKER_SPEC §1.2: 1-64 characters, alphanumeric ends, -/_ only inside."""

from __future__ import annotations

import pytest

from featurestore_demo.errors import ValidationException
from featurestore_demo.rules.names import (
    RESERVED_FEATURE_NAMES,
    validate_feature_group_name,
    validate_feature_name,
)
from featurestore_demo.service_model import shape_metadata

VALID = ["a", "A1", "users", "user-features", "user_features", "a-_-b", "a__b", "9lives", "x" * 64]
INVALID = ["", "-a", "a-", "_a", "a_", "a b", "a.b", "ä", "a/b", "x" * 65, "users\n"]


@pytest.mark.parametrize("name", VALID)
@pytest.mark.parametrize("validate", [validate_feature_group_name, validate_feature_name])
def test_valid_names_pass_unchanged(validate, name):
    assert validate(name) == name


@pytest.mark.parametrize("name", INVALID)
@pytest.mark.parametrize("validate", [validate_feature_group_name, validate_feature_name])
def test_invalid_names_are_refused_with_the_value_and_the_field(validate, name):
    with pytest.raises(ValidationException) as raised:
        validate(name, "someField")
    message = str(raised.value)
    assert f"Value '{name}' at 'someField'" in message
    assert raised.value.code == "ValidationException"


@pytest.mark.parametrize("name", [None, 5, ["a"]])
def test_names_must_be_text(name):
    with pytest.raises(ValidationException, match="featureGroupName"):
        validate_feature_group_name(name)


def test_the_length_limit_is_named():
    with pytest.raises(ValidationException, match="less than or equal to 64"):
        validate_feature_group_name("x" * 65)


@pytest.mark.parametrize("name", [*sorted(RESERVED_FEATURE_NAMES), "IS_DELETED", "Write_Time"])
def test_reserved_feature_names_are_refused_in_any_case(name):
    with pytest.raises(ValidationException, match=f"'{name}' is reserved"):
        validate_feature_name(name)


def test_reserved_names_are_fine_as_group_names():
    assert validate_feature_group_name("write_time") == "write_time"


@pytest.mark.parametrize("validate, shape", [(validate_feature_group_name, "FeatureGroupName"),
                                             (validate_feature_name, "FeatureName")])
def test_the_pattern_named_is_the_models_own(validate, shape):
    """The model's FeatureGroupName pattern is ``[_-]``, FeatureName's ``[-_]``: each refusal names
    its own shape's pattern, as the emulator's front end does, never a shared hand copy."""
    pattern = shape_metadata("sagemaker", shape)["pattern"]
    with pytest.raises(ValidationException) as raised:
        validate("bad name!", "someField")
    assert str(raised.value).endswith(f"Member must satisfy regular expression pattern: {pattern}")
