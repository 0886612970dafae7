"""featurestore-demo: a test-driven learning kit for Amazon SageMaker Feature Store.

``get_backend("local")`` gives a feature store on this machine (dict online store, DuckDB
offline store); ``get_backend("aws")`` the same interface over boto3.
"""

from __future__ import annotations

from typing import Any

from featurestore_demo.backend import FeatureStoreBackend
from featurestore_demo.config import BACKENDS, Settings
from featurestore_demo.errors import (
    FeatureStoreError,
    ResourceInUse,
    ResourceLimitExceeded,
    ResourceNotFound,
    ValidationException,
)
from featurestore_demo.query_handle import QueryHandle
from featurestore_demo.schemas import (
    PRODUCTS,
    TRANSACTIONS,
    USERS,
    FeatureDefinition,
    FeatureGroupSpec,
    TtlDuration,
)

__all__ = [
    "BACKENDS",
    "FeatureDefinition",
    "FeatureGroupSpec",
    "FeatureStoreBackend",
    "FeatureStoreError",
    "PRODUCTS",
    "QueryHandle",
    "ResourceInUse",
    "ResourceLimitExceeded",
    "ResourceNotFound",
    "TRANSACTIONS",
    "TtlDuration",
    "USERS",
    "ValidationException",
    "get_backend",
]


def get_backend(name: str | None = None, **options: Any) -> FeatureStoreBackend:
    """A backend by name (``"local"`` or ``"aws"``; default FEATURESTORE_BACKEND, else local).

    ``options`` go to the backend's constructor (``home=...`` for local; ``role_arn=...``,
    ``s3_uri=...``, ``session=...`` for aws).
    """
    settings = Settings.from_env(name)
    if settings.backend == "local":
        from local_backend import LocalBackend

        options.setdefault("home", settings.home)
        return LocalBackend(**options)
    from featurestore_demo.aws.backend import AwsBackend

    return AwsBackend(settings=settings, **options)
