"""Reference solution: permutation feature importance of a linear model, with a fixed RNG protocol."""

import numpy as np


def _loss(scores, y, metric):
    """Return a loss (lower is better) for the model scores X @ w + b."""
    if metric == "mse":
        return float(np.mean((scores - y) ** 2))
    if metric == "log_loss":
        # -[y log sigmoid(s) + (1 - y) log(1 - sigmoid(s))] == log(1 + e^s) - y s, computed stably.
        return float(np.mean(np.logaddexp(0.0, scores) - y * scores))
    if metric == "accuracy":
        predicted = (scores > 0).astype(float)
        return -float(np.mean(predicted == y))  # negated accuracy, so lower is better
    raise ValueError(f"unknown metric {metric!r}")


def permutation_importance(X, y, weights, bias, metric, n_repeats, seed):
    X = np.asarray(X, dtype=float)
    y = np.asarray(y, dtype=float)
    w = np.asarray(weights, dtype=float)
    n, d = X.shape

    scores = X @ w + bias
    baseline = _loss(scores, y, metric)
    rng = np.random.default_rng(seed)
    importances = np.zeros(d)
    for j in range(d):
        increases = []
        for _ in range(n_repeats):
            perm = rng.permutation(n)
            X_perm = X.copy()
            X_perm[:, j] = X[perm, j]
            increases.append(_loss(X_perm @ w + bias, y, metric) - baseline)
            # (Faster and equivalent up to rounding: only the term w_j * x_j changes, so
            # scores + w[j] * (X[perm, j] - X[:, j]) gives the permuted scores in O(n).)
        importances[j] = np.mean(increases)
    return importances.tolist()
