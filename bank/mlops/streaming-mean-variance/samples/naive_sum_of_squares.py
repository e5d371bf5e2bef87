"""Subtly wrong: keeps the running sum and sum of squares and uses
var = (sum(x^2) - sum(x)^2 / n) / (n - ddof). Exact in real arithmetic, and right on small,
centred data, but catastrophic cancellation destroys it when the values sit far from zero."""


class RunningStats:
    def __init__(self):
        self._n = 0
        self._s = 0.0
        self._s2 = 0.0

    def update(self, x):
        x = float(x)
        self._n += 1
        self._s += x
        self._s2 += x * x
        return self._n

    def merge(self, count, mean, m2):
        self._n += int(count)
        self._s += count * mean
        self._s2 += m2 + count * mean * mean
        return self._n

    def count(self):
        return self._n

    def mean(self):
        return self._s / self._n if self._n else 0.0

    def variance(self, ddof=0):
        if self._n - ddof <= 0:
            return 0.0
        return (self._s2 - self._s * self._s / self._n) / (self._n - ddof)
