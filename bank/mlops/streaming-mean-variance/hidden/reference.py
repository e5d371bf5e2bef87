"""Reference solution: Welford's online algorithm with Chan et al.'s parallel merge."""


class RunningStats:
    def __init__(self):
        self._n = 0
        self._mean = 0.0
        self._m2 = 0.0  # sum of squared deviations from the current mean

    def update(self, x):
        x = float(x)
        self._n += 1
        delta = x - self._mean
        self._mean += delta / self._n
        self._m2 += delta * (x - self._mean)
        return self._n

    def merge(self, count, mean, m2):
        count = int(count)
        if count == 0:
            return self._n
        mean, m2 = float(mean), float(m2)
        if self._n == 0:
            self._n, self._mean, self._m2 = count, mean, m2
            return self._n
        total = self._n + count
        delta = mean - self._mean
        self._mean += delta * count / total
        self._m2 += m2 + delta * delta * self._n * count / total
        self._n = total
        return self._n

    def count(self):
        return self._n

    def mean(self):
        return self._mean if self._n > 0 else 0.0

    def variance(self, ddof=0):
        if self._n - ddof <= 0:
            return 0.0
        return self._m2 / (self._n - ddof)
