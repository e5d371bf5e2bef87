"""Subtly wrong: O(1), but a hit in get() does not mark the key as recently used, so the cache
evicts in insertion order (FIFO) rather than least-recently-used order."""

from collections import OrderedDict


class LRUCache:
    def __init__(self, capacity):
        self._capacity = capacity
        self._data = OrderedDict()
        self._hits = 0
        self._misses = 0

    def get(self, key):
        if key in self._data:
            self._hits += 1
            return self._data[key]
        self._misses += 1
        return None

    def put(self, key, value):
        if self._capacity == 0:
            return None
        if key in self._data:
            self._data[key] = value
            self._data.move_to_end(key)
            return None
        evicted = None
        if len(self._data) >= self._capacity:
            evicted, _ = self._data.popitem(last=False)
        self._data[key] = value
        return evicted

    def stats(self):
        return {"hits": self._hits, "misses": self._misses, "size": len(self._data)}
