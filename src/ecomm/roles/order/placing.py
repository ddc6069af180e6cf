"""The order use case: turn one `PlaceOrder` into exactly one recorded outcome.

The order is priced here, from the lines' prices as shown and the shop's `Pricing`; the
transaction then checks every shown price against the catalog, so a price that changed after
the page was shown rejects the order (with that reason) and reserves nothing.

Safe to run any number of times for the same order, concurrently or not: every write is
conditional on the order not being recorded yet, so the first outcome recorded wins and every
later run reports that one. The stock is reserved in `core/adapters/orders_table.py`, in the
same transaction that records the order.

An order paid by card carries the authorization web obtained at checkout; it is recorded with
the order (confirmed or rejected), as `authorized`, and `settling.py` then captures or voids
it. An authorization that is not exactly the order's total rejects the order (and is voided).
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import Protocol

import structlog

from ecomm.core.domain.lifecycle import Transition
from ecomm.core.domain.orders import (
    Order,
    OrderAlreadyRecorded,
    OrderStatus,
    PlaceOrder,
    Pricing,
    ReservationRefused,
    StatusChange,
    check_order,
    check_payment,
    check_shipping,
    merge_lines,
)
from ecomm.core.domain.payments import PaymentStatus
from ecomm.core.runtime.retries import with_retries

log = structlog.get_logger(__name__)


class OrderStore(Protocol):
    async def get(self, order_id: str) -> Order: ...

    async def reserve_and_confirm(self, order: Order) -> None: ...

    async def record_rejection(self, order: Order) -> None: ...

    async def change_status(
        self, order_id: str, transition: Transition, change: StatusChange
    ) -> Order: ...

    async def record_payment(
        self,
        order_id: str,
        payment_id: str,
        source: PaymentStatus,
        target: PaymentStatus,
        now: str,
    ) -> Order: ...


@dataclass(frozen=True)
class Outcome:
    order: Order
    fresh: bool  # False when an earlier delivery had already recorded it


UNPAID = "This order carries no payment; please place it again."


async def place_order(
    store: OrderStore,
    command: PlaceOrder,
    pricing: Pricing,
    now: str,
    *,
    payment_required: bool = False,
) -> Outcome:
    lines = merge_lines(command.lines)
    charged = pricing.totals(lines)
    # An order sent without prices is rejected below; it records no totals it was never shown.
    priced = all(line.unitPrice is not None for line in lines)
    placed_at = command.placedAt or now
    order = Order(
        orderID=command.orderID,
        status=OrderStatus.CONFIRMED,
        items=lines,
        customer=command.customer,
        createdAt=placed_at,
        updatedAt=now,
        correlationId=command.correlationId,
        currency=pricing.currency.code,
        subtotal=charged.subtotal if priced else None,
        shipping=charged.shipping if priced else None,
        total=charged.total if priced else None,
        shippingAddress=command.shippingAddress,
        history=(
            StatusChange(OrderStatus.PENDING, placed_at),
            StatusChange(OrderStatus.CONFIRMED, now),
        ),
        payment=command.payment,
    )
    problem = (
        check_order(command, pricing)
        or check_shipping(command, charged, pricing.currency)
        or check_payment(command, charged, pricing.currency)
        or (UNPAID if payment_required and command.payment is None else None)
    )
    if problem is None:
        try:
            await with_retries(lambda: store.reserve_and_confirm(order))
        except OrderAlreadyRecorded:
            return await _recorded(store, order)
        except ReservationRefused as refused:
            problem = str(refused)
        else:
            return Outcome(order, fresh=True)
    rejected = replace(
        order,
        status=OrderStatus.REJECTED,
        reason=problem,
        history=(order.history[0], StatusChange(OrderStatus.REJECTED, now, problem)),
    )
    try:
        await with_retries(lambda: store.record_rejection(rejected))
    except OrderAlreadyRecorded:
        return await _recorded(store, order)
    return Outcome(rejected, fresh=True)


async def _recorded(store: OrderStore, order: Order) -> Outcome:
    """The outcome recorded by an earlier delivery of this order id.

    The web refuses to send one id for two carts, so a different record means a forged or
    replayed event: the record stands, and the mismatch is logged for a person to look at.
    """
    recorded = await with_retries(lambda: store.get(order.orderID))
    if recorded.items != order.items:
        log.warning("order_id_reused_for_other_items", order_id=order.orderID)
    return Outcome(recorded, fresh=False)
