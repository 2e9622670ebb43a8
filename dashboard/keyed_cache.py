"""A bounded, thread-safe map of computed results by key, shared by every session of the process.

:mod:`dashboard.state` keeps each backtest under a key that holds only what that backtest
depends on, and computes the missing ones of a page in one call (``st.cache_resource`` caches
one call per key, so it could not batch them). Rule: at most ``max_entries`` results; storing
more drops the least recently used first (a lookup counts as a use). No Streamlit here.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Hashable, Iterable, Mapping
from typing import Generic, TypeVar

V = TypeVar("V")


class KeyedCache(Generic[V]):
    """Results by key, least recently used dropped first beyond ``max_entries``."""

    def __init__(self, max_entries: int) -> None:
        if max_entries < 1:
            raise ValueError("a cache needs room for at least one result")
        self.max_entries = max_entries
        self._items: OrderedDict[Hashable, V] = OrderedDict()
        self._lock = threading.Lock()

    def lookup(self, keys: Iterable[Hashable]) -> dict[Hashable, V]:
        """The stored results of ``keys`` (keys not stored are left out), each marked as used."""
        found: dict[Hashable, V] = {}
        with self._lock:
            for key in keys:
                if key in self._items:
                    self._items.move_to_end(key)
                    found[key] = self._items[key]
        return found

    def store(self, results: Mapping[Hashable, V]) -> None:
        """Keep ``results``; drop the least recently used beyond ``max_entries``."""
        with self._lock:
            for key, value in results.items():
                self._items[key] = value
                self._items.move_to_end(key)
            while len(self._items) > self.max_entries:
                self._items.popitem(last=False)

    def values(self) -> list[V]:
        """Every stored result, least recently used first."""
        with self._lock:
            return list(self._items.values())

    def clear(self) -> None:
        with self._lock:
            self._items.clear()

    def __len__(self) -> int:
        with self._lock:
            return len(self._items)
