"""One error hierarchy carrying the AWS codes (STYLE.md habit 5), checked against botocore's models.

The codes come from the source, not a copy: every error that botocore's service models give
an operation the emulator serves (``local_backend.emulator.coverage``) must become the kit's
class of that code, or be one of :data:`KEPT_AS_BASE`, which names why it has no class.
"""

from __future__ import annotations

import re

import botocore.session
import pytest

from featurestore_demo import errors
from featurestore_demo.errors import ERRORS_BY_CODE, FeatureStoreError, from_aws_code
from local_backend.emulator.coverage import SERVICES, Coverage

KEPT_AS_BASE = {
    "AccessForbidden": "a permission problem of the account, not of the request",
    "InternalServerException": "Athena's internal failure (the runtime's InternalFailure is the base class's own code)",
    "InvalidRequestException": "Athena's refusal of a request; a query that fails is ValidationException",
    "MetadataException": "Athena's failure to read its catalog (an unknown database or table among others)",
    "TooManyRequestsException": "Athena's throttling, which botocore retries before the kit sees it",
}
"""Modeled codes with no class of their own: from_aws_code keeps them, with their code, on the base class."""


def served_errors() -> list[tuple[str, str, str]]:
    """(service, operation, error code) for each modeled error of each operation the emulator serves."""
    models, coverage = botocore.session.get_session(), Coverage()
    try:
        served = [(service, operation) for service, operation, handler in coverage.operations() if handler]
    finally:
        coverage.close()
    return [(service, operation, shape.name) for service, operation in served
            for shape in models.get_service_model(service).operation_model(operation).error_shapes]


def modeled_codes() -> set[str]:
    """Every error code of the three services' models, for any operation or none."""
    models = botocore.session.get_session()
    return {shape.name for service in SERVICES for shape in models.get_service_model(service).error_shapes}


SERVED_ERRORS = served_errors()


def stem(code: str) -> str:
    """A code without its Exception / Error suffix: AWS spells one error both ways across services
    (ValidationException / ValidationError, ResourceNotFound / ResourceNotFoundException)."""
    return re.sub(r"(Exception|Error)$", "", code)


def all_subclasses(cls: type) -> set[type]:
    return {sub for direct in cls.__subclasses__() for sub in {direct, *all_subclasses(direct)}}


def kit_classes() -> list[type[FeatureStoreError]]:
    """The error classes errors.py exports: the base class and its subclasses."""
    public = [getattr(errors, name) for name in errors.__all__]
    return [item for item in public if isinstance(item, type) and issubclass(item, FeatureStoreError)]


def kit_class_of(code: str) -> type[FeatureStoreError] | None:
    """The kit's class whose code is ``code`` up to its suffix (the base class is InternalFailure), or None."""
    classes = [cls for cls in kit_classes() if stem(cls.code) == stem(code)]
    assert len(classes) <= 1, classes
    return classes[0] if classes else None


@pytest.mark.parametrize("code", sorted(ERRORS_BY_CODE))
def test_every_code_in_the_table_has_a_kit_class(code):
    error_class = ERRORS_BY_CODE[code]
    assert isinstance(error_class, type) and issubclass(error_class, FeatureStoreError)
    assert error_class is not FeatureStoreError


def test_the_served_operations_have_modeled_errors():
    assert SERVED_ERRORS  # the derivation found operations, and errors for them
    assert {service for service, _, _ in SERVED_ERRORS} == set(SERVICES)


@pytest.mark.parametrize(("service", "operation", "code"), SERVED_ERRORS)
def test_every_modeled_error_of_a_served_operation_becomes_its_kit_class(service, operation, code):
    error = from_aws_code(code, "what went wrong")
    expected = kit_class_of(code)
    if expected is None:
        assert code in KEPT_AS_BASE, f"{service} {operation} can return {code}: give it a class in errors.py"
        assert (type(error), error.code) == (FeatureStoreError, code)
    else:
        assert type(error) is expected
    assert str(error) == "what went wrong"


@pytest.mark.parametrize("code", sorted(KEPT_AS_BASE))
def test_every_code_kept_as_base_is_served_and_has_no_class(code):
    assert code in {served for _, _, served in SERVED_ERRORS}
    assert kit_class_of(code) is None and code not in ERRORS_BY_CODE


@pytest.mark.parametrize("code", sorted(ERRORS_BY_CODE))
def test_every_code_in_the_table_is_its_class_s_error(code):
    error_class = ERRORS_BY_CODE[code]
    assert stem(code) == stem(error_class.code)
    # Another spelling than the class's own must be one a service's model really has.
    assert code == error_class.code or code in modeled_codes()


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
