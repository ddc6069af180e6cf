"""Real order workers, in this process, against the emulator."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from contextlib import AsyncExitStack, asynccontextmanager
from decimal import Decimal

import pytest

from ecomm.core.adapters.consumer import QueueConsumer
from ecomm.core.adapters.orders_table import OrderRepository
from ecomm.core.adapters.products_table import ProductRepository
from ecomm.core.contracts.events import (
    AddressData,
    CustomerData,
    Envelope,
    EventType,
    LineData,
    OrderCommandData,
    OrderPlacedData,
)
from ecomm.core.domain.orders import Order, OrderNotFound
from ecomm.core.domain.payments import PaymentProvider
from ecomm.core.domain.products import Product
from ecomm.core.runtime.bootstrap import Runtime, open_runtime
from ecomm.core.runtime.settings import Settings
from ecomm.roles.order import build
from tests.payments import on_fake_stripe
from tests.stripe_fake import FakeStripe


@asynccontextmanager
async def order_workers(settings: Settings, count: int = 1) -> AsyncIterator[list[QueueConsumer]]:
    """`count` independent workers (own clients, own publisher), stopped cleanly on exit."""
    async with AsyncExitStack() as stack:
        consumers: list[QueueConsumer] = []
        for _ in range(count):
            rt = await stack.enter_async_context(open_runtime(settings, "order"))
            consumers += (await build(rt)).consumers
        tasks = [asyncio.create_task(c.run()) for c in consumers]
        try:
            yield consumers
        finally:
            for c in consumers:
                await c.stop()
            await asyncio.gather(*tasks)


PRICE = Decimal("9.99")  # what `Shop.stock` prices every product at
HOME = AddressData(line1="12 Analytical Row", city="London", postalCode="N1 9GU", country="GB")


def placed(order_id: str, *, price: Decimal = PRICE, **lines: int) -> Envelope:
    """OrderPlaced as the web sends it: each line at the price shown, in USD, to an address."""
    data = OrderPlacedData(
        orderID=order_id,
        items=[
            LineData(productID=pid, quantity=q, unitPrice=price, name=f"Product {pid}")
            for pid, q in lines.items()
        ],
        customer=CustomerData(name="Ada Lovelace", email="ada@example.com"),
        currency="USD",
        shippingAddress=HOME,
    )
    return Envelope.wrap(EventType.ORDER_PLACED, data, f"corr-{order_id}")


def command(kind: EventType, order_id: str, reason: str | None = None) -> Envelope:
    """CancelOrder, ShipOrder or DeliverOrder, as the web or the operator's CLI sends it."""
    return Envelope.wrap(kind, OrderCommandData(orderID=order_id, reason=reason), None)


class Shop:
    """The tables of one test, read and written the way the roles do."""

    def __init__(self, rt: Runtime) -> None:
        self.rt = rt
        self.products = ProductRepository(rt.aws.dynamodb, rt.names.products_table)
        self.orders = OrderRepository(
            rt.aws.dynamodb, rt.names.orders_table, rt.names.products_table
        )

    async def stock(self, **levels: int) -> None:
        await self.products.put_many(
            [
                Product(pid, f"Product {pid}", "", "Test", PRICE, qty, "t")
                for pid, qty in levels.items()
            ]
        )

    async def stock_of(self, pid: str) -> int:
        return (await self.products.get(pid)).stock

    async def order(self, order_id: str) -> Order | None:
        try:
            return await self.orders.get(order_id)
        except OrderNotFound:
            return None

    async def all_recorded(self, order_ids: list[str]) -> list[Order]:
        found = await asyncio.gather(*(self.order(o) for o in order_ids))
        return [o for o in found if o is not None]

    async def order_count(self) -> int:
        answer = await self.rt.aws.dynamodb.scan(
            TableName=self.rt.names.orders_table, Select="COUNT"
        )
        return answer["Count"]


@pytest.fixture
def shop(runtime: Runtime) -> Shop:
    return Shop(runtime)


@pytest.fixture
def fake() -> FakeStripe:
    """A payment provider that keeps Stripe's rules (idempotency, the state machine)."""
    return FakeStripe()


@pytest.fixture
async def stripe(fake: FakeStripe) -> AsyncIterator[PaymentProvider]:
    async with on_fake_stripe(fake) as provider:
        yield provider
