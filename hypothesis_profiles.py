"""Hypothesis profiles, chosen by ``HYPOTHESIS_PROFILE``: ``dev`` (the default) and ``ci``.

At the top of the repository, beside the conftest that loads them, so that every virtualenv
(the compat clients' ones too, where a third-party ``tests`` package can shadow ours) imports it.

``ci`` runs the full example counts the property tests were written for (``.ci/run`` sets
it); ``dev`` runs a fifth of them, for a quick ``make test``. Neither touches deadlines or
randomness: each test keeps its own ``deadline``, and examples stay random in both.
"""

from __future__ import annotations

import os

from hypothesis import settings

__all__ = ["PROFILES", "load_profile", "examples"]

PROFILES = {"dev": 20, "ci": 100}
"""max_examples of each profile; ``ci`` is Hypothesis's default, what ``@given`` alone runs."""


def load_profile() -> str:
    """Register the profiles and load the one ``HYPOTHESIS_PROFILE`` names (default ``dev``)."""
    for name, count in PROFILES.items():
        settings.register_profile(name, max_examples=count)
    name = os.environ.get("HYPOTHESIS_PROFILE", "dev")
    settings.load_profile(name)  # an unknown name raises InvalidArgument, naming the profiles
    return name


def examples(full: int) -> int:
    """``full`` under ``ci``; under another profile, scaled by its share of ``ci``'s count (at least 1).

    For tests that set their own ``max_examples``, which a profile alone would not change.
    """
    return max(1, full * settings.default.max_examples // PROFILES["ci"])
