"""The payment on the Orders table (DynamoDB, on the emulator): the conditional writes that make
each step once, the cancel that waits for a pending capture, the release after a failed one."""

from __future__ import annotations

from decimal import Decimal

import pytest

from ecomm.core.contracts.events import Envelope, EventType, PaymentData
from ecomm.core.domain.lifecycle import CapturePending
from ecomm.core.domain.money import CURRENCIES, ShippingRule
from ecomm.core.domain.orders import OrderStatus, Pricing
from ecomm.core.domain.payments import Charge, PaymentProvider, PaymentStatus
from ecomm.core.domain.settlement import PaymentRecordMoved
from ecomm.core.runtime.metrics import Metrics
from ecomm.roles.order.handlers import order_handler
from tests.integration.order.conftest import Shop, command, placed
from tests.stripe_fake import VISA, FakeStripe

PRICING = Pricing(CURRENCIES["USD"], ShippingRule(Decimal("4.99"), Decimal("50.00")))
TOTAL = 2 * 999 + 499


async def paid_placed(stripe: PaymentProvider, order_id: str) -> tuple[str, Envelope]:
    auth = await stripe.authorize(Charge(order_id, TOTAL, "USD", VISA))
    event = placed(order_id, P1=2)
    data = {
        **event.data,
        "payment": PaymentData(
            provider="stripe",
            id=auth.payment_id,
            amount=TOTAL,
            currency="USD",
            brand="visa",
            last4="4242",
        ).model_dump(mode="json"),
    }
    return auth.payment_id, event.model_copy(update={"data": data})


async def test_a_paid_order_is_recorded_authorized_then_paid_once_with_its_card(
    shop: Shop, fake: FakeStripe, stripe: PaymentProvider
) -> None:
    await shop.stock(P1=5)
    handle = order_handler(shop.orders, PRICING, Metrics("order"), stripe)
    payment_id, event = await paid_placed(stripe, "o-1")
    for _ in range(3):
        await handle(event)
    order = await shop.order("o-1")
    assert order is not None
    assert order.status is OrderStatus.CONFIRMED
    assert order.payment is not None
    assert (order.payment.id, order.payment.status) == (payment_id, PaymentStatus.PAID)
    assert (order.payment.card.brand, order.payment.card.last4) == ("visa", "4242")
    assert await shop.stock_of("P1") == 3
    assert fake.count("capture") == 1
    with pytest.raises(PaymentRecordMoved):  # the step is recorded once, whoever asks again
        await shop.orders.record_payment(
            "o-1", payment_id, PaymentStatus.AUTHORIZED, PaymentStatus.PAID, "now"
        )


async def test_a_cancel_waits_for_the_capture_then_refunds_and_restocks_once(
    shop: Shop, fake: FakeStripe, stripe: PaymentProvider
) -> None:
    await shop.stock(P1=5)
    # Recorded with its authorization by a worker that died before capturing.
    no_capture = order_handler(shop.orders, PRICING, Metrics("order"))
    _, event = await paid_placed(stripe, "o-1")
    await no_capture(event)
    handle = order_handler(shop.orders, PRICING, Metrics("order"), stripe)
    with pytest.raises(CapturePending):
        await handle(command(EventType.CANCEL_ORDER, "o-1"))
    order = await shop.order("o-1")
    assert order is not None
    assert order.status is OrderStatus.CONFIRMED
    await handle(event)  # the redelivery captures
    for _ in range(3):
        await handle(command(EventType.CANCEL_ORDER, "o-1"))
    order = await shop.order("o-1")
    assert order is not None
    assert order.status is OrderStatus.CANCELLED
    assert order.payment is not None
    assert order.payment.status is PaymentStatus.REFUNDED
    assert await shop.stock_of("P1") == 5
    assert (fake.count("capture"), fake.count("refund")) == (1, 1)


async def test_a_capture_that_fails_releases_the_stock_in_one_transaction(
    shop: Shop, fake: FakeStripe, stripe: PaymentProvider
) -> None:
    await shop.stock(P1=5)
    handle = order_handler(shop.orders, PRICING, Metrics("order"), stripe)
    payment_id, event = await paid_placed(stripe, "o-1")
    fake.expire(payment_id)
    [announced] = await handle(event)
    assert announced.type is EventType.ORDER_REJECTED
    order = await shop.order("o-1")
    assert order is not None
    assert order.status is OrderStatus.REJECTED
    assert [c.status for c in order.history] == [
        OrderStatus.PENDING,
        OrderStatus.CONFIRMED,
        OrderStatus.REJECTED,
    ]
    assert order.payment is not None
    assert order.payment.status is PaymentStatus.VOIDED
    assert await shop.stock_of("P1") == 5
    assert fake.count("capture") == 0
