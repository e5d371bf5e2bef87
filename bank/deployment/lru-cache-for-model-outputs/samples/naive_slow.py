"""Correct LRU answers, but eviction finds the least recently used key by sorting the cached
keys by their "last used" timestamp: O(capacity log capacity) per eviction, fine for small
caches, far too slow for tens of thousands of entries."""


class LRUCache:
    def __init__(self, capacity):
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
            evicted = sorted(self._last_used, key=self._last_used.get)[0]
            del self._data[evicted]
            del self._last_used[evicted]
        self._data[key] = value
        self._touch(key)
        return evicted

    def stats(self):
        return {"hits": self._hits, "misses": self._misses, "size": len(self._data)}
