"""Exactly one capture or void per order, one refund per cancellation: crashes and duplicates.

The order handler runs as the worker runs it, on an in-memory store, with the real Stripe
adapter against the fake Stripe (which keeps Stripe's idempotency and state machine, see
tests/stripe_fake.py). A crash is the worker dying at a point between two steps (after the
provider took a step, before the record says so; after a record, before the next step); the
message is then delivered again, three times, and sometimes after Stripe forgot its keys.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from typing import Any

import pytest

from ecomm.core.adapters.consumer import MessageHandler
from ecomm.core.contracts.events import (
    AddressData,
    CustomerData,
    Envelope,
    EventType,
    LineData,
    OrderCommandData,
    OrderPlacedData,
    PaymentData,
    PaymentReportedData,
)
from ecomm.core.domain.lifecycle import CapturePending, Transition
from ecomm.core.domain.money import CURRENCIES, ShippingRule
from ecomm.core.domain.orders import Order, OrderStatus, Pricing, StatusChange
from ecomm.core.domain.payments import (
    Charge,
    PaymentDeclined,
    PaymentProvider,
    PaymentStatus,
    Step,
)
from ecomm.core.runtime.metrics import Metrics
from ecomm.roles.order.handlers import order_handler
from tests.fakes import FakeOrderStore
from tests.payments import CrashAfter, WorkerCrashed
from tests.stripe_fake import DECLINED, NEEDS_3DS, VISA, FakeStripe

PRICING = Pricing(CURRENCIES["USD"], ShippingRule(Decimal("4.99"), Decimal("50.00")))
TOTAL = 2 * 999 + 499  # two at $9.99, and shipping: in cents


class StoreCrashed(Exception):
    pass


@dataclass
class CrashingStore(FakeOrderStore):
    """Dies right after the write named `after` took effect, once."""

    after: str = ""

    def _die(self, write: str) -> None:
        if write == self.after:
            self.after = ""
            raise StoreCrashed(write)

    async def reserve_and_confirm(self, order: Order) -> None:
        await super().reserve_and_confirm(order)
        self._die("reserve")

    async def record_rejection(self, order: Order) -> None:
        await super().record_rejection(order)
        self._die("reject")

    async def change_status(
        self, order_id: str, transition: Transition, change: StatusChange
    ) -> Order:
        moved = await super().change_status(order_id, transition, change)
        self._die(transition.action.value)
        return moved

    async def record_payment(self, order_id: str, payment_id: str, *args: Any) -> Order:
        recorded = await super().record_payment(order_id, payment_id, *args)
        self._die(f"record {args[1].value}")
        return recorded


def placed(order_id: str, payment: PaymentData | None, quantity: int = 2) -> Envelope:
    data = OrderPlacedData(
        orderID=order_id,
        items=[LineData(productID="P1", quantity=quantity, unitPrice=Decimal("9.99"), name="Mug")],
        customer=CustomerData(name="Ada", email="ada@example.com"),
        currency="USD",
        shippingAddress=AddressData(line1="1 Row", city="London", postalCode="N1", country="GB"),
        payment=payment,
    )
    return Envelope.wrap(EventType.ORDER_PLACED, data, "c")


def cancel(order_id: str) -> Envelope:
    return Envelope.wrap(EventType.CANCEL_ORDER, OrderCommandData(orderID=order_id), "c")


async def authorized(
    provider: PaymentProvider, order_id: str, amount: int = TOTAL, card: str = VISA
) -> PaymentData:
    auth = await provider.authorize(Charge(order_id, amount, "USD", card))
    return PaymentData(
        provider="stripe", id=auth.payment_id, amount=auth.amount, currency=auth.currency
    )


async def deliver(handle: MessageHandler, event: Envelope, times: int = 1) -> list[Envelope]:
    """Deliver `event` until it is handled once, then `times - 1` more (SQS's redeliveries)."""
    announced: list[Envelope] = []
    handled = 0
    for _ in range(times + 5):
        try:
            announced += await handle(event)
        except (WorkerCrashed, StoreCrashed):
            continue
        handled += 1
        if handled == times:
            return announced
    raise AssertionError("never handled")


def moves(fake: FakeStripe) -> dict[str, int]:
    return {step: fake.count(step) for step in ("capture", "void", "refund") if fake.count(step)}


async def test_a_paid_order_is_reserved_then_captured_once_in_three_deliveries(
    fake: FakeStripe, stripe: PaymentProvider
) -> None:
    store = FakeOrderStore(stock={"P1": 5})
    handle = order_handler(store, PRICING, Metrics("order"), stripe)
    event = placed("o-1", await authorized(stripe, "o-1"))
    announced = await deliver(handle, event, times=3)
    order = store.orders["o-1"]
    assert (order.status, order.payment and order.payment.status) == (
        OrderStatus.CONFIRMED,
        PaymentStatus.PAID,
    )
    assert store.stock["P1"] == 3
    assert moves(fake) == {"capture": 1}
    assert {e.type for e in announced} == {EventType.ORDER_CONFIRMED}
    # What the provider was asked, per order: authorize, capture (replayed twice by its key).
    assert fake.calls["POST /v1/payment_intents"] == 1


@pytest.mark.parametrize(
    ("crash", "forget_keys"),
    [
        ("store:reserve", False),
        ("provider:capture", False),
        ("provider:capture", True),
        ("store:record paid", False),
    ],
)
async def test_a_crash_between_reservation_and_capture_converges_on_one_capture(
    fake: FakeStripe, stripe: PaymentProvider, crash: str, forget_keys: bool
) -> None:
    where, point = crash.split(":")
    store = CrashingStore(stock={"P1": 5}, after=point if where == "store" else "")
    provider = CrashAfter(stripe, Step.CAPTURE) if where == "provider" else stripe
    handle = order_handler(store, PRICING, Metrics("order"), provider)
    event = placed("o-1", await authorized(stripe, "o-1"))
    with pytest.raises((WorkerCrashed, StoreCrashed)):
        await handle(event)
    if forget_keys:  # the redelivery comes after Stripe forgot the keys (24 hours)
        fake.forget_keys()
    await deliver(handle, event, times=3)
    order = store.orders["o-1"]
    assert order.status is OrderStatus.CONFIRMED
    assert order.payment is not None
    assert order.payment.status is PaymentStatus.PAID
    assert store.stock["P1"] == 3
    assert moves(fake) == {"capture": 1}


@pytest.mark.parametrize("crash", ["store:reject", "provider:void", "store:record voided", "none"])
async def test_a_rejected_order_voids_its_authorization_once_and_holds_no_stock(
    fake: FakeStripe, stripe: PaymentProvider, crash: str
) -> None:
    where, point = crash.split(":") if ":" in crash else ("", "")
    store = CrashingStore(stock={"P1": 1}, after=point if where == "store" else "")
    provider = CrashAfter(stripe, Step.VOID) if where == "provider" else stripe
    handle = order_handler(store, PRICING, Metrics("order"), provider)
    event = placed("o-1", await authorized(stripe, "o-1"))  # two wanted, one in stock
    if where:
        with pytest.raises((WorkerCrashed, StoreCrashed)):
            await handle(event)
    announced = await deliver(handle, event, times=3)
    order = store.orders["o-1"]
    assert order.status is OrderStatus.REJECTED
    assert order.payment is not None
    assert order.payment.status is PaymentStatus.VOIDED
    assert store.stock["P1"] == 1
    assert moves(fake) == {"void": 1}
    assert {e.type for e in announced} == {EventType.ORDER_REJECTED}


@pytest.mark.parametrize("crash", ["store:release", "provider:void", "none"])
async def test_an_expired_authorization_gives_the_stock_back_and_tells_the_shopper(
    fake: FakeStripe, stripe: PaymentProvider, crash: str
) -> None:
    where, point = crash.split(":") if ":" in crash else ("", "")
    store = CrashingStore(stock={"P1": 5}, after=point if where == "store" else "")
    provider = CrashAfter(stripe, Step.VOID) if where == "provider" else stripe
    handle = order_handler(store, PRICING, Metrics("order"), provider)
    payment = await authorized(stripe, "o-1")
    fake.expire(payment.id)  # seven days passed: Stripe cancelled the authorization
    event = placed("o-1", payment)
    announced = await deliver(handle, event, times=3)
    order = store.orders["o-1"]
    assert order.status is OrderStatus.REJECTED
    assert order.reason
    assert "couldn't take the payment" in order.reason
    assert order.payment is not None
    assert order.payment.status is PaymentStatus.VOIDED
    assert store.stock["P1"] == 5
    assert moves(fake) == {}  # nothing captured, nothing left to void
    assert {e.type for e in announced} == {EventType.ORDER_REJECTED}


@pytest.mark.parametrize(
    "crash", ["store:cancel", "provider:refund", "store:record refunded", "none"]
)
async def test_cancelling_a_paid_order_refunds_it_once(
    fake: FakeStripe, stripe: PaymentProvider, crash: str
) -> None:
    where, point = crash.split(":") if ":" in crash else ("", "")
    store = CrashingStore(stock={"P1": 5})
    provider = CrashAfter(stripe, Step.REFUND) if where == "provider" else stripe
    handle = order_handler(store, PRICING, Metrics("order"), provider)
    await deliver(handle, placed("o-1", await authorized(stripe, "o-1")))
    store.after = point if where == "store" else ""
    if where:
        with pytest.raises((WorkerCrashed, StoreCrashed)):
            await handle(cancel("o-1"))
        fake.forget_keys()  # and the redeliveries come a day later
    announced = await deliver(handle, cancel("o-1"), times=3)
    order = store.orders["o-1"]
    assert order.status is OrderStatus.CANCELLED
    assert order.payment is not None
    assert order.payment.status is PaymentStatus.REFUNDED
    assert store.stock["P1"] == 5
    assert moves(fake) == {"capture": 1, "refund": 1}
    intent = fake.intents[order.payment.id]
    assert (intent.captured, intent.refunded) == (TOTAL, TOTAL)
    assert {e.type for e in announced} == {EventType.ORDER_CANCELLED}


async def test_a_cancel_waits_while_the_capture_is_pending(
    fake: FakeStripe, stripe: PaymentProvider
) -> None:
    store = CrashingStore(stock={"P1": 5}, after="reserve")
    handle = order_handler(store, PRICING, Metrics("order"), stripe)
    event = placed("o-1", await authorized(stripe, "o-1"))
    with pytest.raises(StoreCrashed):  # reserved and recorded, not captured
        await handle(event)
    with pytest.raises(CapturePending):
        await handle(cancel("o-1"))  # retried by the queue until the capture is recorded
    assert store.orders["o-1"].status is OrderStatus.CONFIRMED
    assert moves(fake) == {}
    await deliver(handle, event)
    await deliver(handle, cancel("o-1"))
    assert moves(fake) == {"capture": 1, "refund": 1}
    assert store.stock["P1"] == 5


async def test_a_capture_reported_by_webhook_is_recorded_and_refunded_if_no_stock_is_held(
    fake: FakeStripe, stripe: PaymentProvider
) -> None:
    store = FakeOrderStore(stock={"P1": 1})
    handle = order_handler(store, PRICING, Metrics("order"), stripe)
    payment = await authorized(stripe, "o-1")
    intent = fake.intents[payment.id]
    # Out of band (say, a person in Stripe's dashboard): captured before the worker ran.
    intent.status, intent.captured = "succeeded", intent.amount
    fake.moves[(intent.id, "capture")] += 1
    await deliver(handle, placed("o-1", payment))  # rejected (one in stock); void finds it paid
    report = PaymentReportedData(
        orderID="o-1", provider="stripe", paymentID=payment.id, captured=True
    )
    for _ in range(3):
        await handle(Envelope.wrap(EventType.PAYMENT_REPORTED, report, "c"))
    order = store.orders["o-1"]
    assert order.payment is not None
    assert order.payment.status is PaymentStatus.REFUNDED
    assert moves(fake) == {"capture": 1, "refund": 1}


async def test_an_authorization_not_for_the_orders_total_rejects_and_voids_it(
    fake: FakeStripe, stripe: PaymentProvider
) -> None:
    store = FakeOrderStore(stock={"P1": 5})
    handle = order_handler(store, PRICING, Metrics("order"), stripe)
    await deliver(handle, placed("o-1", await authorized(stripe, "o-1", amount=100)))
    order = store.orders["o-1"]
    assert order.status is OrderStatus.REJECTED
    assert order.payment is not None
    assert order.payment.status is PaymentStatus.VOIDED
    assert store.stock["P1"] == 5
    assert moves(fake) == {"void": 1}


async def test_with_payments_on_an_order_without_a_payment_is_rejected(
    stripe: PaymentProvider,
) -> None:
    store = FakeOrderStore(stock={"P1": 5})
    handle = order_handler(store, PRICING, Metrics("order"), stripe)
    await deliver(handle, placed("o-1", None))
    assert store.orders["o-1"].status is OrderStatus.REJECTED
    assert store.stock["P1"] == 5


async def test_a_declined_card_authorizes_nothing_and_replays_the_decline(
    fake: FakeStripe, stripe: PaymentProvider
) -> None:
    for _ in range(2):
        with pytest.raises(PaymentDeclined):
            await stripe.authorize(Charge("o-1", TOTAL, "USD", DECLINED))
    assert fake.calls["POST /v1/payment_intents"] == 2
    assert len(fake.intents) == 1  # the second was Stripe's replay of the first answer


async def test_an_authorization_the_bank_must_confirm_is_not_one_until_it_is(
    fake: FakeStripe, stripe: PaymentProvider
) -> None:
    charge = Charge("o-1", TOTAL, "USD", NEEDS_3DS)
    auth = await stripe.authorize(charge)
    assert auth.state == "needs_action"
    assert auth.client_secret
    fake.intents[auth.payment_id].status = "requires_capture"  # the shopper confirmed
    confirmed = await stripe.authorization(auth.payment_id, charge)
    assert confirmed.state == "authorized"
    with pytest.raises(PaymentDeclined):  # named for another order: not this order's
        await stripe.authorization(auth.payment_id, Charge("o-2", TOTAL, "USD", NEEDS_3DS))


def _calls(fake: FakeStripe) -> dict[str, int]:
    """The provider's calls by kind, ids left out: "POST capture": 1."""
    kinds: dict[str, int] = {}
    for call, count in fake.calls.items():
        method, path = call.split(" ")
        parts = path.removeprefix("/v1/").split("/")
        kind = f"{method} {parts[0] if len(parts) < 3 else parts[2]}"
        kinds[kind] = kinds.get(kind, 0) + count
    return kinds


@pytest.mark.parametrize(
    ("path", "stock", "expected"),
    [
        # authorize (web), capture (worker)
        ("confirmed", 5, {"POST payment_intents": 1, "POST capture": 1}),
        # authorize, void
        ("rejected", 1, {"POST payment_intents": 1, "POST cancel": 1}),
        # authorize, capture; then cancel: read what is left to refund, refund
        (
            "cancelled",
            5,
            {
                "POST payment_intents": 1,
                "POST capture": 1,
                "GET payment_intents": 1,
                "POST refunds": 1,
            },
        ),
    ],
)
async def test_the_provider_calls_per_order_are_few_and_known(
    fake: FakeStripe, stripe: PaymentProvider, path: str, stock: int, expected: dict[str, int]
) -> None:
    store = FakeOrderStore(stock={"P1": stock})
    handle = order_handler(store, PRICING, Metrics("order"), stripe)
    event = placed("o-1", await authorized(stripe, "o-1"))
    await deliver(handle, event)
    if path == "cancelled":
        await deliver(handle, cancel("o-1"))
    assert _calls(fake) == expected
    # Redelivered twice more: the record says there is nothing left to do; no call is made.
    await deliver(handle, event, times=2)
    if path == "cancelled":
        await deliver(handle, cancel("o-1"), times=2)
    assert _calls(fake) == expected
