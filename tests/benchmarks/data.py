"""Synthetic data for the benchmarks: entities with ~10 versions each, and labels over them.

Vectorised end to end (ids are built as Arrow string buffers, text columns by Arrow ``take``),
so the 10M-row frames of XL are made in seconds, not minutes. The values are those of the
random draws in a fixed order: a frame of a given size and seed is the same in every run.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd
import pyarrow as pa

from featurestore_demo.schemas import PRODUCTS, USERS

T0 = 1_704_067_200.0  # 2024-01-01
SPAN = 90 * 86_400.0
TIED = 0.01  # share of labels whose time is exactly a feature row's event time (the `<=` edge)


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
    "XL": Size("XL", 10_000_000, 10_000_000, 1_000_000),  # make bench-xl only
}
DEFAULT_SIZES = ("S", "M", "L")

_DIGITS = np.array([list(f"{i:04d}".encode()) for i in range(10_000)], dtype=np.uint8)  # "0000".."9999"


def ids(prefix: str, count: int) -> pa.StringArray:
    """``prefix_0000000`` ... as one Arrow array (at least 7 digits, as ``f"{i:07d}"`` writes)."""
    head = f"{prefix}_".encode()
    width = len(head) + max(7, len(str(max(count - 1, 0))))
    chars = np.empty((count, width), dtype=np.uint8)
    chars[:, : len(head)] = np.frombuffer(head, dtype=np.uint8)
    rest, end = np.arange(count, dtype=np.int64), width
    while end > len(head):  # four digits at a time, from the right
        digits = min(4, end - len(head))
        rest, low = np.divmod(rest, 10_000)
        chars[:, end - digits : end] = _DIGITS[low, 4 - digits :]
        end -= digits
    offsets = np.arange(count + 1, dtype=np.int32) * width
    return pa.Array.from_buffers(pa.string(), count, [None, pa.py_buffer(offsets), pa.py_buffer(chars)])


def id_column(prefix: str, count: int) -> pd.api.extensions.ExtensionArray | np.ndarray:
    """:func:`ids` as a frame's text column."""
    return _text(ids(prefix, count))


def _text(values: pa.Array) -> pd.api.extensions.ExtensionArray | np.ndarray:
    """An Arrow string array as the text column this pandas makes (``str`` on pandas 3)."""
    dtype = pd.Series(["x"]).dtype
    if dtype is np.dtype(object):  # pandas 2 without the string inference: Python strings
        return values.to_numpy(zero_copy_only=False)
    return pd.array(values, dtype=dtype)


def _pick(choices: list[str], indices: np.ndarray) -> pd.api.extensions.ExtensionArray | np.ndarray:
    return _text(pa.array(choices).take(indices))


def users_frame(rows: int, versions: int = 10, seed: int = 1) -> pd.DataFrame:
    """``rows`` user rows: ``rows // versions`` users with ``versions`` versions each."""
    rng = np.random.default_rng(seed)
    entity = rng.integers(0, max(rows // versions, 1), rows)
    return pd.DataFrame(
        {
            "user_id": _text(ids("user", max(rows // versions, 1)).take(entity)),
            "age": rng.integers(18, 80, rows),
            "membership_tier": _pick(["bronze", "silver", "gold", "platinum"], rng.integers(0, 4, rows)),
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
            "product_id": _text(ids("prod", max(rows // versions, 1)).take(entity)),
            "category": _pick(["books", "home", "toys"], rng.integers(0, 3, rows)),
            "price": np.round(rng.uniform(1, 500, rows), 2),
            "avg_rating": np.round(rng.uniform(1, 5, rows), 2),
            "stock_level": rng.integers(0, 1000, rows),
            "event_time": np.round(T0 + rng.uniform(0, SPAN, rows), 3),
        }
    )[PRODUCTS.feature_names]


def labels_frame(size: Size, users: pd.DataFrame, tied: float = TIED, seed: int = 3) -> pd.DataFrame:
    """Transactions over the same users and products, at random times in the span.

    A share ``tied`` of them (every 1/tied-th label) takes the user and the event time of a
    random row of ``users``, so the join's inclusive edge (feature time == label time) is
    exercised as often in every run.
    """
    rng = np.random.default_rng(seed)
    users_count, products = max(size.user_rows // size.versions, 1), max(size.product_rows // size.versions, 1)
    user = rng.integers(0, users_count, size.labels)
    product = rng.integers(0, products, size.labels)
    times = np.round(T0 + rng.uniform(0, SPAN, size.labels), 3)
    user_ids = ids("user", users_count).take(user)
    if tied and len(users):
        at = np.arange(0, size.labels, max(round(1 / tied), 1))
        rows = np.random.default_rng(seed + 1).integers(0, len(users), len(at))
        times[at] = users["event_time"].to_numpy()[rows]
        index = np.arange(size.labels)
        index[at] = size.labels + np.arange(len(at))  # the tied labels take the users' ids
        user_ids = pa.concat_arrays([user_ids, pa.array(users["user_id"].iloc[rows], pa.string())]).take(index)
    return pd.DataFrame(
        {
            "transaction_id": _text(ids("txn", size.labels)),
            "user_id": _text(user_ids),
            "product_id": _text(ids("prod", products).take(product)),
            "event_time": times,
        }
    )
