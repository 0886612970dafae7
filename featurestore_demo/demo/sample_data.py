"""Deterministic sample data in which time matters.

Users sign up, then buy; five minutes after each purchase their features are recomputed
(``total_purchases``, ``avg_order_value`` and ``membership_tier`` change), as a feature
pipeline would do. Products get a weekly snapshot (price, rating, stock). Transactions are the
labels. Because the user's row that includes a purchase is written *after* the purchase, a
point-in-time join sees the state before it, while a naive join of the latest values leaks
the purchase (and every later one) into its own features.

A purchase's amount is half the product's price of that week plus the user's spending level
times some noise. Spending levels drift: over the 90 days some users come to spend more, some
less (``SPEND_DRIFT``). So the user's final average knows where each user's spending went,
which no feature served at purchase time can know: the leak the point-in-time lesson measures.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timezone

import numpy as np
import pandas as pd

__all__ = ["SampleData", "generate", "DEFAULT_START", "FEATURE_LAG_SECONDS", "tier_for"]

DEFAULT_START = datetime(2024, 1, 1, tzinfo=timezone.utc)
FEATURE_LAG_SECONDS = 300.0
DAY = 86_400.0
WEEK = 7 * DAY
TIERS = ("bronze", "silver", "gold", "platinum")
TIER_THRESHOLDS = (3, 6, 10)  # purchases needed for silver, gold, platinum
CATEGORIES = ("electronics", "books", "home", "sports", "toys", "beauty")
SPEND_DRIFT = 0.5  # standard deviation of the log-change of a user's spending over the period


@dataclass(frozen=True)
class SampleData:
    """Every version of every user and product, and the transactions, as DataFrames."""

    users: pd.DataFrame
    products: pd.DataFrame
    transactions: pd.DataFrame


def tier_for(total_purchases: np.ndarray) -> np.ndarray:
    """The membership tier earned by a number of purchases."""
    return np.array(TIERS, dtype=object)[np.searchsorted(TIER_THRESHOLDS, total_purchases, side="right")]


def generate(
    n_users: int = 100,
    n_products: int = 50,
    n_transactions: int = 1_000,
    *,
    seed: int = 42,
    start: datetime = DEFAULT_START,
    days: int = 90,
) -> SampleData:
    """The same data for the same arguments, at any size."""
    if min(n_users, n_products) < 1 or n_transactions < 0 or days < 14:
        raise ValueError("need at least one user and one product, and at least 14 days")
    rng = np.random.default_rng(seed)
    t0 = start.timestamp()
    signup = t0 + rng.uniform(0, 10 * DAY, n_users)
    spend_level = rng.lognormal(mean=3.5, sigma=0.6, size=n_users)
    prices = _price_walk(rng, n_products, weeks=days // 7 + 1)
    transactions = _transactions(rng, n_transactions, signup, spend_level, prices, t0, days)
    users = _user_versions(rng, signup, transactions)
    products = _product_versions(rng, prices, transactions, t0)
    return SampleData(users=users, products=products, transactions=transactions)


def _ids(prefix: str, count: int) -> np.ndarray:
    width = max(4, len(str(count)))
    return np.array([f"{prefix}_{i:0{width}d}" for i in range(1, count + 1)], dtype=object)


def _price_walk(rng: np.random.Generator, n_products: int, weeks: int) -> np.ndarray:
    """Weekly prices per product: a base price and a gentle random walk."""
    base = rng.lognormal(mean=3.2, sigma=0.7, size=(n_products, 1))
    steps = rng.normal(1.0, 0.04, size=(n_products, weeks)).cumprod(axis=1)
    return np.round(base * steps, 2)


def _transactions(
    rng: np.random.Generator,
    count: int,
    signup: np.ndarray,
    spend_level: np.ndarray,
    prices: np.ndarray,
    t0: float,
    days: int,
) -> pd.DataFrame:
    n_users, n_products = len(signup), prices.shape[0]
    activity = rng.pareto(1.5, n_users) + 0.2
    user = rng.choice(n_users, size=count, p=activity / activity.sum())
    product = rng.integers(0, n_products, size=count)
    times = np.maximum(signup[user] + 60.0, t0 + rng.uniform(10 * DAY, days * DAY, count))
    order = np.argsort(times, kind="stable")
    user, product, times = user[order], product[order], np.round(times[order], 3)
    week = ((times - t0) // WEEK).astype(int)
    drift = rng.normal(0.0, SPEND_DRIFT, n_users)[user] * (times - t0) / (days * DAY)
    amount = 0.5 * prices[product, week] + spend_level[user] * np.exp(drift) * rng.lognormal(0.0, 0.3, count)
    return pd.DataFrame(
        {
            "transaction_id": _ids("txn", count),
            "user_id": _ids("user", n_users)[user],
            "product_id": _ids("prod", n_products)[product],
            "purchase_amount": np.round(amount, 2),
            "event_time": times,
        }
    )


def _user_versions(rng: np.random.Generator, signup: np.ndarray, transactions: pd.DataFrame) -> pd.DataFrame:
    n_users = len(signup)
    user_ids = _ids("user", n_users)
    ages = rng.integers(18, 75, n_users)
    first = pd.DataFrame(
        {
            "user_id": user_ids,
            "age": ages,
            "membership_tier": "bronze",
            "total_purchases": 0,
            "avg_order_value": 0.0,
            "event_time": np.round(signup, 3),
        }
    )
    by_user = transactions.groupby("user_id", sort=False)["purchase_amount"]
    total = by_user.cumcount().to_numpy() + 1
    average = np.round(by_user.cumsum().to_numpy() / total, 2)
    index = pd.Index(user_ids).get_indexer(transactions["user_id"])
    after = pd.DataFrame(
        {
            "user_id": transactions["user_id"].to_numpy(),
            "age": ages[index],
            "membership_tier": tier_for(total),
            "total_purchases": total,
            "avg_order_value": average,
            "event_time": np.round(transactions["event_time"].to_numpy() + FEATURE_LAG_SECONDS, 3),
        }
    )
    versions = pd.concat([first, after], ignore_index=True)
    return versions.sort_values("event_time", kind="stable", ignore_index=True)


def _product_versions(
    rng: np.random.Generator, prices: np.ndarray, transactions: pd.DataFrame, t0: float
) -> pd.DataFrame:
    n_products, weeks = prices.shape
    product_ids = _ids("prod", n_products)
    snapshot = t0 + np.arange(weeks) * WEEK
    sold = np.zeros((n_products, weeks), dtype=np.int64)
    if len(transactions):
        product = pd.Index(product_ids).get_indexer(transactions["product_id"])
        week = np.searchsorted(snapshot, transactions["event_time"].to_numpy(), side="left")
        np.add.at(sold, (product, np.minimum(week, weeks - 1)), 1)
    stock = rng.integers(50, 500, size=(n_products, 1)) - sold.cumsum(axis=1)
    stock = np.where(stock < 10, stock + 200, stock)  # restocked when low
    drift = rng.normal(0, 0.05, (n_products, weeks)).cumsum(axis=1)
    rating = np.clip(rng.uniform(3.0, 4.8, (n_products, 1)) + drift, 1.0, 5.0)
    return pd.DataFrame(
        {
            "product_id": np.repeat(product_ids, weeks),
            "category": np.repeat(np.array(CATEGORIES, dtype=object)[np.arange(n_products) % len(CATEGORIES)], weeks),
            "price": prices.ravel(),
            "avg_rating": np.round(rating, 2).ravel(),
            "stock_level": stock.ravel(),
            "event_time": np.tile(snapshot, n_products),
        }
    ).sort_values("event_time", kind="stable", ignore_index=True)
