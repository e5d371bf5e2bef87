"""Reference solution: an LRU cache on an OrderedDict (a hash map plus a doubly linked list)."""

from collections import OrderedDict


class LRUCache:
    def __init__(self, capacity):
        if capacity < 0:
            raise ValueError("capacity must be >= 0")
        self._capacity = capacity
        self._data = OrderedDict()  # least recently used first
        self._hits = 0
        self._misses = 0

    def get(self, key):
        if key in self._data:
            self._data.move_to_end(key)
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
