"""The point-in-time join at S, M and L (and XL with ``make bench-xl``), beside a bare DuckDB
ASOF join, pandas.merge_asof and Feast's get_historical_features, on the same data.

The references join the same data but skip the kit's full rule (no de-duplication of equal
event times, no delete markers), so the ratio is the price of correctness. Each row reports
the time per label row (cost per row should stay flat from S to XL) and the peak resident
memory the call added (native memory included: see memory.py). The answers are compared:
every reference must give each label the kit's feature values, or the comparison is unfair.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import duckdb
import pandas as pd
import pytest

from featurestore_demo.schemas import PRODUCTS, USERS
from local_backend import LocalBackend
from tests.benchmarks.answers import disagreements
from tests.benchmarks.data import SIZES, Size, labels_frame, products_frame, users_frame
from tests.benchmarks.feast_side import (
    feast_python,
    record_external_times,
    run_feast,
    write_feast_inputs,
)
from tests.benchmarks.memory import PeakMemory, format_bytes

ROUNDS = {"XL": 1}  # rounds per size, 3 if not listed: one XL join takes minutes on 2 cores
FEATURES = [name for spec in (USERS, PRODUCTS) for name in spec.feature_names
            if name not in (spec.record_identifier_name, spec.event_time_feature_name)]
FEAST_SIZES = ("S", "M", "L")  # at XL its range join (10M labels x 10 versions) is left out
MERGE_ASOF_SIZES = ("S", "M", "L")


def pytest_generate_tests(metafunc: pytest.Metafunc) -> None:
    """``--pit-sizes`` (default S,M,L) picks the sizes; ``make bench-xl`` adds XL."""
    if "pit_data" not in metafunc.fixturenames:
        return
    names = [name.strip() for name in metafunc.config.getoption("pit_sizes").split(",") if name.strip()]
    unknown = [name for name in names if name not in SIZES]
    if unknown:
        raise pytest.UsageError(f"--pit-sizes: unknown size {', '.join(unknown)}; choose among {', '.join(SIZES)}")
    metafunc.parametrize("pit_data", names, indirect=True, scope="module")


@dataclass
class PitData:
    size: Size
    labels: pd.DataFrame
    users: pd.DataFrame
    products: pd.DataFrame
    backend: LocalBackend
    answers: dict[str, pd.DataFrame] = field(default_factory=dict)  # the kit's last answer

    def kit_answer(self) -> pd.DataFrame:
        if "kit" not in self.answers:  # this reference ran without the kit's benchmark (-k)
            self.answers["kit"] = self.backend.point_in_time_join(self.labels, ["users", "products"])
        return self.answers["kit"]


@pytest.fixture(scope="module")
def pit_data(request, tmp_path_factory) -> PitData:
    """The size's labels, users and products, and a local store holding users and products."""
    size: Size = SIZES[request.param]
    users, products = users_frame(size.user_rows), products_frame(size.product_rows)
    backend = LocalBackend(tmp_path_factory.mktemp(f"pit-{size.name}"))
    backend.create_feature_group(USERS)
    backend.create_feature_group(PRODUCTS)
    backend.ingest("users", users)
    backend.ingest("products", products)
    backend.write_out_offline()  # the offline files are written: no export competes with the join
    yield PitData(size, labels_frame(size, users), users, products, backend)
    backend.close()


def _group(size: Size) -> str:
    return (f"point_in_time_join, {size.name} ({size.labels:,} labels, {size.user_rows:,} user rows, "
            f"{size.product_rows:,} product rows)")


def _measure(benchmark, data: PitData, role: str, join, **pedantic) -> pd.DataFrame:
    """Time ``join`` with the peak memory each round adds; report the time per label row."""
    benchmark.group = _group(data.size)
    benchmark.extra_info["role"] = role
    memory = PeakMemory()
    joined = benchmark.pedantic(join, rounds=_rounds(data.size), setup=memory.start,
                                teardown=lambda *args, **kwargs: memory.stop(), **pedantic)
    _report(benchmark, data.size, benchmark.stats.stats.median, memory.increase, memory.peak)
    assert len(joined) == len(data.labels)
    return joined


def _rounds(size: Size) -> int:
    return ROUNDS.get(size.name, 3)


def _report(benchmark, size: Size, median: float, increase: int | None, peak: int | None) -> None:
    """Time per label row; the peak memory the call added, and the process's resident memory then."""
    benchmark.extra_info["per_label_row"] = f"{median / size.labels * 1e6:.2f} µs"
    benchmark.extra_info["peak_memory"] = f"+{format_bytes(increase)} (process {format_bytes(peak)})"


def _check_agrees(data: PitData, role: str, joined: pd.DataFrame) -> None:
    differing = disagreements(data.kit_answer(), joined, "transaction_id", FEATURES)
    assert not differing, f"{role} disagrees with the kit: rows differing per column {differing}"


def test_point_in_time_join_kit(benchmark, pit_data: PitData) -> None:
    backend = pit_data.backend
    pit_data.answers.pop("kit", None)
    joined = _measure(benchmark, pit_data, "kit", backend.point_in_time_join,
                      args=(pit_data.labels, ["users", "products"]))
    pit_data.answers["kit"] = joined


def test_point_in_time_duckdb_asof_reference(benchmark, pit_data: PitData) -> None:
    con = duckdb.connect()
    for name, frame in (("labels", pit_data.labels), ("users", pit_data.users), ("products", pit_data.products)):
        con.register(name, frame)
    sql = """
        SELECT l.*, u.age, u.membership_tier, u.total_purchases, u.avg_order_value,
               p.category, p.price, p.avg_rating, p.stock_level
        FROM labels l
        ASOF LEFT JOIN users u ON l.user_id = u.user_id AND l.event_time >= u.event_time
        ASOF LEFT JOIN products p ON l.product_id = p.product_id AND l.event_time >= p.event_time
    """
    joined = _measure(benchmark, pit_data, "DuckDB ASOF JOIN", lambda: con.execute(sql).df())
    con.close()
    _check_agrees(pit_data, "DuckDB ASOF JOIN", joined)


def test_point_in_time_merge_asof_reference(benchmark, pit_data: PitData) -> None:
    if pit_data.size.name not in MERGE_ASOF_SIZES:
        pytest.skip(f"pandas.merge_asof runs at {', '.join(MERGE_ASOF_SIZES)} only")
    labels, users, products = pit_data.labels, pit_data.users, pit_data.products

    def join() -> pd.DataFrame:
        left = labels.sort_values("event_time")
        right_users = users.sort_values("event_time").rename(columns={"event_time": "user_time"})
        right_products = products.sort_values("event_time").rename(columns={"event_time": "product_time"})
        joined = pd.merge_asof(left, right_users, left_on="event_time", right_on="user_time", by="user_id")
        return pd.merge_asof(joined, right_products, left_on="event_time", right_on="product_time", by="product_id")

    joined = _measure(benchmark, pit_data, "pandas.merge_asof", join)
    _check_agrees(pit_data, "pandas.merge_asof", joined)


def test_point_in_time_feast_reference(benchmark, pit_data: PitData, tmp_path: Path) -> None:
    """Feast's get_historical_features (DuckDB offline store, Parquet files) in its own venv."""
    if pit_data.size.name not in FEAST_SIZES:
        pytest.skip(f"Feast runs at {', '.join(FEAST_SIZES)} only")
    feast_python()  # skips, saying how to install Feast, when it is not there
    write_feast_inputs(tmp_path, pit_data.users, pit_data.products, pit_data.labels)
    result = run_feast("historical", tmp_path, _rounds(pit_data.size))
    role = f"Feast {result['feast_version']} get_historical_features"
    benchmark.group = _group(pit_data.size)
    benchmark.extra_info["role"] = role
    record_external_times(benchmark, result["seconds"])
    _report(benchmark, pit_data.size, benchmark.stats.stats.median, result["peak_rss_increase"], result["peak_rss"])
    joined = pd.read_parquet(tmp_path / "historical.parquet")
    assert len(joined) == len(pit_data.labels)
    _check_agrees(pit_data, role, joined)
