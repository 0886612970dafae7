"""Feast's side of the benchmarks, run in Feast's own virtualenv (``.venv-feast``, ``make bench-feast``).

``python -m tests.benchmarks.feast_worker historical DIR ROUNDS`` times Feast's
``get_historical_features(...).to_df()`` with its DuckDB offline store over the Parquet files the
kit's benchmark wrote in DIR (``users.parquet``, ``products.parquet``, ``labels.parquet``);
``online DIR`` materializes the users into Feast's SQLite online store and times
``get_online_features`` for one id and for a batch of 100. Each writes ``DIR/<mode>.json`` (the
per-call times, Feast's version, the peak RSS increase) and the answers as Parquet, so the kit's
side checks that both computed the same values before it shows the times side by side.

Only Feast, pandas and the standard library are imported here: this runs in a virtualenv that
does not hold the kit.
"""

from __future__ import annotations

import json
import sys
import time
from datetime import timedelta
from pathlib import Path

import pandas as pd
from feast import Entity, FeatureStore, FeatureView, Field, FileSource, ValueType
from feast import __version__ as feast_version
from feast.repo_config import RepoConfig
from feast.types import Float64, Int64, String

from tests.benchmarks.memory import PeakMemory

USER_FEATURES = {"age": Int64, "membership_tier": String, "total_purchases": Int64, "avg_order_value": Float64}
PRODUCT_FEATURES = {"category": String, "price": Float64, "avg_rating": Float64, "stock_level": Int64}
ONLINE_IDS = [f"user_{i:07d}" for i in range(100)]  # the ids the kit's online benchmarks read
ONLINE_SECONDS = 2.0  # per online measure, after a warm-up


def feature_store(folder: Path) -> FeatureStore:
    """A Feast repo in ``folder``: DuckDB offline store over the Parquet files, SQLite online store."""
    config = RepoConfig(
        project="bench",
        provider="local",
        registry=str(folder / "registry.db"),
        offline_store={"type": "duckdb"},
        online_store={"type": "sqlite", "path": str(folder / "online.db")},
        entity_key_serialization_version=3,
        repo_path=str(folder),
    )
    store = FeatureStore(config=config)
    user = Entity(name="user", join_keys=["user_id"], value_type=ValueType.STRING)
    product = Entity(name="product", join_keys=["product_id"], value_type=ValueType.STRING)
    views = [
        FeatureView(
            name=name,
            entities=[entity],
            ttl=timedelta(0),  # no maximum age, as the kit's join without max_age
            schema=[Field(name=feature, dtype=dtype) for feature, dtype in features.items()],
            source=FileSource(path=str(folder / f"{name}.parquet"), timestamp_field="event_timestamp"),
        )
        for name, entity, features in (("users", user, USER_FEATURES), ("products", product, PRODUCT_FEATURES))
    ]
    store.apply([user, product, *views])
    return store


def historical(folder: Path, rounds: int) -> dict:
    store = feature_store(folder)
    labels = pd.read_parquet(folder / "labels.parquet")
    features = [f"users:{name}" for name in USER_FEATURES] + [f"products:{name}" for name in PRODUCT_FEATURES]
    times, memory = [], PeakMemory()  # one meter keeps the largest peak of the rounds
    for _ in range(rounds):
        memory.start()
        start = time.perf_counter()
        joined = store.get_historical_features(entity_df=labels, features=features).to_df()
        times.append(time.perf_counter() - start)
        memory.stop()
    joined[["transaction_id", *USER_FEATURES, *PRODUCT_FEATURES]].to_parquet(folder / "historical.parquet")
    return {"seconds": times, "peak_rss_increase": memory.increase, "peak_rss": memory.peak, "rows": len(joined)}


def _timed(call, seconds: float) -> list[float]:
    """Per-call times of ``call`` for about ``seconds``, after a warm-up of a tenth of that."""
    warm_until = time.perf_counter() + seconds / 10
    while time.perf_counter() < warm_until:
        call()
    times: list[float] = []
    until = time.perf_counter() + seconds
    while time.perf_counter() < until:
        start = time.perf_counter()
        call()
        times.append(time.perf_counter() - start)
    return times


def online(folder: Path) -> dict:
    store = feature_store(folder)
    users = pd.read_parquet(folder / "users.parquet", columns=["event_timestamp"])
    start = time.perf_counter()
    store.materialize(users["event_timestamp"].min() - timedelta(seconds=1),
                      users["event_timestamp"].max() + timedelta(seconds=1), feature_views=["users"])
    materialize_seconds = time.perf_counter() - start
    features = [f"users:{name}" for name in USER_FEATURES]

    def read(ids: list[str]) -> dict:
        return store.get_online_features(features=features, entity_rows=[{"user_id": i} for i in ids]).to_dict()

    one = _timed(lambda: read(ONLINE_IDS[42:43]), ONLINE_SECONDS)
    batch = _timed(lambda: read(ONLINE_IDS), ONLINE_SECONDS)
    pd.DataFrame(read(ONLINE_IDS)).to_parquet(folder / "online.parquet")
    return {"one": one, "batch": batch, "materialize_seconds": materialize_seconds}


def main(argv: list[str]) -> int:
    mode, folder = argv[0], Path(argv[1])
    result = historical(folder, int(argv[2])) if mode == "historical" else online(folder)
    result["feast_version"] = feast_version
    (folder / f"{mode}.json").write_text(json.dumps(result))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
