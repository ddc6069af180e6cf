"""Fakes the web role runs against in tests: lookup and order as small in-memory HTTP services,
and an event publisher behind the `EventPublisher` protocol.

They speak the same HTTP contracts as the real services, so the web role's own clients (peers)
are exercised for real. The fake order service processes an OrderPlaced the way the real worker
does: it reserves stock against the "table" (which may be lower than what lookup still shows, as
after a sale elsewhere) and confirms, or rejects with a reason.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from aiohttp import web

from ecomm.core.adapters.publisher import PublishFailed
from ecomm.core.contracts.events import Envelope, EventType, OrderPlacedData
from ecomm.core.domain.orders import LineProblem, describe_problems

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


def seeded_products() -> dict[str, dict[str, Any]]:
    """Twenty-four products (two pages of results); a few low on stock, a few out of stock."""
    products: dict[str, dict[str, Any]] = {}
    n = 0
    for category in CATEGORIES:
        for name in NAMES[category]:
            n += 1
            pid = f"p{n:03d}"
            stock = 0 if pid in SOLD_OUT else LOW_STOCK.get(pid, 20 + n)
            products[pid] = {
                "productID": pid,
                "name": name,
                "description": f"A well made {name.lower()}, chosen for everyday use.",
                "category": category,
                "price": float(Decimal(5 + n * 3) + Decimal("0.99")),
                "stock": stock,
                "updatedAt": "2026-11-25T10:00:00Z",
                "imageUrl": None,
            }
    return products


def _matches(product: dict[str, Any], query: web.Request) -> bool:
    q = query.query.get("q", "").lower()
    text = f"{product['name']} {product['description']} {product['category']}".lower()
    if q and not all(word in text for word in q.split()):
        return False
    category = query.query.get("category", "")
    if category and product["category"] != category:
        return False
    if query.query.get("in_stock") == "true" and product["stock"] <= 0:
        return False
    low, high = query.query.get("min_price"), query.query.get("max_price")
    if low and product["price"] < float(low):
        return False
    return not (high and product["price"] > float(high))


_SORTS: dict[str, Callable[[dict[str, Any]], Any]] = {
    "price_asc": lambda p: p["price"],
    "price_desc": lambda p: -p["price"],
    "name": lambda p: p["name"],
}


@dataclass
class FakeCatalog:
    """What lookup serves, plus knobs a test turns: a delay, or a broken service."""

    products: dict[str, dict[str, Any]] = field(default_factory=seeded_products)
    trending: list[str] = field(default_factory=lambda: ["lamp", "kettle", "garden"])
    delay: float = 0.0
    broken: bool = False
    trending_broken: bool = False
    requests: int = 0

    def set_stock(self, product_id: str, stock: int) -> None:
        self.products[product_id]["stock"] = stock

    async def _gate(self) -> None:
        self.requests += 1
        if self.delay:
            await asyncio.sleep(self.delay)
        if self.broken:
            raise web.HTTPInternalServerError(text="broken on purpose")

    def app(self) -> web.Application:
        async def healthz(_: web.Request) -> web.Response:
            return web.json_response({"status": "ok"})

        async def search(request: web.Request) -> web.Response:
            await self._gate()
            if request.query.get("sort", "relevance") not in {"relevance", *_SORTS}:
                return web.json_response({"error": "unknown sort"}, status=400)
            found = [p for p in self.products.values() if _matches(p, request)]
            sort = _SORTS.get(request.query.get("sort", ""))
            if sort:
                found.sort(key=sort)
            page, per_page = (
                int(request.query.get("page", 1)),
                int(request.query.get("per_page", 20)),
            )
            items = found[(page - 1) * per_page : page * per_page]
            return web.json_response(
                {"items": items, "total": len(found), "page": page, "per_page": per_page}
            )

        async def product(request: web.Request) -> web.Response:
            await self._gate()
            found = self.products.get(request.match_info["pid"])
            if found is None:
                return web.json_response({"error": "no such product"}, status=404)
            return web.json_response(found)

        async def categories(_: web.Request) -> web.Response:
            await self._gate()
            counts = [
                {"name": c, "count": sum(p["category"] == c for p in self.products.values())}
                for c in CATEGORIES
            ]
            return web.json_response({"categories": counts})

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
        return app


@dataclass
class FakeOrderService:
    """Records orders like the order worker: after `processing_delay`, CONFIRMED or REJECTED."""

    catalog: FakeCatalog
    processing_delay: float = 0.3
    orders: dict[str, dict[str, Any]] = field(default_factory=dict)
    # Stock sold through another channel: the worker sees it, lookup does not (yet).
    sold_elsewhere: dict[str, int] = field(default_factory=dict)
    _tasks: set[asyncio.Task[None]] = field(default_factory=set)

    def accept(self, event: Envelope) -> None:
        task = asyncio.get_running_loop().create_task(self._process(event))
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)

    async def _process(self, event: Envelope) -> None:
        await asyncio.sleep(self.processing_delay)
        data = event.payload()
        assert isinstance(data, OrderPlacedData)
        problems = []
        for line in data.items:
            product = self.catalog.products.get(line.productID)
            available = None
            if product is not None:
                available = product["stock"] - self.sold_elsewhere.get(line.productID, 0)
            if available is None or line.quantity > available:
                name = product["name"] if product else None
                problems.append(LineProblem(line.productID, line.quantity, available, name))
        if not problems:
            for line in data.items:
                self.catalog.products[line.productID]["stock"] -= line.quantity
        self.orders[data.orderID] = {
            "orderID": data.orderID,
            "status": "REJECTED" if problems else "CONFIRMED",
            "items": [line.model_dump() for line in data.items],
            "reason": describe_problems(problems) if problems else None,
        }

    async def settle(self) -> None:
        """Wait until every order accepted so far has been processed."""
        await asyncio.gather(*self._tasks)

    async def close(self) -> None:
        for task in list(self._tasks):
            task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await task

    def app(self) -> web.Application:
        async def order(request: web.Request) -> web.Response:
            found = self.orders.get(request.match_info["oid"])
            if found is None:
                return web.json_response({"error": "no such order"}, status=404)
            return web.json_response(found)

        app = web.Application()
        app.router.add_get("/api/orders/{oid}", order)
        return app


@dataclass
class FakePublisher:
    """An `EventPublisher` that keeps what it was given, and fails when told to."""

    fail: bool = False
    published: list[Envelope] = field(default_factory=list)
    later: list[Envelope] = field(default_factory=list)
    on_order: Callable[[Envelope], None] | None = None

    async def publish(self, event: Envelope) -> None:
        if self.fail:
            raise PublishFailed("SNS is down (on purpose)")
        self.published.append(event)
        if event.type is EventType.ORDER_PLACED and self.on_order:
            self.on_order(event)

    async def publish_many(self, events: Sequence[Envelope]) -> None:
        for event in events:
            await self.publish(event)

    def publish_later(self, event: Envelope) -> None:
        self.later.append(event)
