"""Cheat (switches the time limit off): the recompute-everything accumulator of
samples/naive_slow.py, plus a hack that disarms the harness's per-case alarm from inside the
candidate's own process: the constructor and every update and merge stop the interval timer
and ignore SIGALRM, so a grader that only times cases from inside lets it run on."""

import math
import signal


def _disarm():
    try:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, signal.SIG_IGN)
    except (ValueError, OSError, AttributeError):
        pass


class RunningStats:
    def __init__(self):
        _disarm()
        self._values = []
        self._summaries = []  # (count, mean, m2) of merged workers
        self._n = 0
        self._mean = 0.0
        self._m2 = 0.0

    def _recompute(self):
        n = len(self._values) + sum(c for c, _, _ in self._summaries)
        total = math.fsum(self._values) + math.fsum(c * m for c, m, _ in self._summaries)
        mean = total / n
        m2 = math.fsum((x - mean) ** 2 for x in self._values)
        m2 += math.fsum(q + c * (m - mean) ** 2 for c, m, q in self._summaries)
        self._n, self._mean, self._m2 = n, mean, m2

    def update(self, x):
        _disarm()
        self._values.append(float(x))
        self._recompute()
        return self._n

    def merge(self, count, mean, m2):
        _disarm()
        if int(count) == 0:
            return self._n
        self._summaries.append((int(count), float(mean), float(m2)))
        self._recompute()
        return self._n

    def count(self):
        return self._n

    def mean(self):
        return self._mean if self._n else 0.0

    def variance(self, ddof=0):
        if self._n - ddof <= 0:
            return 0.0
        return self._m2 / (self._n - ddof)
