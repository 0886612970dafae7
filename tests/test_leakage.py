"""The leakage lesson: the model code, and the claim the demo prints, on the demo's own data.

The claim: trained on naive (latest) features, the model looks better offline than the one
trained on point-in-time features, and does worse on a later window scored with the features
that would have been served then.
"""

from __future__ import annotations

import argparse
import builtins

import numpy as np
import pandas as pd
import pytest

from featurestore_demo import create_feature_groups, ingest_features
from featurestore_demo import point_in_time_demo as step
from featurestore_demo.config import Settings
from featurestore_demo.demo import leakage
from featurestore_demo.demo.console import make_console
from featurestore_demo.demo.sample_data import generate
from featurestore_demo.demo.step import StepContext
from featurestore_demo.demo.timeline_plot import INSTALL_HINT, MissingExtra, write_timeline_png
from local_backend import LocalBackend

DEMO_DEFAULTS = dict(users=100, products=50, transactions=1000, seed=42)  # `make demo`


# ------------------------------------------------------------------ the model


def test_least_squares_recovers_a_linear_relation():
    rng = np.random.default_rng(0)
    x = rng.normal(size=(200, 3)) * [1.0, 10.0, 0.1] + [5.0, -3.0, 0.0]
    y = 2.0 + x @ np.array([1.5, -0.2, 4.0])

    model = leakage.fit(x, y)

    np.testing.assert_allclose(model.predict(x), y, atol=1e-9)
    assert leakage.r_squared(y, model.predict(x)) == pytest.approx(1.0)


def test_r_squared_is_zero_for_the_mean_and_negative_when_worse():
    y = np.array([1.0, 2.0, 3.0, 4.0])
    assert leakage.r_squared(y, np.full(4, y.mean())) == pytest.approx(0.0)
    assert leakage.r_squared(y, y[::-1]) < 0


def test_a_constant_feature_does_not_break_the_fit():
    x = np.column_stack([np.arange(10.0), np.ones(10)])
    model = leakage.fit(x, 3 * np.arange(10.0))
    np.testing.assert_allclose(model.predict(x), 3 * np.arange(10.0), atol=1e-9)


def test_no_purchase_yet_is_its_own_column_not_a_cheap_average():
    features = pd.DataFrame(
        {"total_purchases": [0, 2, None], "avg_order_value": [0.0, 40.0, None], "price": [10.0, 20.0, 5.0]}
    )

    x = leakage.design_matrix(features)

    assert x[:, leakage.FEATURES.index("no_purchase_yet")].tolist() == [1.0, 0.0, 1.0]
    assert x[:, leakage.FEATURES.index("log_purchases")].tolist() == pytest.approx([0.0, np.log(3), 0.0])


# ------------------------------------------------------------------ the claim, through the kit


@pytest.fixture(scope="module")
def demo(tmp_path_factory):
    """A local store after steps 1 and 2 of `make demo` (same data, same defaults)."""
    options = argparse.Namespace(**DEMO_DEFAULTS, timeline_user=None, plot=None)
    with LocalBackend(home=tmp_path_factory.mktemp("leakage")) as backend:
        ctx = StepContext(backend, make_console(quiet=True), Settings(), options)
        create_feature_groups.run(ctx)
        ingest_features.run(ctx)
        yield ctx


def test_on_the_demo_data_the_leaky_model_wins_offline_and_loses_later(demo):
    labels = step.load_labels(demo)

    report = step.measure_leakage(demo, labels, step.naive_join(demo, labels), step.point_in_time_join(demo, labels))

    assert report.leaky.offline > report.point_in_time.offline
    assert report.leaky.later < report.point_in_time.later
    assert report.train_rows + report.validation_rows + report.later_rows == len(labels)


def pandas_features(seed: int):
    """Naive and point-in-time features built with plain pandas (merge_asof), for another seed."""
    data = generate(100, 50, 1000, seed=seed)
    labels = data.transactions.sort_values("event_time", kind="stable", ignore_index=True)
    users = data.users.rename(columns={"event_time": "user_time"}).sort_values("user_time")
    prices = data.products[["product_id", "price", "event_time"]].rename(columns={"event_time": "price_time"})
    pit = pd.merge_asof(labels, users, left_on="event_time", right_on="user_time", by="user_id")
    pit = pd.merge_asof(
        pit, prices.sort_values("price_time"), left_on="event_time", right_on="price_time", by="product_id"
    )
    naive = labels.join(users.groupby("user_id").tail(1).set_index("user_id"), on="user_id")
    latest_prices = prices.sort_values("price_time").groupby("product_id").tail(1).set_index("product_id")
    naive = naive.join(latest_prices, on="product_id")
    return labels, naive, pit


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_the_effect_is_not_luck_of_one_seed(seed):
    labels, naive, pit = pandas_features(seed)

    report = leakage.compare(labels["event_time"].to_numpy(), labels["purchase_amount"].to_numpy(), naive, pit)

    assert report.leaky.offline > report.point_in_time.offline
    assert report.leaky.later < report.point_in_time.later


def test_the_step_prints_both_scores(demo, monkeypatch):
    monkeypatch.setattr(demo, "console", make_console())
    with demo.console.capture() as captured:
        step.run(demo)
    text = captured.get()

    assert "naive join (leaky)" in text and "point-in-time join" in text
    assert "later window" in text


# ------------------------------------------------------------------ the timeline plot


def story(demo) -> step.Timeline:
    labels = step.load_labels(demo)
    naive, correct = step.naive_join(demo, labels), step.point_in_time_join(demo, labels)
    return step.timeline(demo, labels, correct, naive, "user_0061")


def test_the_timeline_marks_the_versions_each_join_used(demo):
    timeline = story(demo)

    assert timeline.point_in_time_used is not None and timeline.point_in_time_used <= timeline.at
    assert timeline.naive_used == timeline.versions["event_time"].max() > timeline.at


def test_plot_writes_a_png(demo, tmp_path):
    pytest.importorskip("matplotlib")

    written = write_timeline_png(story(demo), tmp_path / "timeline.png")

    assert written.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"


@pytest.fixture
def without_matplotlib(monkeypatch):
    """Imports of matplotlib fail, as when the 'plot' extra is not installed."""
    real_import = builtins.__import__

    def no_matplotlib(name, *args, **kwargs):
        if name.split(".")[0] == "matplotlib":
            raise ModuleNotFoundError(f"No module named '{name}'")
        return real_import(name, *args, **kwargs)

    monkeypatch.setattr(builtins, "__import__", no_matplotlib)


def test_plot_without_matplotlib_says_which_pip_install_fixes_it(demo, tmp_path, without_matplotlib):
    with pytest.raises(MissingExtra, match=r"pip install 'featurestore-demo\[plot\]'"):
        write_timeline_png(story(demo), tmp_path / "timeline.png")
    assert not (tmp_path / "timeline.png").exists()


def test_the_step_says_it_too_and_still_teaches(demo, tmp_path, without_matplotlib, monkeypatch):
    monkeypatch.setattr(demo, "console", make_console())
    monkeypatch.setattr(demo.options, "plot", str(tmp_path / "timeline.png"))
    with demo.console.capture() as captured:
        step.run(demo)
    text = captured.get()

    assert INSTALL_HINT in text
    assert "What the leak does to a model" in text
