"""The order use case: turn one `OrderPlaced` into exactly one recorded outcome.

Safe to run any number of times for the same order, concurrently or not: every write is
conditional on the order not being recorded yet, so the first outcome recorded wins and every
later run reports that one.
"""

from __future__ import annotations

import asyncio
import random
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, replace
from typing import Protocol, TypeVar

import structlog

from ecomm.core.domain import (
    MAX_LINE_QUANTITY,
    MAX_ORDER_LINES,
    Customer,
    Order,
    OrderAlreadyRecorded,
    OrderLine,
    OrderStatus,
    ReservationRefused,
    TransientError,
    merge_lines,
)
from ecomm.core.events import (
    Envelope,
    EventType,
    LineData,
    OrderOutcomeData,
    OrderPlacedData,
    utc_now,
)

T = TypeVar("T")
log = structlog.get_logger(__name__)


class OrderStore(Protocol):
    async def get(self, order_id: str) -> Order: ...

    async def reserve_and_confirm(self, order: Order) -> None: ...

    async def record_rejection(self, order: Order) -> None: ...


@dataclass(frozen=True)
class Outcome:
    order: Order
    fresh: bool  # False when an earlier delivery had already recorded it


def check_lines(lines: tuple[OrderLine, ...]) -> str | None:
    """The reason an order cannot even be attempted, or None (quantities checked before merging,
    so a negative line cannot hide inside a positive total)."""
    if not lines:
        return "The order has no items."
    if len(merge_lines(lines)) > MAX_ORDER_LINES:
        return f"An order can hold at most {MAX_ORDER_LINES} different products."
    for line in lines:
        if line.quantity < 1:
            return f"The quantity for {line.productID} must be at least 1."
        if line.quantity > MAX_LINE_QUANTITY:
            return f"At most {MAX_LINE_QUANTITY} of one product per order."
    return None


async def with_retries(
    action: Callable[[], Awaitable[T]], *, attempts: int = 4, base: float = 0.05
) -> T:
    """Retry `TransientError` with exponential backoff and full jitter, then give up (re-raise).

    Giving up is not losing: the message stays in the queue and SQS delivers it again later.
    """
    for attempt in range(attempts):
        try:
            return await action()
        except TransientError:
            if attempt == attempts - 1:
                raise
            await asyncio.sleep(random.uniform(0, base * 2**attempt))  # noqa: S311 - jitter
    raise AssertionError("unreachable")


async def place_order(store: OrderStore, data: OrderPlacedData, correlation_id: str) -> Outcome:
    now = utc_now()
    lines = tuple(OrderLine(i.productID, i.quantity) for i in data.items)
    order = Order(
        orderID=data.orderID,
        status=OrderStatus.CONFIRMED,
        items=merge_lines(lines),
        customer=Customer(data.customer.name, str(data.customer.email)),
        createdAt=now,
        updatedAt=now,
        correlationId=correlation_id,
    )
    problem = check_lines(lines)
    if problem is None:
        try:
            await with_retries(lambda: store.reserve_and_confirm(order))
        except OrderAlreadyRecorded:
            return await _recorded(store, order)
        except ReservationRefused as refused:
            problem = str(refused)
        else:
            return Outcome(order, fresh=True)
    rejected = replace(order, status=OrderStatus.REJECTED, reason=problem)
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


def outcome_event(order: Order, correlation_id: str) -> Envelope:
    """The `OrderConfirmed`/`OrderRejected` announcing a recorded order."""
    kind = (
        EventType.ORDER_CONFIRMED
        if order.status is OrderStatus.CONFIRMED
        else EventType.ORDER_REJECTED
    )
    data = OrderOutcomeData(
        orderID=order.orderID,
        items=[LineData(productID=line.productID, quantity=line.quantity) for line in order.items],
        reason=order.reason,
    )
    return Envelope.wrap(kind, data, correlation_id)
