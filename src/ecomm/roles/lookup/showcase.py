"""What the home page shows beside the search box: featured products and best sellers.

    featured      each category's in-stock showpieces, dearest first, taken in turns: the
                  dearest of every category (by label), then the next of every category, ... up
                  to FEATURED. A varied shelf, the same for everyone, that moves only with the
                  catalog (a plain name order would show one brand's first letter everywhere).
    best sellers  in-stock products by units sold in confirmed orders (the table's `sold`,
                  counted by the order transaction), most first, ties by productID; none
                  until something sold.

Featured is asked of the engine's `search` (one browse per category); it is chosen again only
when the engine's `version` moves, which is exactly when a search could answer differently.
Best sellers are kept sorted by `Sales` as the read model applies rows (`readmodel.py` calls
`record` and `forget`), so answering walks the head of a list instead of scanning the catalog on
every confirmed order.
"""

from __future__ import annotations

from bisect import bisect_left, insort
from collections.abc import Iterator

from ecomm.core.domain.products import Product
from ecomm.core.domain.search import SearchQuery, Sort
from ecomm.roles.lookup.engine import SearchEngine

FEATURED = 12  # fills rows of 2, 3, 4 or 6 cards
BEST_SELLERS = 8


class Sales:
    """Product ids with units sold, most sold first; one entry per product that sold."""

    def __init__(self) -> None:
        self._ranked: list[tuple[int, str]] = []  # (-sold, productID), sorted
        self._key: dict[str, tuple[int, str]] = {}

    def __len__(self) -> int:
        return len(self._ranked)

    def record(self, product: Product) -> None:
        """Rank `product` by its `sold` as the read model now holds it."""
        old = self._key.get(product.productID)
        new = (-product.sold, product.productID) if product.sold > 0 else None
        if old == new:
            return
        if old is not None:
            self._drop(old)
        if new is not None:
            insort(self._ranked, new)
            self._key[product.productID] = new

    def forget(self, product_id: str) -> None:
        old = self._key.get(product_id)
        if old is not None:
            self._drop(old)

    def ranked(self) -> Iterator[str]:
        return (product_id for _, product_id in self._ranked)

    def _drop(self, key: tuple[int, str]) -> None:
        at = bisect_left(self._ranked, key)
        if at < len(self._ranked) and self._ranked[at] == key:
            del self._ranked[at]
        del self._key[key[1]]


def best_sellers(sales: Sales, engine: SearchEngine, count: int = BEST_SELLERS) -> list[Product]:
    found: list[Product] = []
    for product_id in sales.ranked():
        product = engine.get(product_id)
        if product is not None and product.in_stock:
            found.append(product)
            if len(found) == count:
                break
    return found


class Featured:
    """The featured shelf of one engine, chosen again only when its `version` moved.

    Choosing searches once per category: call `products` in a worker thread."""

    def __init__(self, count: int = FEATURED) -> None:
        self._count = count
        self._kept: tuple[SearchEngine, int, tuple[str, ...]] | None = None

    def products(self, engine: SearchEngine) -> list[Product]:
        kept = self._kept
        if kept is None or kept[0] is not engine or kept[1] != engine.version:
            version = engine.version  # read first: a change meanwhile is chosen again next time
            kept = self._kept = (engine, version, self._choose(engine))
        # Chosen by version, read fresh: stock that stays in stock, or a sale, moves no version.
        return [p for p in map(engine.get, kept[2]) if p is not None]

    def _choose(self, engine: SearchEngine) -> tuple[str, ...]:
        labels = [label for label, _ in engine.categories()]
        if not labels:
            return ()
        rounds = -(-self._count // len(labels))
        shelves = [
            engine.search(
                SearchQuery(category=label, in_stock=True, sort=Sort.PRICE_DESC, per_page=rounds)
            )[0]
            for label in labels
        ]
        chosen = [s[turn].productID for turn in range(rounds) for s in shelves if turn < len(s)]
        return tuple(chosen[: self._count])
