"""One error hierarchy for every backend, carrying the AWS error codes.

The local backend raises these classes directly; the AWS backend maps botocore's
``ClientError`` onto them in one place (:func:`from_aws_code`). The emulator turns them back
into the AWS wire error of the service being spoken.
"""

from __future__ import annotations

from typing import ClassVar

__all__ = [
    "FeatureStoreError",
    "ValidationException",
    "ResourceNotFound",
    "ResourceInUse",
    "ResourceLimitExceeded",
    "ServiceUnavailable",
    "ConflictException",
    "ERRORS_BY_CODE",
    "from_aws_code",
]


class FeatureStoreError(Exception):
    """Base class: ``code`` is the AWS error code, ``str(error)`` the message AWS would send."""

    code: ClassVar[str] = "InternalFailure"

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


class ValidationException(FeatureStoreError):
    """Bad input. The control plane calls it ValidationException, the runtime ValidationError."""

    code = "ValidationException"


class ResourceNotFound(FeatureStoreError):
    """The named feature group (or feature) does not exist."""

    code = "ResourceNotFound"


class ResourceInUse(FeatureStoreError):
    """The resource exists already, or is held by someone else (a locked local store)."""

    code = "ResourceInUse"


class ResourceLimitExceeded(FeatureStoreError):
    """An account quota was reached (e.g. 100 feature groups)."""

    code = "ResourceLimitExceeded"


class ServiceUnavailable(FeatureStoreError):
    """The store cannot take the request now (locally: the disk is full or failed); nothing
    was written, and the same request succeeds once the cause is fixed."""

    code = "ServiceUnavailable"
    status = 503  # on every protocol of the emulator, as the runtime models it


class ConflictException(FeatureStoreError):
    """The write conflicts with the stored state: an UpdateRecord whose EventTime is older than
    the record's (the runtime answers it with status 409)."""

    code = "ConflictException"


ERRORS_BY_CODE: dict[str, type[FeatureStoreError]] = {
    "ValidationException": ValidationException,
    "ValidationError": ValidationException,  # the runtime's spelling of the same thing
    "ResourceNotFound": ResourceNotFound,
    "ResourceNotFoundException": ResourceNotFound,
    "ResourceInUse": ResourceInUse,
    "ResourceLimitExceeded": ResourceLimitExceeded,
    "ServiceUnavailable": ServiceUnavailable,
    "ConflictException": ConflictException,
}


def from_aws_code(code: str, message: str) -> FeatureStoreError:
    """The kit's error for an AWS error code; unknown codes keep their code on a base error."""
    error_class = ERRORS_BY_CODE.get(code)
    if error_class is not None:
        return error_class(message)
    error = FeatureStoreError(message)
    error.code = code  # type: ignore[misc]  # keep the service's own code
    return error
