"""Configuration, read from the environment when a backend is made (never at import time)."""

from __future__ import annotations

import os
from dataclasses import dataclass

from featurestore_demo.errors import ValidationException

__all__ = ["Settings", "BACKENDS", "DURABILITY", "MAX_OFFLINE_DELAY", "checked_durability", "checked_offline_delay"]

BACKENDS = ("local", "aws")
DURABILITY = ("process", "fsync")  # what a returned local write survives: a crash, or power loss too
MAX_OFFLINE_DELAY = 3600.0
"""Longest offline delay a local store takes, in seconds (AWS's buffering lags up to 15 minutes)."""


@dataclass(frozen=True)
class Settings:
    """Which backend, where local state lives and how durable its writes are, and what the AWS
    backend needs."""

    backend: str = "local"
    home: str = ".featurestore"
    durability: str = "process"
    offline_delay: float = 0.0
    prefix: str = ""
    role_arn: str | None = None
    s3_uri: str | None = None

    @classmethod
    def from_env(cls, backend: str | None = None) -> Settings:
        """Settings from ``FEATURESTORE_*`` variables; ``backend`` overrides FEATURESTORE_BACKEND."""
        chosen = backend or os.environ.get("FEATURESTORE_BACKEND") or "local"
        if chosen not in BACKENDS:
            raise ValidationException(
                f"Unknown backend '{chosen}': choose one of {', '.join(BACKENDS)} "
                "(--backend or FEATURESTORE_BACKEND)."
            )
        return cls(
            backend=chosen,
            home=os.environ.get("FEATURESTORE_HOME") or ".featurestore",
            durability=checked_durability(os.environ.get("FEATURESTORE_DURABILITY") or "process"),
            offline_delay=checked_offline_delay(os.environ.get("FEATURESTORE_OFFLINE_DELAY") or 0.0),
            prefix=os.environ.get("FEATURESTORE_PREFIX", ""),
            role_arn=os.environ.get("FEATURESTORE_ROLE_ARN") or None,
            s3_uri=os.environ.get("FEATURESTORE_S3_URI") or None,
        )

    def group_name(self, base: str) -> str:
        """The feature-group name of a demo group, with the configured prefix."""
        return f"{self.prefix}{base}"


def checked_durability(value: str) -> str:
    """``value`` if it is a durability setting (DURABILITY), else ValidationException."""
    if value not in DURABILITY:
        raise ValidationException(
            f"Unknown durability {value!r}: choose one of {', '.join(DURABILITY)} "
            "(durability= or FEATURESTORE_DURABILITY)."
        )
    return value


def checked_offline_delay(value: str | float) -> float:
    """``value`` as seconds if it is a number from 0 to MAX_OFFLINE_DELAY, else ValidationException."""
    try:
        seconds = float(value)
    except (TypeError, ValueError):
        seconds = -1.0
    if not 0 <= seconds <= MAX_OFFLINE_DELAY:
        raise ValidationException(
            f"Offline delay {value!r} is not a number of seconds from 0 to {MAX_OFFLINE_DELAY:g} "
            "(offline_delay=, --offline-delay or FEATURESTORE_OFFLINE_DELAY)."
        )
    return seconds
