"""Right to the last bit, but slow: keeps sum(x) and sum(x**2) as exact fractions (a float is a
fraction with a power-of-two denominator, so nothing cancels) and refreshes the exact mean and
population variance after every update and merge, so queries are instant. Every update pays for
big-integer arithmetic; a long stream takes many times as long as Welford."""

from fractions import Fraction


class RunningStats:
    def __init__(self):
        self._n = 0
        self._s = Fraction(0)
        self._s2 = Fraction(0)
        self._mean = Fraction(0)
        self._var = Fraction(0)

    def _refresh(self):
        self._mean = self._s / self._n
        self._var = self._s2 / self._n - self._mean * self._mean

    def update(self, x):
        x = Fraction(float(x))
        self._n += 1
        self._s += x
        self._s2 += x * x
        self._refresh()
        return self._n

    def merge(self, count, mean, m2):
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
