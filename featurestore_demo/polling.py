"""Waiting for an asynchronous lifecycle (Creating -> Created, InProgress -> Successful).

One loop for every wait: bounded backoff (50 ms doubling to 5 s), a timeout that says what
was awaited, and a failed state raised with the service's reason (SAGEMAKER_SPEC §1.5). The
waits of a feature group poll its DescribeFeatureGroup response through ``describe``.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any

from featurestore_demo.errors import ResourceNotFound, ValidationException

__all__ = ["poll", "wait_for_group_status", "wait_for_update"]

FIRST_DELAY = 0.05
MAX_DELAY = 5.0
Describe = Callable[[str], dict[str, Any]]
"""DescribeFeatureGroup of a group name."""


def poll(
    probe: Callable[[], tuple[str, dict[str, Any]]],
    target: str,
    *,
    subject: str,
    timeout: float,
    on_poll: Callable[[str], None] | None = None,
) -> dict[str, Any]:
    """Call ``probe`` until the status it returns is ``target``; returns the details it returned with it.

    ``probe`` returns (status, details). A status ending in ``Failed`` raises ValidationException
    with ``details["FailureReason"]``; TimeoutError after ``timeout`` seconds. ``on_poll(status)``
    is called before each wait. ``subject`` names what is awaited in those errors.
    """
    deadline = time.monotonic() + timeout
    delay = FIRST_DELAY
    while True:
        status, details = probe()
        if status == target:
            return details
        if status.endswith("Failed"):
            raise ValidationException(f"{subject} is {status}: {details.get('FailureReason', '')}")
        if on_poll is not None:
            on_poll(status)
        if time.monotonic() + delay > deadline:
            raise TimeoutError(f"{subject} was still {status} after {timeout:g} s (waited for {target}).")
        time.sleep(delay)
        delay = min(delay * 2, MAX_DELAY)


def wait_for_group_status(
    describe: Describe, name: str, status: str, *, timeout: float, on_poll: Callable[[str], None] | None
) -> dict[str, Any]:
    """The description once FeatureGroupStatus is ``status``; ``"Deleted"`` waits until the group is gone."""

    def probe() -> tuple[str, dict[str, Any]]:
        try:
            description = describe(name)
        except ResourceNotFound:
            if status == "Deleted":
                return status, {}
            raise
        return description.get("FeatureGroupStatus", ""), description

    return poll(probe, status, subject=f"Feature group '{name}'", timeout=timeout, on_poll=on_poll)


def wait_for_update(describe: Describe, name: str, *, timeout: float) -> None:
    """Return once the group's LastUpdateStatus is Successful (a group never updated counts as one)."""

    def probe() -> tuple[str, dict[str, Any]]:
        update = describe(name).get("LastUpdateStatus") or {"Status": "Successful"}
        return update["Status"], update

    poll(probe, "Successful", subject=f"The update of feature group '{name}'", timeout=timeout)
