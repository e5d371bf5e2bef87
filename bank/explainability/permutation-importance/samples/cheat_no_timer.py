"""Cheat (switches the time limit off): the pure-Python loops of samples/naive_slow.py, plus a
hack that disarms the harness's per-case alarm from inside the candidate's own process (stop the
interval timer, ignore SIGALRM, swallow whatever the alarm still raises and start over), so a
grader that only times cases from inside never stops it."""

import math
import signal

import numpy as np


def _disarm():
    try:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, signal.SIG_IGN)
    except (ValueError, OSError, AttributeError):
        pass


def _loss(rows, y, weights, bias, metric):
    total = 0.0
    for row, target in zip(rows, y):
        s = bias
        for x, w in zip(row, weights):
            s += x * w
        if metric == "mse":
            total += (s - target) ** 2
        elif metric == "log_loss":
            total += max(s, 0.0) + math.log1p(math.exp(-abs(s))) - target * s
        else:
            total -= float((1.0 if s > 0 else 0.0) == target)
    return total / len(rows)


def _slow(X, y, weights, bias, metric, n_repeats, seed):
    X = np.asarray(X, dtype=float)
    rows = X.tolist()
    y = np.asarray(y, dtype=float).tolist()
    weights = np.asarray(weights, dtype=float).tolist()
    n, d = X.shape
    baseline = _loss(rows, y, weights, bias, metric)
    rng = np.random.default_rng(seed)
    out = []
    for j in range(d):
        diffs = []
        for _ in range(n_repeats):
            perm = rng.permutation(n)
            shuffled = [list(row) for row in rows]
            for i in range(n):
                shuffled[i][j] = rows[perm[i]][j]
            diffs.append(_loss(shuffled, y, weights, bias, metric) - baseline)
        out.append(sum(diffs) / len(diffs))
    return out


def permutation_importance(X, y, weights, bias, metric, n_repeats, seed):
    _disarm()
    while True:
        try:
            return _slow(X, y, weights, bias, metric, n_repeats, seed)
        except BaseException:  # the alarm got in first: disarm again and start over
            _disarm()
