"""Cheat (switches the time limit off): the one-numpy-call-per-value binning of
samples/naive_slow.py, plus a hack that disarms the harness's per-case alarm from inside the
candidate's own process (stop the interval timer, ignore SIGALRM, swallow whatever the alarm
still raises and start over), so a grader that only times cases from inside never stops it."""

import math
import signal

import numpy as np


def _disarm():
    try:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, signal.SIG_IGN)
    except (ValueError, OSError, AttributeError):
        pass


def _proportions(values, edges, eps):
    counts = np.zeros(edges.size + 1, dtype=np.int64)
    for v in values:
        k = np.sum(edges < v)  # right-closed: a value equal to an edge stays in the lower bin
        counts[k] += 1
    return [max(c / values.size, eps) for c in counts]


def _slow(reference, current, n_bins, eps):
    ref = np.asarray(reference, dtype=float).ravel()
    cur = np.asarray(current, dtype=float).ravel()
    edges = np.unique(np.quantile(ref, np.arange(1, n_bins) / n_bins))
    p_ref = _proportions(ref, edges, eps)
    p_cur = _proportions(cur, edges, eps)
    return float(sum((c - r) * math.log(c / r) for c, r in zip(p_cur, p_ref)))


def population_stability_index(reference, current, n_bins=10, eps=1e-4):
    _disarm()
    while True:
        try:
            return _slow(reference, current, n_bins, eps)
        except BaseException:  # the alarm got in first: disarm again and start over
            _disarm()
