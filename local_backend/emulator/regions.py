"""Each region's feature store apart, as on AWS: the region is the one a request is signed for.

A request's region is the one of its SigV4 credential scope (an unsigned request: the
emulator's own region). Each region has its own :class:`~local_backend.LocalBackend` and its
own SageMaker, runtime, Athena and Glue services over it (a :class:`Stack`), opened on the
region's first request, so ARNs and ``ResolvedOutputS3Uri`` name the region, a group of one
region is unknown in another, and the same name may live in both. The emulator's own region
keeps its store in ``home``; another region in ``home/regions/<region>``. S3 is global, as on
AWS: every region's offline files are objects of one S3 (one ``s3_root``).

Departure: a region must be one botocore knows SageMaker in (or the emulator's own); a
request signed for another is refused with InvalidSignatureException ("Credential should be
scoped to a valid region"), which AWS answers when the scope and the endpoint disagree.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from functools import cache
from typing import TYPE_CHECKING, NamedTuple

import botocore.session

from featurestore_demo.errors import FeatureStoreError
from local_backend.emulator.router import Service, signing_region
from local_backend.emulator.wire import Request, Response, WireError

if TYPE_CHECKING:
    from local_backend.backend import LocalBackend
    from local_backend.emulator.athena import AthenaService
    from local_backend.emulator.glue_tables import GlueTables

__all__ = ["Stack", "Regions", "RegionalService", "RegionalGlue"]


class Stack(NamedTuple):
    """One region's store and the services over it."""

    backend: LocalBackend
    sagemaker: Service
    runtime: Service
    athena: AthenaService
    glue: GlueTables


@cache
def _sagemaker_regions() -> frozenset[str]:
    """The regions botocore's endpoint data has SageMaker in (every partition)."""
    session = botocore.session.get_session()
    return frozenset(region for partition in session.get_available_partitions()
                     for region in session.get_available_regions("sagemaker", partition))


class Regions:
    """The :class:`Stack` of each region, made by ``make(region)`` on its first use."""

    def __init__(self, default: str, make: Callable[[str], Stack]) -> None:
        self.default, self._make = default, make
        self._lock = threading.Lock()
        self._stacks: dict[str, Stack] = {}

    def of(self, authorization: str) -> Stack:
        """The stack of the region a request with this ``Authorization`` header is signed for."""
        region = signing_region(authorization) or self.default
        if region != self.default and region not in _sagemaker_regions():
            raise WireError("InvalidSignatureException",
                            f"Credential should be scoped to a valid region, not '{region[:64]}'.")
        return self.get(region)

    def get(self, region: str) -> Stack:
        with self._lock:
            stack = self._stacks.get(region)
            if stack is None:
                stack = self._stacks[region] = self._make(region)
            return stack

    def stacks(self) -> list[Stack]:
        """Every region's stack opened so far."""
        with self._lock:
            return list(self._stacks.values())


class RegionalService:
    """A service (SageMaker, runtime or Athena) answered by the stack of each request's region."""

    def __init__(self, regions: Regions, pick: Callable[[Stack], Service]) -> None:
        self.regions, self.pick = regions, pick
        self.internal_code = pick(regions.get(regions.default)).internal_code

    def handle(self, request: Request) -> Response:
        try:
            stack = self.regions.of(request.headers.get("authorization", ""))
        except FeatureStoreError as error:
            return self.error(error)
        return self.pick(stack).handle(request)

    def error(self, error: FeatureStoreError) -> Response:
        return self.pick(self.regions.get(self.regions.default)).error(error)


class RegionalGlue:
    """Passes a Glue delete on to the Glue tables of the request's region (router.GlueHook)."""

    def __init__(self, regions: Regions) -> None:
        self.regions = regions

    def after_delete(self, operation: str, body: bytes, response: bytes, region: str) -> None:
        """A region SageMaker is not in has no feature store, so no tables to drop."""
        region = region or self.regions.default
        if region == self.regions.default or region in _sagemaker_regions():
            self.regions.get(region).glue.after_delete(operation, body, response)
