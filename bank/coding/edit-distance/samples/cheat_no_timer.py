"""Cheat (switches the time limit off): the slow but correct table of samples/naive_slow.py,
plus a hack that disarms the harness's per-case alarm from inside the candidate's own process
(stop the interval timer, ignore SIGALRM, and swallow anything the alarm still raises, then
carry on), so that a grader that only times cases from inside lets it run as long as it likes."""

import signal

import numpy as np


def _disarm():
    try:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, signal.SIG_IGN)
    except (ValueError, OSError, AttributeError):
        pass


def _table(a, b):
    n, m = len(a), len(b)
    d = np.zeros((n + 1, m + 1), dtype=np.int64)
    d[:, 0] = np.arange(n + 1)
    d[0, :] = np.arange(m + 1)
    for i in range(1, n + 1):
        for j in range(1, m + 1):
            cost = 0 if a[i - 1] == b[j - 1] else 1
            d[i, j] = np.min([d[i - 1, j] + 1, d[i, j - 1] + 1, d[i - 1, j - 1] + cost])
    return int(d[n, m])


def edit_distance(a, b):
    _disarm()
    while True:
        try:
            return _table(a, b)
        except BaseException:  # the alarm got in first: disarm again and start over
            _disarm()
