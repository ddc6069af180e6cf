"""Search answers kept between requests, as the JSON bytes the API sends.

    SearchQuery ─> index version, the page's ordinals, total,      bounded LRU
                   and each item's JSON bytes as of index changes
    ordinal     ─> the Product it was encoded from, its JSON bytes  one per product shown

Shoppers repeat the same few hundred searches, so ranking them again and encoding the same
products again is most of what a search request would cost. A kept page is valid while the
index's `version` is unchanged (see `index.py` for what moves it); it holds ordinals, not
products, so a stock change that keeps a product in stock costs the page nothing. A product's
bytes are valid while the index holds the very object they were encoded from: the index
replaces the object on every upsert, so an identity check catches every change with no hook.
A page's items are checked that way again only when the index's `changes` moved. The product
bytes are bounded by the catalog (one entry per ordinal ever shown); a page refers to them.

A product's bytes are `core/contracts/products.product_json`'s, the API's one encoding.
"""

from __future__ import annotations

import json
from dataclasses import dataclass

from ecomm.core.contracts.products import items_json, product_json
from ecomm.core.domain.products import Product
from ecomm.core.domain.search import SearchQuery
from ecomm.core.runtime.lru import Lru
from ecomm.roles.lookup.index import SearchIndex
from ecomm.roles.lookup.search import search_ordinals

PAGES_KEPT = 4096


@dataclass(slots=True)
class Page:
    version: int  # the index's, when the page was searched
    ordinals: tuple[int, ...]
    total: int
    changes: int = -1  # the index's, when `items` were last checked
    items: tuple[bytes, ...] = ()


class SearchResults:
    """`search()` over one index, answered from kept pages while they are valid.

    `hits` and `misses` count pages; a miss includes a kept page the index has moved past.
    """

    def __init__(self, index: SearchIndex, *, capacity: int = PAGES_KEPT) -> None:
        self.index = index
        self.hits = 0
        self.misses = 0
        self._pages: Lru[SearchQuery, Page] = Lru(capacity)
        self._encoded: dict[int, tuple[Product, bytes]] = {}
        self._categories: tuple[int, bytes] | None = None

    def __len__(self) -> int:
        return len(self._pages)

    def page(self, query: SearchQuery) -> Page:
        index = self.index
        kept = self._pages.get(query)
        if kept is not None and kept.version == index.version:
            self.hits += 1
            return kept
        self.misses += 1
        ordinals, total = search_ordinals(index, query)
        page = Page(index.version, tuple(ordinals), total)
        self._pages.put(query, page)
        return page

    def page_json(self, query: SearchQuery) -> bytes:
        """The API's body for `query`: `{"items": [..], "total", "page", "per_page"}`."""
        page = self.page(query)
        if page.changes != self.index.changes:
            page.items = self._items(page.ordinals)
            page.changes = self.index.changes
        return items_json(
            list(page.items), total=page.total, page=query.page, per_page=query.per_page
        )

    def _items(self, ordinals: tuple[int, ...]) -> tuple[bytes, ...]:
        product, encoded = self.index.product, self._encoded
        items = []
        for ordinal in ordinals:
            current = product(ordinal)
            kept = encoded.get(ordinal)
            if kept is None or kept[0] is not current:
                kept = encoded[ordinal] = (current, product_json(current))
            items.append(kept[1])
        return tuple(items)

    def categories_json(self) -> bytes:
        """`{"categories": [{"name": .., "count": ..}, ...]}`, kept until the version moves."""
        version = self.index.version
        if self._categories is None or self._categories[0] != version:
            categories = [{"name": n, "count": c} for n, c in self.index.categories()]
            self._categories = (version, json.dumps({"categories": categories}).encode())
        return self._categories[1]
