"""Test doubles shared by the unit tests."""

from __future__ import annotations


class Clock:
    """A clock the test moves by hand: pass it as ``LocalBackend(clock=...)``, set ``now``."""

    def __init__(self, now: float) -> None:
        self.now = now

    def __call__(self) -> float:
        return self.now
