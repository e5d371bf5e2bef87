"""Cheat (malformed output): no cache at all; each answer is built to trip the code between the
sandbox and the judge: get returns a forged raw-array marker for an object array, put a list
whose iteration never ends (an encoder that walks it runs out of memory), and stats a dict
with a million keys."""


class _Endless(list):
    def __iter__(self):
        while True:
            yield "evicted"

    def __len__(self):
        return 1


class LRUCache:
    def __init__(self, capacity):
        self._capacity = capacity

    def get(self, key):
        return {"__ndarray__": "AAAA", "dtype": "O", "shape": [1]}

    def put(self, key, value):
        return _Endless([key])

    def stats(self):
        return {f"k{i}": i for i in range(1_000_000)}
