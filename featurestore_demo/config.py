"""Configuration, read from the environment when a backend is made (never at import time)."""

from __future__ import annotations

import os
from dataclasses import dataclass

from featurestore_demo.errors import ValidationException

__all__ = ["Settings", "BACKENDS", "DURABILITY", "checked_durability"]

BACKENDS = ("local", "aws")
DURABILITY = ("process", "fsync")  # what a returned local write survives: a crash, or power loss too


@dataclass(frozen=True)
class Settings:
    """Which backend, where local state lives and how durable its writes are, and what the AWS
    backend needs."""

    backend: str = "local"
    home: str = ".featurestore"
    durability: str = "process"
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
