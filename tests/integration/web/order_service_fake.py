"""The order service the web tests run against: the real order handler and API, on an in-memory
store that reserves against the fake catalog.

Only the store is fake (`tests/fakes.py`'s, behind the `OrderStore` protocol), so an order is
priced, checked, confirmed, rejected, cancelled and answered exactly as the order role does it;
`tests/integration/order/test_api_contract.py` checks its answers against the role on DynamoDB.
The catalog's stock is what lookup shows; `sold_elsewhere` is stock the worker sees gone but
lookup does not (yet), as after a sale through another channel.
"""

from __future__ import annotations

import asyncio
import contextlib
from dataclasses import dataclass, field
from decimal import Decimal

from aiohttp import web

from ecomm.core.contracts.events import Envelope
from ecomm.core.domain.money import CURRENCIES, ShippingRule
from ecomm.core.domain.orders import Order, Pricing
from ecomm.core.domain.payments import PaymentProvider
from ecomm.core.runtime.http import json_errors
from ecomm.core.runtime.metrics import Metrics
from ecomm.roles.order.api import add_routes
from ecomm.roles.order.handlers import order_handler
from tests.fakes import FakeOrderStore
from tests.integration.web.storefront_catalog import FakeCatalog

# What the web tests' settings say too (the defaults): USD, $4.99 shipping, free from $50.
PRICING = Pricing(CURRENCIES["USD"], ShippingRule(Decimal("4.99"), Decimal("50.00")))


@dataclass
class FakeOrderService:
    """Processes each command `processing_delay` after it was published, as the worker would."""

    catalog: FakeCatalog
    processing_delay: float = 0.3
    pricing: Pricing = PRICING
    sold_elsewhere: dict[str, int] = field(default_factory=dict)
    store: FakeOrderStore = field(default_factory=lambda: FakeOrderStore(stock={}))
    announced: list[Envelope] = field(default_factory=list)
    payments: PaymentProvider | None = None  # the worker's provider, as the role is given it
    _tasks: set[asyncio.Task[None]] = field(default_factory=set)

    def __post_init__(self) -> None:
        self._handle = order_handler(self.store, self.pricing, Metrics("order"), self.payments)

    @property
    def orders(self) -> dict[str, Order]:
        return self.store.orders

    def accept(self, event: Envelope) -> None:
        task = asyncio.get_running_loop().create_task(self._process(event))
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)

    async def _process(self, event: Envelope) -> None:
        await asyncio.sleep(self.processing_delay)
        before = self._load_catalog()
        self.announced += await self._handle(event)
        for pid, stock in self.store.stock.items():
            if stock != before[pid]:
                # Units that left the stock were sold (or came back, when cancelled).
                shown, change = self.catalog.products[pid], stock - before[pid]
                self.catalog.change(pid, stock=shown.stock + change, sold=shown.sold - change)

    def _load_catalog(self) -> dict[str, int]:
        products = self.catalog.products.values()
        self.store.stock = {
            p.productID: p.stock - self.sold_elsewhere.get(p.productID, 0) for p in products
        }
        self.store.prices = {p.productID: p.price for p in products}
        self.store.names = {p.productID: p.name for p in products}
        return dict(self.store.stock)

    async def settle(self) -> None:
        """Wait until every command accepted so far has been processed."""
        await asyncio.gather(*self._tasks)

    async def close(self) -> None:
        for task in list(self._tasks):
            task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await task

    def app(self) -> web.Application:
        async def healthz(_: web.Request) -> web.Response:
            return web.json_response({"status": "ok"})

        app = web.Application(middlewares=[json_errors])  # as the order role's build has it
        app.router.add_get("/healthz", healthz)
        add_routes(app, self.store)
        return app
