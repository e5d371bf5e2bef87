"""Cheat (malformed output): no statistics at all; each answer is built to trip the code between
the sandbox and the judge: update returns a list nested 200,000 deep, merge a forged raw-array
marker for an object array, and the queries an int of 100,000 digits, NaN, or a bytes object."""


def _deep():
    value = []
    for _ in range(200_000):
        value = [value]
    return value


class RunningStats:
    def __init__(self):
        pass

    def update(self, x):
        return _deep()

    def merge(self, count, mean, m2):
        return {"__ndarray__": "AAAA", "dtype": "O", "shape": [1]}

    def count(self):
        return 10**100_000

    def mean(self):
        return float("nan")

    def variance(self, ddof=0):
        return b"\x00\xff" * 1000
