"""Sort orders kept sorted as products change, so a page never needs a sort of the catalog."""

from __future__ import annotations

from bisect import bisect_left
from collections.abc import Iterable
from typing import Any

# (name, productID), (price, name, productID) ...: every key ends with the product id, so the
# order is total and a page boundary never depends on how a set happened to iterate.
SortKey = tuple[Any, ...]


class SortedOrder:
    """Ordinals sorted by a key; an insert or removal moves memory but sorts nothing."""

    def __init__(self) -> None:
        self.keys: list[SortKey] = []
        self.ords: list[int] = []

    def __len__(self) -> int:
        return len(self.ords)

    def rebuild(self, pairs: Iterable[tuple[SortKey, int]]) -> None:
        ordered = sorted(pairs)
        self.keys = [k for k, _ in ordered]
        self.ords = [o for _, o in ordered]

    def insert(self, key: SortKey, ordinal: int) -> None:
        at = bisect_left(self.keys, key)
        self.keys.insert(at, key)
        self.ords.insert(at, ordinal)

    def remove(self, key: SortKey) -> None:
        at = bisect_left(self.keys, key)
        if at < len(self.keys) and self.keys[at] == key:
            del self.keys[at]
            del self.ords[at]

    def span(self, low: SortKey, high: SortKey) -> tuple[int, int]:
        """The positions of keys from `low` (included) up to `high` (excluded)."""
        return bisect_left(self.keys, low), bisect_left(self.keys, high)
