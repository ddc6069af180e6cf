"""The order API's contract with the web role: the real order role on DynamoDB, and the fake the
web tests run against, answer these the same way (the fake is checked against the real thing).

Both are driven by the same events through the order handler; their answers must match field
for field, except the moments, which each side takes from its own clock.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager
from decimal import Decimal
from typing import Any

import pytest
from aiohttp import web
from aiohttp.test_utils import TestClient, TestServer

from ecomm.core.adapters.orders_table import OrderRepository
from ecomm.core.contracts.events import Envelope, EventType, PaymentData
from ecomm.core.contracts.orders import OrderBody
from ecomm.core.domain.payments import Card, Charge, Payment, PaymentProvider, PaymentStatus
from ecomm.core.runtime.bootstrap import Runtime
from ecomm.core.runtime.http import json_errors
from ecomm.core.runtime.metrics import Metrics
from ecomm.roles.order.api import add_routes
from ecomm.roles.order.handlers import order_handler
from tests.integration.order.conftest import Shop, command, placed
from tests.integration.web.order_service_fake import PRICING, FakeOrderService
from tests.integration.web.storefront_catalog import FakeCatalog
from tests.payments import on_fake_stripe
from tests.stripe_fake import VISA, FakeStripe
from tests.unit.lookup.catalogs import product

Client = TestClient[Any, Any]
Handle = Callable[[Envelope], Awaitable[object]]
CATALOG = {"P1": 10, "P2": 1}


@asynccontextmanager
async def _real(
    runtime: Runtime, payments: PaymentProvider | None = None
) -> AsyncIterator[tuple[Client, Handle]]:
    await Shop(runtime).stock(**CATALOG)
    store = OrderRepository(
        runtime.aws.dynamodb, runtime.names.orders_table, runtime.names.products_table
    )
    app = web.Application(middlewares=[json_errors])
    add_routes(app, store)
    async with TestClient(TestServer(app, host="127.0.0.1")) as client:
        yield client, order_handler(store, PRICING, Metrics("order"), payments)


@asynccontextmanager
async def _fake(
    _: Runtime, payments: PaymentProvider | None = None
) -> AsyncIterator[tuple[Client, Handle]]:
    products = [
        product(pid, f"Product {pid}", price="9.99", stock=stock) for pid, stock in CATALOG.items()
    ]
    service = FakeOrderService(
        FakeCatalog(products={p.productID: p for p in products}), payments=payments
    )

    async def handle(event: Envelope) -> None:
        service.accept(event)
        await service.settle()

    service.processing_delay = 0.0
    async with TestClient(TestServer(service.app(), host="127.0.0.1")) as client:
        yield client, handle


@pytest.fixture(params=[_real, _fake], ids=["order", "web-tests-fake"])
async def order_api(
    request: pytest.FixtureRequest, runtime: Runtime
) -> AsyncIterator[tuple[Client, Handle]]:
    async with request.param(runtime) as pair:
        yield pair


@pytest.fixture(params=[_real, _fake], ids=["order", "web-tests-fake"])
async def paid_order_api(
    request: pytest.FixtureRequest, runtime: Runtime
) -> AsyncIterator[tuple[Client, Handle, PaymentProvider]]:
    async with on_fake_stripe(FakeStripe()) as payments, request.param(runtime, payments) as pair:
        yield (*pair, payments)


def _without_moments(body: dict[str, Any]) -> dict[str, Any]:
    history = [{**change, "at": "<at>"} for change in body["history"]]
    return {**body, "createdAt": "<at>", "updatedAt": "<at>", "history": history}


async def test_a_confirmed_order_then_cancelled(order_api: tuple[Client, Handle]) -> None:
    client, handle = order_api
    await handle(placed("o-1", P1=2))
    confirmed = await (await client.get("/api/orders/o-1")).json()
    assert _without_moments(confirmed) == {
        "orderID": "o-1",
        "status": "CONFIRMED",
        "items": [
            {
                "productID": "P1",
                "name": "Product P1",
                "quantity": 2,
                "unitPrice": "9.99",
                "lineTotal": "19.98",
            }
        ],
        "reason": None,
        "createdAt": "<at>",
        "updatedAt": "<at>",
        "currency": "USD",
        "subtotal": "19.98",
        "shipping": "4.99",
        "total": "24.97",
        "customer": {"name": "Ada Lovelace"},
        "shippingAddress": {
            "line1": "12 Analytical Row",
            "line2": "",
            "city": "London",
            "region": "",
            "postalCode": "N1 9GU",
            "country": "GB",
        },
        "history": [
            {"status": "PENDING", "at": "<at>", "reason": None},
            {"status": "CONFIRMED", "at": "<at>", "reason": None},
        ],
        "payment": None,
    }
    assert OrderBody.model_validate(confirmed).to_domain().total == Decimal("24.97")

    await handle(command(EventType.CANCEL_ORDER, "o-1", "Changed my mind"))
    cancelled = await (await client.get("/api/orders/o-1")).json()
    assert (cancelled["status"], cancelled["reason"]) == ("CANCELLED", "Changed my mind")
    assert cancelled["history"][-1]["status"] == "CANCELLED"
    assert cancelled["history"][-1]["reason"] == "Changed my mind"


async def test_a_paid_order_shows_its_payment_then_its_refund(
    paid_order_api: tuple[Client, Handle, PaymentProvider],
) -> None:
    client, handle, payments = paid_order_api
    auth = await payments.authorize(Charge("o-3", 2497, "USD", VISA))
    payment = PaymentData(
        provider="stripe",
        id=auth.payment_id,
        amount=2497,
        currency="USD",
        brand="visa",
        last4="4242",
    )
    event = placed("o-3", P1=2)
    await handle(event.model_copy(update={"data": {**event.data, "payment": payment.model_dump()}}))
    body = await (await client.get("/api/orders/o-3")).json()
    assert body["payment"] == {
        "provider": "stripe",
        "id": auth.payment_id,
        "status": "paid",
        "card": {"brand": "visa", "last4": "4242"},
    }
    assert OrderBody.model_validate(body).to_domain().payment == Payment(
        "stripe", auth.payment_id, PaymentStatus.PAID, 2497, "USD", Card("visa", "4242")
    )
    await handle(command(EventType.CANCEL_ORDER, "o-3"))
    body = await (await client.get("/api/orders/o-3")).json()
    assert (body["status"], body["payment"]["status"]) == ("CANCELLED", "refunded")


async def test_a_rejected_order_says_why(order_api: tuple[Client, Handle]) -> None:
    client, handle = order_api
    await handle(placed("o-2", P2=3))
    body = await (await client.get("/api/orders/o-2")).json()
    assert body["status"] == "REJECTED"
    assert body["reason"] == "Sorry: only 1 of “Product P2” left (you asked for 3)."
    assert body["history"][-1]["status"] == "REJECTED"
    assert body["total"] == "34.96"  # what it would have cost: 3 x 9.99 + 4.99


async def test_an_unknown_order_is_a_json_404_and_a_bad_id_a_json_400(
    order_api: tuple[Client, Handle],
) -> None:
    client, _ = order_api
    unknown = await client.get("/api/orders/nope")
    assert unknown.status == 404
    assert "error" in await unknown.json()
    bad = await client.get("/api/orders/" + "x" * 200)
    assert bad.status == 400
    assert "error" in await bad.json()
