"""Subtly wrong: permutes columns of one working copy in place and never puts a column back, so
when feature j is scored, features 0..j-1 are still shuffled. Later features inherit the damage
done by earlier ones and look more important than they are. Right for a single feature."""

import numpy as np


def _loss(scores, y, metric):
    if metric == "mse":
        return float(np.mean((scores - y) ** 2))
    if metric == "log_loss":
        return float(np.mean(np.logaddexp(0.0, scores) - y * scores))
    return -float(np.mean((scores > 0).astype(float) == y))


def permutation_importance(X, y, weights, bias, metric, n_repeats, seed):
    X = np.asarray(X, dtype=float)
    y = np.asarray(y, dtype=float)
    w = np.asarray(weights, dtype=float)
    n, d = X.shape
    baseline = _loss(X @ w + bias, y, metric)
    rng = np.random.default_rng(seed)
    work = X.copy()
    out = []
    for j in range(d):
        increases = []
        for _ in range(n_repeats):
            perm = rng.permutation(n)
            work[:, j] = X[perm, j]
            increases.append(_loss(work @ w + bias, y, metric) - baseline)
        out.append(float(np.mean(increases)))
    return out
