"""What every step of the demo gets: the backend, the console, the settings and its options."""

from __future__ import annotations

import argparse
from dataclasses import dataclass

from rich.console import Console

from featurestore_demo.backend import FeatureStoreBackend
from featurestore_demo.config import Settings
from featurestore_demo.schemas import DEMO_GROUPS, PRODUCTS, TRANSACTIONS, USERS, FeatureGroupSpec

__all__ = ["StepContext"]


@dataclass
class StepContext:
    """One run of a step: where to read and write, where to print, and the parsed options."""

    backend: FeatureStoreBackend
    console: Console
    settings: Settings
    options: argparse.Namespace

    def spec(self, base: FeatureGroupSpec) -> FeatureGroupSpec:
        """A demo group's spec under its configured name (``FEATURESTORE_PREFIX`` + name)."""
        return base.with_name(self.settings.group_name(base.name))

    @property
    def users(self) -> FeatureGroupSpec:
        return self.spec(USERS)

    @property
    def products(self) -> FeatureGroupSpec:
        return self.spec(PRODUCTS)

    @property
    def transactions(self) -> FeatureGroupSpec:
        return self.spec(TRANSACTIONS)

    def demo_specs(self) -> list[FeatureGroupSpec]:
        return [self.spec(base) for base in DEMO_GROUPS]
