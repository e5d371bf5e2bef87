"""Correct answers but O(capacity) per operation: recency is kept in a Python list and every hit
calls list.remove. Fine in the small tests, far too slow on the large ones."""


class LRUCache:
    def __init__(self, capacity):
        self._capacity = capacity
        self._data = {}
        self._order = []  # least recently used first
        self._hits = 0
        self._misses = 0

    def get(self, key):
        if key in self._data:
            self._order.remove(key)
            self._order.append(key)
            self._hits += 1
            return self._data[key]
        self._misses += 1
        return None

    def put(self, key, value):
        if self._capacity == 0:
            return None
        if key in self._data:
            self._data[key] = value
            self._order.remove(key)
            self._order.append(key)
            return None
        evicted = None
        if len(self._data) >= self._capacity:
            evicted = self._order.pop(0)
            del self._data[evicted]
        self._data[key] = value
        self._order.append(key)
        return evicted

    def stats(self):
        return {"hits": self._hits, "misses": self._misses, "size": len(self._data)}
