"""The point-in-time join at S, M and L, beside a plain DuckDB ASOF join and pandas.merge_asof.

The references join the same data but skip the kit's full rule (no de-duplication of equal
event times, no delete markers), so the ratio is the price of correctness.
"""

from __future__ import annotations

import duckdb
import pandas as pd
import pytest

from featurestore_demo.schemas import PRODUCTS, USERS
from local_backend import LocalBackend
from tests.benchmarks.data import DEFAULT_SIZES, SIZES, Size, labels_frame, products_frame, users_frame


@pytest.fixture(scope="module", params=list(DEFAULT_SIZES), ids=list(DEFAULT_SIZES))
def pit_data(request, tmp_path_factory):
    """(size, labels, users, products, a local store holding users and products)."""
    size: Size = SIZES[request.param]
    users, products = users_frame(size.user_rows), products_frame(size.product_rows)
    backend = LocalBackend(tmp_path_factory.mktemp(f"pit-{size.name}"))
    backend.create_feature_group(USERS)
    backend.create_feature_group(PRODUCTS)
    backend.ingest("users", users)
    backend.ingest("products", products)
    backend.write_out_offline()  # the offline files are written: no export competes with the join
    yield size, labels_frame(size, users), users, products, backend
    backend.close()


def _group(size: Size) -> str:
    return (f"point_in_time_join, {size.name} ({size.labels:,} labels, {size.user_rows:,} user rows, "
            f"{size.product_rows:,} product rows)")


def test_point_in_time_join_kit(benchmark, pit_data) -> None:
    size, labels, _, _, backend = pit_data
    benchmark.group = _group(size)
    benchmark.extra_info["role"] = "kit"
    joined = benchmark.pedantic(backend.point_in_time_join, args=(labels, ["users", "products"]), rounds=3)
    assert len(joined) == len(labels)


def test_point_in_time_duckdb_asof_reference(benchmark, pit_data) -> None:
    size, labels, users, products, _ = pit_data
    benchmark.group = _group(size)
    benchmark.extra_info["role"] = "DuckDB ASOF JOIN"
    con = duckdb.connect()
    for name, frame in (("labels", labels), ("users", users), ("products", products)):
        con.register(name, frame)
    sql = """
        SELECT l.*, u.age, u.membership_tier, u.total_purchases, u.avg_order_value,
               p.category, p.price, p.avg_rating, p.stock_level
        FROM labels l
        ASOF LEFT JOIN users u ON l.user_id = u.user_id AND l.event_time >= u.event_time
        ASOF LEFT JOIN products p ON l.product_id = p.product_id AND l.event_time >= p.event_time
    """
    joined = benchmark.pedantic(lambda: con.execute(sql).df(), rounds=3)
    assert len(joined) == len(labels)


def test_point_in_time_merge_asof_reference(benchmark, pit_data) -> None:
    size, labels, users, products, _ = pit_data
    benchmark.group = _group(size)
    benchmark.extra_info["role"] = "pandas.merge_asof"

    def join() -> pd.DataFrame:
        left = labels.sort_values("event_time")
        right_users = users.sort_values("event_time").rename(columns={"event_time": "user_time"})
        right_products = products.sort_values("event_time").rename(columns={"event_time": "product_time"})
        joined = pd.merge_asof(left, right_users, left_on="event_time", right_on="user_time", by="user_id")
        return pd.merge_asof(joined, right_products, left_on="event_time", right_on="product_time", by="product_id")

    joined = benchmark.pedantic(join, rounds=3)
    assert len(joined) == len(labels)
