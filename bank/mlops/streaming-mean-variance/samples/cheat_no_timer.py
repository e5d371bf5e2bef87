"""Cheat (switches the time limit off): the exact-fraction accumulator of samples/naive_slow.py,
plus a hack that disarms the harness's per-case alarm from inside the candidate's own process:
the constructor and every call stop the interval timer and ignore SIGALRM, so a grader that
only times cases from inside lets a long stream run as long as it takes."""

import signal
from fractions import Fraction


def _disarm():
    try:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, signal.SIG_IGN)
    except (ValueError, OSError, AttributeError):
        pass


class RunningStats:
    def __init__(self):
        _disarm()
        self._n = 0
        self._s = Fraction(0)
        self._s2 = Fraction(0)
        self._mean = Fraction(0)
        self._var = Fraction(0)

    def _refresh(self):
        self._mean = self._s / self._n
        self._var = self._s2 / self._n - self._mean * self._mean

    def update(self, x):
        _disarm()
        x = Fraction(float(x))
        self._n += 1
        self._s += x
        self._s2 += x * x
        self._refresh()
        return self._n

    def merge(self, count, mean, m2):
        _disarm()
        count = int(count)
        if count == 0:
            return self._n
        mean = Fraction(float(mean))
        self._n += count
        self._s += count * mean
        self._s2 += Fraction(float(m2)) + count * mean * mean
        self._refresh()
        return self._n

    def count(self):
        return self._n

    def mean(self):
        return float(self._mean)

    def variance(self, ddof=0):
        if self._n - ddof <= 0:
            return 0.0
        return float(self._var * self._n / (self._n - ddof))
