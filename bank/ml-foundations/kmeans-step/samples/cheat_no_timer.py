"""Cheat (switches the time limit off): the pure-Python assignment loop of samples/naive_slow.py,
plus a hack that disarms the harness's per-case alarm from inside the candidate's own process
(stop the interval timer, ignore SIGALRM, swallow whatever the alarm still raises and start
over), so a grader that only times cases from inside never stops it."""

import signal

import numpy as np


def _disarm():
    try:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, signal.SIG_IGN)
    except (ValueError, OSError, AttributeError):
        pass


def _slow(X, centroids):
    C = np.asarray(centroids, dtype=np.float64)
    points = np.asarray(X, dtype=np.float64).tolist()
    cents = C.tolist()
    k, d = C.shape
    labels = []
    sums = [[0.0] * d for _ in range(k)]
    counts = [0] * k
    for x in points:
        best, best_j = None, 0
        for j, c in enumerate(cents):
            dist = sum((a - b) ** 2 for a, b in zip(x, c))
            if best is None or dist < best:
                best, best_j = dist, j
        labels.append(best_j)
        counts[best_j] += 1
        for t in range(d):
            sums[best_j][t] += x[t]
    new = C.copy()
    for j in range(k):
        if counts[j]:
            new[j] = np.array(sums[j]) / counts[j]
    return labels, new


def kmeans_step(X, centroids):
    _disarm()
    while True:
        try:
            return _slow(X, centroids)
        except BaseException:  # the alarm got in first: disarm again and start over
            _disarm()
