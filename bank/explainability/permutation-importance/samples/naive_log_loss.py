"""Subtly wrong: follows the protocol, but computes log-loss as -mean(y log p + (1-y) log(1-p))
with p = 1 / (1 + exp(-s)) and no stable formulation: for confident scores p rounds to exactly 0
or 1, the loss becomes inf and the importance inf or nan."""

import numpy as np


def _loss(scores, y, metric):
    if metric == "mse":
        return float(np.mean((scores - y) ** 2))
    if metric == "log_loss":
        with np.errstate(all="ignore"):
            p = 1.0 / (1.0 + np.exp(-scores))
            return float(-np.mean(y * np.log(p) + (1 - y) * np.log(1 - p)))
    return -float(np.mean((scores > 0).astype(float) == y))


def permutation_importance(X, y, weights, bias, metric, n_repeats, seed):
    X = np.asarray(X, dtype=float)
    y = np.asarray(y, dtype=float)
    w = np.asarray(weights, dtype=float)
    n, d = X.shape
    baseline = _loss(X @ w + bias, y, metric)
    rng = np.random.default_rng(seed)
    out = []
    for j in range(d):
        increases = []
        for _ in range(n_repeats):
            perm = rng.permutation(n)
            X_perm = X.copy()
            X_perm[:, j] = X[perm, j]
            with np.errstate(all="ignore"):
                increases.append(_loss(X_perm @ w + bias, y, metric) - baseline)
        out.append(float(np.mean(increases)))
    return out
