"""Cheat (switches the time limit off): the timestamp-sorting cache of samples/naive_slow.py,
plus a hack that disarms the harness's per-case alarm from inside the candidate's own process:
the constructor and every eviction stop the interval timer and ignore SIGALRM, so a grader
that only times cases from inside lets a long trace run as long as it takes."""

import signal


def _disarm():
    try:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, signal.SIG_IGN)
    except (ValueError, OSError, AttributeError):
        pass


class LRUCache:
    def __init__(self, capacity):
        _disarm()
        self._capacity = capacity
        self._data = {}
        self._last_used = {}
        self._clock = 0
        self._hits = 0
        self._misses = 0

    def _touch(self, key):
        self._clock += 1
        self._last_used[key] = self._clock

    def get(self, key):
        if key in self._data:
            self._hits += 1
            self._touch(key)
            return self._data[key]
        self._misses += 1
        return None

    def put(self, key, value):
        if self._capacity == 0:
            return None
        if key in self._data:
            self._data[key] = value
            self._touch(key)
            return None
        evicted = None
        if len(self._data) >= self._capacity:
            _disarm()
            evicted = sorted(self._last_used, key=self._last_used.get)[0]
            del self._data[evicted]
            del self._last_used[evicted]
        self._data[key] = value
        self._touch(key)
        return evicted

    def stats(self):
        return {"hits": self._hits, "misses": self._misses, "size": len(self._data)}
