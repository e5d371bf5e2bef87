from typing import Any, Hashable


class LRUCache:
    """Least-recently-used cache for model outputs. Every operation is O(1) on average."""

    def __init__(self, capacity: int) -> None:
        """`capacity` >= 0 is the most entries the cache may hold."""
        raise NotImplementedError

    def get(self, key: Hashable) -> Any:
        """Return the cached value (a hit; the key becomes most recently used) or None (a miss)."""
        raise NotImplementedError

    def put(self, key: Hashable, value: Any) -> Hashable | None:
        """Insert or overwrite `key`; it becomes most recently used. Return the key evicted to
        make room, or None if nothing was evicted. With capacity 0, store nothing, return None."""
        raise NotImplementedError

    def stats(self) -> dict:
        """{"hits": int, "misses": int, "size": int}"""
        raise NotImplementedError
