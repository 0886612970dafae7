"""One error hierarchy carrying the AWS codes (STYLE.md habit 5)."""

from __future__ import annotations

import pytest

from featurestore_demo import errors
from featurestore_demo.errors import ERRORS_BY_CODE, FeatureStoreError, from_aws_code

# The modeled errors of SageMaker (§1.6) and the runtime (§2.2) the kit maps to its own classes.
MAPPED_AWS_CODES = {
    "ValidationException": errors.ValidationException,
    "ValidationError": errors.ValidationException,
    "ResourceNotFound": errors.ResourceNotFound,
    "ResourceInUse": errors.ResourceInUse,
    "ResourceLimitExceeded": errors.ResourceLimitExceeded,
    "ServiceUnavailable": errors.ServiceUnavailable,
}


def all_subclasses(cls: type) -> set[type]:
    return {sub for direct in cls.__subclasses__() for sub in {direct, *all_subclasses(direct)}}


@pytest.mark.parametrize("code", sorted(ERRORS_BY_CODE))
def test_every_code_in_the_table_has_a_kit_class(code):
    error_class = ERRORS_BY_CODE[code]
    assert isinstance(error_class, type) and issubclass(error_class, FeatureStoreError)
    assert error_class is not FeatureStoreError


def test_the_modeled_aws_codes_are_all_mapped():
    assert {code: ERRORS_BY_CODE.get(code) for code in MAPPED_AWS_CODES} == MAPPED_AWS_CODES


def test_every_kit_class_is_reachable_from_its_own_code():
    public = [getattr(errors, name) for name in errors.__all__]
    classes = [item for item in public if isinstance(item, type) and item in all_subclasses(FeatureStoreError)]
    assert classes  # the hierarchy is not empty
    for error_class in classes:
        assert ERRORS_BY_CODE[error_class.code] is error_class


@pytest.mark.parametrize("code", sorted(ERRORS_BY_CODE))
def test_from_aws_code_builds_the_class_with_the_message(code):
    error = from_aws_code(code, "what went wrong")
    assert type(error) is ERRORS_BY_CODE[code]
    assert str(error) == error.message == "what went wrong"


@pytest.mark.parametrize("code", ["AccessForbidden", "InternalFailure", "ThrottlingException"])
def test_from_aws_code_keeps_unknown_codes(code):
    error = from_aws_code(code, "try later")
    assert type(error) is FeatureStoreError
    assert error.code == code and str(error) == "try later"
    assert FeatureStoreError.code == "InternalFailure"  # the class default is untouched
