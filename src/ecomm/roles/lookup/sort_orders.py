"""Sort orders kept sorted as products change, so a page never needs a sort of the catalog.

The catalog has its three orders (name, price up, price down), and so does each category, so
a category page sorted by price is a slice too. The key tuples are shared between the two.
"""

from __future__ import annotations

from bisect import bisect_left
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

# (name, productID), (price, name, productID) ...: every key ends with the product id, so the
# order is total and a page boundary never depends on how a set happened to iterate.
SortKey = tuple[Any, ...]


@dataclass(frozen=True, slots=True)
class Keys:
    """One product's place in each order."""

    name: tuple[str, str]
    price: tuple[int, str, str]
    price_desc: tuple[int, str, str]

    @classmethod
    def of(cls, folded_name: str, product_id: str, cents: int) -> Keys:
        return cls(
            (folded_name, product_id),
            (cents, folded_name, product_id),
            (-cents, folded_name, product_id),
        )


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


class Orders:
    """The three orders of one set of products: the whole catalog, or one category."""

    def __init__(self) -> None:
        self.by_name = SortedOrder()
        self.by_price = SortedOrder()
        self.by_price_desc = SortedOrder()

    def __len__(self) -> int:
        return len(self.by_name)

    def insert(self, keys: Keys, ordinal: int) -> None:
        self.by_name.insert(keys.name, ordinal)
        self.by_price.insert(keys.price, ordinal)
        self.by_price_desc.insert(keys.price_desc, ordinal)

    def remove(self, keys: Keys) -> None:
        self.by_name.remove(keys.name)
        self.by_price.remove(keys.price)
        self.by_price_desc.remove(keys.price_desc)

    def rebuild(self, entries: list[tuple[Keys, int]]) -> None:
        self.by_name.rebuild((k.name, o) for k, o in entries)
        self.by_price.rebuild((k.price, o) for k, o in entries)
        self.by_price_desc.rebuild((k.price_desc, o) for k, o in entries)

    def price_span(self, low: int, high: int, *, descending: bool = False) -> tuple[int, int]:
        """Where prices `low`..`high` (cents, inclusive) lie in a price order."""
        if descending:
            return self.by_price_desc.span((-high,), (-low + 1,))
        return self.by_price.span((low,), (high + 1,))
