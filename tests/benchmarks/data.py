"""Synthetic data for the benchmarks: entities with ~10 versions each, and labels over them."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from featurestore_demo.schemas import PRODUCTS, USERS

T0 = 1_704_067_200.0  # 2024-01-01
SPAN = 90 * 86_400.0


@dataclass(frozen=True)
class Size:
    """How much data a point-in-time benchmark joins."""

    name: str
    labels: int
    user_rows: int
    product_rows: int
    versions: int = 10


SIZES = {
    "S": Size("S", 100_000, 100_000, 10_000),
    "M": Size("M", 300_000, 300_000, 30_000),
    "L": Size("L", 1_000_000, 1_000_000, 100_000),
}


def _ids(prefix: str, count: int) -> np.ndarray:
    return np.array([f"{prefix}_{i:07d}" for i in range(count)], dtype=object)


def users_frame(rows: int, versions: int = 10, seed: int = 1) -> pd.DataFrame:
    """``rows`` user rows: ``rows // versions`` users with ``versions`` versions each."""
    rng = np.random.default_rng(seed)
    entity = rng.integers(0, max(rows // versions, 1), rows)
    return pd.DataFrame(
        {
            "user_id": _ids("user", max(rows // versions, 1))[entity],
            "age": rng.integers(18, 80, rows),
            "membership_tier":
                np.array(["bronze", "silver", "gold", "platinum"], dtype=object)[rng.integers(0, 4, rows)],
            "total_purchases": rng.integers(0, 100, rows),
            "avg_order_value": np.round(rng.uniform(5, 200, rows), 2),
            "event_time": np.round(T0 + rng.uniform(0, SPAN, rows), 3),
        }
    )[USERS.feature_names]


def products_frame(rows: int, versions: int = 10, seed: int = 2) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    entity = rng.integers(0, max(rows // versions, 1), rows)
    return pd.DataFrame(
        {
            "product_id": _ids("prod", max(rows // versions, 1))[entity],
            "category": np.array(["books", "home", "toys"], dtype=object)[rng.integers(0, 3, rows)],
            "price": np.round(rng.uniform(1, 500, rows), 2),
            "avg_rating": np.round(rng.uniform(1, 5, rows), 2),
            "stock_level": rng.integers(0, 1000, rows),
            "event_time": np.round(T0 + rng.uniform(0, SPAN, rows), 3),
        }
    )[PRODUCTS.feature_names]


def labels_frame(size: Size, seed: int = 3) -> pd.DataFrame:
    """Transactions over the same users and products, at random times in the span."""
    rng = np.random.default_rng(seed)
    users, products = max(size.user_rows // size.versions, 1), max(size.product_rows // size.versions, 1)
    return pd.DataFrame(
        {
            "transaction_id": _ids("txn", size.labels),
            "user_id": _ids("user", users)[rng.integers(0, users, size.labels)],
            "product_id": _ids("prod", products)[rng.integers(0, products, size.labels)],
            "event_time": np.round(T0 + rng.uniform(0, SPAN, size.labels), 3),
        }
    )
