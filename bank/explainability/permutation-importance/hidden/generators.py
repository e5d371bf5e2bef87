"""Large inputs for permutation-importance (plain lists; the cases convert X, y, weights with as_array)."""

import numpy as np


def large_regression(seed: int) -> dict:
    rng = np.random.default_rng(seed)
    n, d = 10_000, 20
    X = rng.normal(size=(n, d))
    w = rng.normal(size=d) * (rng.random(d) < 0.5)  # about half the features are irrelevant
    y = X @ w + 0.3 + rng.normal(scale=0.5, size=n)
    return {"args": [X.tolist(), y.tolist(), w.tolist(), 0.3, "mse", 5, 11], "kwargs": {}}


def large_classification(seed: int) -> dict:
    rng = np.random.default_rng(seed + 1)
    n, d = 10_000, 20
    X = rng.normal(size=(n, d))
    w = rng.normal(scale=2.0, size=d)
    y = (rng.random(n) < 1.0 / (1.0 + np.exp(-(X @ w - 0.5)))).astype(float)
    return {"args": [X.tolist(), y.tolist(), w.tolist(), -0.5, "log_loss", 4, 5], "kwargs": {}}


def large_classification_accuracy(seed: int) -> dict:
    case = large_classification(seed + 1)
    case["args"][4] = "accuracy"
    return case
