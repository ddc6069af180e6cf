"""The order use case: turn one `PlaceOrder` into exactly one recorded outcome.

Safe to run any number of times for the same order, concurrently or not: every write is
conditional on the order not being recorded yet, so the first outcome recorded wins and every
later run reports that one. The stock is reserved in `core/adapters/orders_table.py`, in the
same transaction that records the order.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import Protocol

import structlog

from ecomm.core.domain.orders import (
    Order,
    OrderAlreadyRecorded,
    OrderStatus,
    PlaceOrder,
    ReservationRefused,
    check_lines,
    merge_lines,
)
from ecomm.core.runtime.retries import with_retries

log = structlog.get_logger(__name__)


class OrderStore(Protocol):
    async def get(self, order_id: str) -> Order: ...

    async def reserve_and_confirm(self, order: Order) -> None: ...

    async def record_rejection(self, order: Order) -> None: ...


@dataclass(frozen=True)
class Outcome:
    order: Order
    fresh: bool  # False when an earlier delivery had already recorded it


async def place_order(store: OrderStore, command: PlaceOrder, now: str) -> Outcome:
    order = Order(
        orderID=command.orderID,
        status=OrderStatus.CONFIRMED,
        items=merge_lines(command.lines),
        customer=command.customer,
        createdAt=now,
        updatedAt=now,
        correlationId=command.correlationId,
    )
    problem = check_lines(command.lines)
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
