"""The payment use case: take the steps an order's record calls for, each exactly once.

    record ─> next_step (domain/settlement.py) ─> the provider's step ─> its conditional write
       ^                                                                        │
       └──────────────────────── the record as the write left it ───────────────┘

Run after the order is recorded (placing), after a status change (cancel), and when a webhook
reports a payment. Safe to run any number of times, concurrently or not: the record decides,
each provider step carries the order's idempotency key, and each write is conditioned on the
payment status the step leaves. A worker that dies anywhere in the loop leaves a record whose
next step is the one it did not finish, which the message's redelivery takes.
"""

from __future__ import annotations

from typing import Protocol

import structlog

from ecomm.core.contracts.events import utc_now
from ecomm.core.domain.errors import TransientError
from ecomm.core.domain.lifecycle import TRANSITIONS, Action, Transition, TransitionRefused
from ecomm.core.domain.orders import Order, OrderNotFound, OrderStatus, StatusChange
from ecomm.core.domain.payments import (
    AlreadyCaptured,
    CaptureFailed,
    PaymentProvider,
    PaymentStatus,
    Step,
)
from ecomm.core.domain.settlement import CAPTURE_FAILED, PaymentRecordMoved, next_step
from ecomm.core.runtime.retries import with_retries

log = structlog.get_logger(__name__)

# capture ─> (failed) release ─> void, or void ─> (captured meanwhile) record paid ─> refund:
# three steps at most; more means records that keep moving under us, worth a retry later.
MAX_STEPS = 4


class PaymentRecords(Protocol):
    async def get(self, order_id: str) -> Order: ...

    async def record_payment(
        self,
        order_id: str,
        payment_id: str,
        source: PaymentStatus,
        target: PaymentStatus,
        now: str,
    ) -> Order: ...

    async def change_status(
        self, order_id: str, transition: Transition, change: StatusChange
    ) -> Order: ...


async def settle(
    records: PaymentRecords, provider: PaymentProvider, order: Order, now: str
) -> Order:
    """The order once its payment took every step its record calls for."""
    for _ in range(MAX_STEPS):
        step = next_step(order)
        if step is None:
            return order
        log.info("payment_step", step=step, payment_status=order.payment and order.payment.status)
        try:
            order = await _take(records, provider, order, step, now)
        except PaymentRecordMoved as moved:
            order = moved.order
    raise TransientError(f"order {order.orderID}: its payment is still moving")


async def _take(
    records: PaymentRecords, provider: PaymentProvider, order: Order, step: Step, now: str
) -> Order:
    payment = order.payment
    assert payment is not None  # noqa: S101 - next_step returns a step only for a payment
    order_id = order.orderID

    async def record(source: PaymentStatus, target: PaymentStatus) -> Order:
        return await with_retries(
            lambda: records.record_payment(order_id, payment.id, source, target, now)
        )

    if step is Step.CAPTURE:
        try:
            await with_retries(lambda: provider.capture(payment, order_id))
        except CaptureFailed as failed:
            log.warning("capture_failed", error=str(failed))
            return await _release(records, order_id, now)
        return await record(PaymentStatus.AUTHORIZED, PaymentStatus.PAID)
    if step is Step.VOID:
        try:
            await with_retries(lambda: provider.void(payment, order_id))
        except AlreadyCaptured:
            # Captured out of band (or by a capture whose answer was lost): record it; the next
            # step is the refund, as the order holds no stock.
            return await record(PaymentStatus.AUTHORIZED, PaymentStatus.PAID)
        return await record(PaymentStatus.AUTHORIZED, PaymentStatus.VOIDED)
    # A refund the provider refuses (nothing captured) is left to fail: a person looks.
    await with_retries(lambda: provider.refund(payment, order_id))
    return await record(PaymentStatus.PAID, PaymentStatus.REFUNDED)


async def _release(records: PaymentRecords, order_id: str, now: str) -> Order:
    """The authorization is gone: the order gives its stock back and is rejected (the void
    that follows releases whatever the provider still holds)."""
    change = StatusChange(OrderStatus.REJECTED, now, CAPTURE_FAILED)
    try:
        return await with_retries(
            lambda: records.change_status(order_id, TRANSITIONS[Action.RELEASE], change)
        )
    except TransitionRefused as refused:  # released already, or captured meanwhile
        return refused.order


async def record_report(
    records: PaymentRecords,
    provider: PaymentProvider,
    order_id: str,
    payment_id: str,
    captured: bool,
) -> Order | None:
    """Record a capture the provider reported (a webhook), then take the next steps: a capture
    made out of band is recorded, and refunded when the order holds no stock."""
    try:
        order = await with_retries(lambda: records.get(order_id))
    except OrderNotFound:
        # No order took this payment: web placed none (the shopper left before it could).
        log.warning("payment_reported_for_no_order", captured=captured)
        return None
    payment = order.payment
    if payment is None or payment.id != payment_id:
        log.warning("payment_reported_for_another_payment")
        return None
    if captured and payment.status is PaymentStatus.AUTHORIZED:
        source, target = PaymentStatus.AUTHORIZED, PaymentStatus.PAID
        try:
            order = await with_retries(
                lambda: records.record_payment(order_id, payment_id, source, target, utc_now())
            )
            log.info("reported_capture_recorded")
        except PaymentRecordMoved as moved:
            order = moved.order
    return await settle(records, provider, order, utc_now())
