"""What leakage does to a model: the same small model trained on leaky and on point-in-time features.

The model is ordinary least squares on standardised features (numpy only), predicting a
purchase's amount from the user's features (average order value, number of purchases, "no
purchase yet") and the product's price. The labels are split by time: a **training window**
(its last quarter held out as the offline validation set) and a **later window**, scored with
the features that would have been served online at that moment, i.e. the point-in-time
features. The score is R² (1 = perfect, 0 = no better than predicting the mean).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

__all__ = ["FEATURES", "LinearModel", "Scores", "LeakageReport", "design_matrix", "fit", "r_squared", "compare"]

FEATURES = ("avg_order_value", "no_purchase_yet", "log_purchases", "price")
TRAINING_SHARE = 2 / 3  # the earliest two thirds of the labels form the training window
VALIDATION_SHARE = 0.25  # the last quarter of the training window is the offline validation set


def design_matrix(features: pd.DataFrame) -> np.ndarray:
    """The model's inputs from joined columns ``total_purchases``, ``avg_order_value``, ``price``.

    A user with no purchase yet has an average of 0, which means "unknown", not "cheap": the
    indicator column lets a linear model tell the two apart. Missing values count as 0.
    """
    purchases = features["total_purchases"].astype("float64").fillna(0.0).to_numpy()
    average = features["avg_order_value"].astype("float64").fillna(0.0).to_numpy()
    price = features["price"].astype("float64").fillna(0.0).to_numpy()
    return np.column_stack([average, purchases == 0, np.log1p(purchases), price]).astype("float64")


@dataclass(frozen=True)
class LinearModel:
    """``predict(x) = intercept + ((x - mean) / scale) @ weights``."""

    mean: np.ndarray
    scale: np.ndarray
    intercept: float
    weights: np.ndarray

    def predict(self, x: np.ndarray) -> np.ndarray:
        return self.intercept + ((x - self.mean) / self.scale) @ self.weights


def fit(x: np.ndarray, y: np.ndarray) -> LinearModel:
    """Least squares on standardised columns (a constant column gets scale 1)."""
    mean, scale = x.mean(axis=0), x.std(axis=0)
    scale = np.where(scale > 0, scale, 1.0)
    design = np.column_stack([np.ones(len(x)), (x - mean) / scale])
    solution, *_ = np.linalg.lstsq(design, y, rcond=None)
    return LinearModel(mean, scale, float(solution[0]), solution[1:])


def r_squared(y: np.ndarray, predicted: np.ndarray) -> float:
    """1 - residual sum of squares / total sum of squares (negative when worse than the mean)."""
    total = float(((y - y.mean()) ** 2).sum())
    return 1.0 - float(((y - predicted) ** 2).sum()) / total if total else 0.0


@dataclass(frozen=True)
class Scores:
    """A model's R² offline (validation set of the training window) and on the later window."""

    offline: float
    later: float


@dataclass(frozen=True)
class LeakageReport:
    """Both models' scores, and the sizes and boundary of the splits (epoch seconds)."""

    leaky: Scores
    point_in_time: Scores
    train_rows: int
    validation_rows: int
    later_rows: int
    later_from: float


def compare(
    label_times: np.ndarray, y: np.ndarray, leaky: pd.DataFrame, point_in_time: pd.DataFrame
) -> LeakageReport:
    """Train one model on ``leaky`` and one on ``point_in_time`` features; score both.

    All arguments are aligned row by row (one row per label). Each model is trained on the
    first part of the training window, validated offline on its last quarter with the same
    kind of features it was trained on, then scored on the later window with the
    point-in-time features, as in production.
    """
    order = np.argsort(label_times, kind="stable")
    n_train = int(len(order) * TRAINING_SHARE)
    n_fit = int(n_train * (1 - VALIDATION_SHARE))
    fit_rows, validation_rows, later_rows = order[:n_fit], order[n_fit:n_train], order[n_train:]
    served = design_matrix(point_in_time)

    def scores(features: pd.DataFrame) -> Scores:
        x = design_matrix(features)
        model = fit(x[fit_rows], y[fit_rows])
        return Scores(
            offline=r_squared(y[validation_rows], model.predict(x[validation_rows])),
            later=r_squared(y[later_rows], model.predict(served[later_rows])),
        )

    return LeakageReport(
        leaky=scores(leaky),
        point_in_time=scores(point_in_time),
        train_rows=len(fit_rows),
        validation_rows=len(validation_rows),
        later_rows=len(later_rows),
        later_from=float(label_times[later_rows].min()) if len(later_rows) else float("nan"),
    )
