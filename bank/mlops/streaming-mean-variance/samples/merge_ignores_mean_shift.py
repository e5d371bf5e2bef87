"""Subtly wrong: Welford updates are right, but merge adds the two M2 values without the
between-group term delta^2 * n_a * n_b / n, so merging streams with different means
underestimates the variance."""


class RunningStats:
    def __init__(self):
        self._n = 0
        self._mean = 0.0
        self._m2 = 0.0

    def update(self, x):
        x = float(x)
        self._n += 1
        delta = x - self._mean
        self._mean += delta / self._n
        self._m2 += delta * (x - self._mean)
        return self._n

    def merge(self, count, mean, m2):
        if count == 0:
            return self._n
        total = self._n + count
        self._mean = (self._n * self._mean + count * mean) / total
        self._m2 += m2
        self._n = total
        return self._n

    def count(self):
        return self._n

    def mean(self):
        return self._mean if self._n else 0.0

    def variance(self, ddof=0):
        if self._n - ddof <= 0:
            return 0.0
        return self._m2 / (self._n - ddof)
