"""What botocore's service models say, read once: the enums the kit checks values against.

The models are the source of truth for the API's value sets (a hand copy drifts: one refused
``Standard_V2`` once the model had it). boto3 is a dependency of the kit, so botocore is there.
"""

from __future__ import annotations

from functools import cache

import botocore.session
from botocore.model import ServiceModel

__all__ = ["model_enum", "service_model"]


@cache
def service_model(service: str) -> ServiceModel:
    """botocore's model of ``service`` (e.g. ``"sagemaker"``), loaded once."""
    return botocore.session.get_session().get_service_model(service)


def model_enum(service: str, shape: str) -> tuple[str, ...]:
    """The enum of the string shape ``shape`` of ``service``, in the model's order.

    The shape must exist and be an enum; a missing one is a bug of the kit (botocore's
    NoShapeFoundError, or ValueError).
    """
    values = tuple(getattr(service_model(service).shape_for(shape), "enum", None) or ())
    if not values:
        raise ValueError(f"{service} shape {shape} has no enum")
    return values
