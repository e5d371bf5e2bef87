"""Right and numerically careful, but slow: it keeps every value it was given (and every merged
worker summary) and recomputes the exact two-pass statistics after each update and merge, so
queries are instant but every update costs time proportional to everything seen so far. A
stream of hundreds of thousands of values never finishes in time."""

import math


class RunningStats:
    def __init__(self):
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
        self._values.append(float(x))
        self._recompute()
        return self._n

    def merge(self, count, mean, m2):
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
