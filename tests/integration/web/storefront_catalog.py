"""The lookup service the web tests run against: a small in-memory catalog over HTTP.

It speaks lookup's HTTP contract (checked against the real lookup by
tests/integration/lookup/test_api_contract.py), so the web role's own client is exercised for
real.
"""

from __future__ import annotations

import asyncio
import difflib
import re
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from decimal import Decimal
from typing import Any

from aiohttp import web

from ecomm.core.contracts.identifiers import is_product_id
from ecomm.core.contracts.products import InvalidIds, items_json, product_json, read_ids
from ecomm.core.contracts.search import read_search, search_json, wants_categories
from ecomm.core.domain.products import Product
from ecomm.core.domain.search import NO_PRICE_LIMIT, SearchQuery, Sort
from ecomm.roles.lookup.showcase import BEST_SELLERS, FEATURED

__all__ = ["FakeCatalog"]

CATEGORIES = ("Kitchen", "Lighting", "Garden", "Books")
NAMES = {
    "Kitchen": [
        "Copper Kettle",
        "Chef Knife",
        "Coffee Grinder",
        "Cast Iron Pan",
        "Tea Set",
        "Salad Bowl",
    ],
    "Lighting": [
        "Desk Lamp",
        "Paper Lantern",
        "Floor Lamp",
        "String Lights",
        "Reading Light",
        "Candle Jar",
    ],
    "Garden": [
        "Watering Can",
        "Pruning Shears",
        "Herb Planter",
        "Garden Gloves",
        "Bird Feeder",
        "Hammock",
    ],
    "Books": ["Field Guide", "Cookbook", "Poetry Reader", "Atlas", "Sketchbook", "Star Chart"],
}

# Product ids follow NAMES in order: p001 is the Copper Kettle, p007 the Desk Lamp.
SOLD_OUT = frozenset({"p004", "p016"})  # Cast Iron Pan, Garden Gloves
LOW_STOCK = {"p009": 3, "p020": 2}  # Floor Lamp, Cookbook


def seeded_products() -> dict[str, Product]:
    """Twenty-four products (two pages of results); a few low on stock, a few out of stock."""
    products: dict[str, Product] = {}
    n = 0
    for category in CATEGORIES:
        for name in NAMES[category]:
            n += 1
            pid = f"p{n:03d}"
            products[pid] = Product(
                productID=pid,
                name=name,
                description=f"A well made {name.lower()}, chosen for everyday use.",
                category=category,
                price=Decimal(5 + n * 3) + Decimal("0.99"),
                stock=0 if pid in SOLD_OUT else LOW_STOCK.get(pid, 20 + n),
                updatedAt="2026-11-25T10:00:00Z",
            )
    return products


def _matches(product: Product, query: SearchQuery) -> bool:
    text = f"{product.name} {product.description} {product.category}".lower()
    if query.text and not all(word in text for word in query.text.lower().split()):
        return False
    if query.category and product.category != query.category:
        return False
    if query.in_stock is not None and product.in_stock != query.in_stock:
        return False
    low = -1 if query.min_cents is None else query.min_cents
    high = NO_PRICE_LIMIT if query.max_cents is None else query.max_cents
    return low <= int(product.price * 100) <= high


def _suggestion(products: list[Product], query: SearchQuery) -> str | None:
    """Lookup's "did you mean", roughly: each unknown word replaced by the closest known one,
    when that search finds something."""
    vocabulary = {
        w for p in products for w in re.findall(r"\w+", f"{p.name} {p.description}".lower())
    }
    corrected = []
    for word in query.text.lower().split():
        close = [word] if word in vocabulary else difflib.get_close_matches(word, vocabulary, 1)
        if not close:
            return None
        corrected.append(close[0])
    text = " ".join(corrected)
    if text == query.text.lower() or not any(
        _matches(p, replace(query, text=text)) for p in products
    ):
        return None
    return text


_SORTS: dict[Sort, Callable[[Product], Any]] = {
    Sort.PRICE_ASC: lambda p: (p.price, p.productID),
    Sort.PRICE_DESC: lambda p: (-p.price, p.name.lower(), p.productID),
    Sort.NAME: lambda p: (p.name.lower(), p.productID),
}


def _json(body: bytes, status: int = 200) -> web.Response:
    return web.Response(body=body, status=status, content_type="application/json")


@dataclass
class FakeCatalog:
    """What lookup serves, plus knobs a test turns: a delay, or a broken service."""

    products: dict[str, Product] = field(default_factory=seeded_products)
    trending: list[str] = field(default_factory=lambda: ["lamp", "kettle", "garden"])
    delay: float = 0.0
    broken: bool = False
    trending_broken: bool = False
    requests: int = 0

    def set_stock(self, product_id: str, stock: int) -> None:
        self.products[product_id] = replace(self.products[product_id], stock=stock)

    def change(self, product_id: str, **changes: Any) -> None:
        self.products[product_id] = replace(self.products[product_id], **changes)

    async def _gate(self) -> None:
        self.requests += 1
        if self.delay:
            await asyncio.sleep(self.delay)
        if self.broken:
            raise web.HTTPInternalServerError(text="broken on purpose")

    def _categories(self) -> list[tuple[str, int]]:
        return sorted(Counter(p.category for p in self.products.values()).items())

    def app(self) -> web.Application:
        async def healthz(_: web.Request) -> web.Response:
            return web.json_response({"status": "ok"})

        async def search(request: web.Request) -> web.Response:
            await self._gate()
            if "ids" in request.query:
                try:
                    ids = read_ids(request.query["ids"])
                except InvalidIds as exc:
                    return web.json_response({"error": str(exc)}, status=400)
                found = [product_json(self.products[i]) for i in ids if i in self.products]
                return _json(items_json(found))
            read = read_search(request.query)
            if read.problems:
                return web.json_response({"error": read.message()}, status=400)
            query = read.query
            matches = [p for p in self.products.values() if _matches(p, query)]
            if query.sort in _SORTS:
                matches.sort(key=_SORTS[query.sort])
            page = matches[query.offset : query.offset + query.per_page]
            everything = list(self.products.values())
            body = search_json(
                [product_json(p) for p in page],
                total=len(matches),
                page=query.page,
                per_page=query.per_page,
                suggestion=_suggestion(everything, query) if query.text and not matches else None,
                categories=self._categories() if wants_categories(request.query) else None,
            )
            return _json(body)

        async def product(request: web.Request) -> web.Response:
            await self._gate()
            pid = request.match_info["pid"]
            if not is_product_id(pid):
                return web.json_response({"error": "not a product id"}, status=400)
            found = self.products.get(pid)
            if found is None:
                return web.json_response({"error": "no such product"}, status=404)
            return _json(product_json(found))

        async def categories(_: web.Request) -> web.Response:
            await self._gate()
            counts = [{"name": c, "count": n} for c, n in self._categories()]
            return web.json_response({"categories": counts})

        async def featured(_: web.Request) -> web.Response:
            # lookup's rule (showcase.py): categories in turns, in-stock products dearest first.
            await self._gate()
            shelves = [
                sorted(
                    (p for p in self.products.values() if p.category == c and p.in_stock),
                    key=_SORTS[Sort.PRICE_DESC],
                )
                for c in sorted({p.category for p in self.products.values()})
            ]
            turns = [
                s[t]
                for t in range(max(map(len, shelves), default=0))
                for s in shelves
                if t < len(s)
            ]
            return _json(items_json([product_json(p) for p in turns[:FEATURED]]))

        async def best_sellers(_: web.Request) -> web.Response:
            await self._gate()
            sold = [p for p in self.products.values() if p.sold > 0 and p.in_stock]
            sold.sort(key=lambda p: (-p.sold, p.productID))
            return _json(items_json([product_json(p) for p in sold[:BEST_SELLERS]]))

        async def trending(_: web.Request) -> web.Response:
            await self._gate()
            if self.trending_broken:
                raise web.HTTPServiceUnavailable(text="trending is down")
            return web.json_response({"items": [{"query": q, "score": 1.0} for q in self.trending]})

        app = web.Application()
        app.router.add_get("/healthz", healthz)
        app.router.add_get("/api/products", search)
        app.router.add_get("/api/products/{pid}", product)
        app.router.add_get("/api/categories", categories)
        app.router.add_get("/api/trending", trending)
        app.router.add_get("/api/featured", featured)
        app.router.add_get("/api/bestsellers", best_sellers)
        return app
