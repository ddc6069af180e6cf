"""A status page waiting on an order is answered by the decision this task makes."""

from __future__ import annotations

import asyncio

from ecomm.core.domain.orders import Order, OrderStatus
from ecomm.roles.order.decisions import Decisions


def order(status: OrderStatus = OrderStatus.CONFIRMED) -> Order:
    return Order("O-1", status, ())


async def test_a_waiting_page_gets_the_decision_as_it_is_made() -> None:
    decisions = Decisions()
    waiting = asyncio.create_task(decisions.wait("O-1", 30))
    await asyncio.sleep(0)
    decisions.decided(order(OrderStatus.REJECTED))
    assert (await waiting).status is OrderStatus.REJECTED


async def test_a_page_asking_just_after_the_decision_gets_it_without_waiting() -> None:
    decisions = Decisions()
    decisions.decided(order())
    assert await decisions.wait("O-1", 30) == order()
    assert decisions.recent("O-2") is None


async def test_an_order_decided_elsewhere_is_none_after_the_wait_and_leaves_no_waiter() -> None:
    decisions = Decisions()
    assert await decisions.wait("O-1", 0.01) is None
    assert await decisions.wait("O-1", 0) is None
    assert decisions.waiting == 0  # no waiter is left behind by a timeout


async def test_an_old_decision_is_not_answered_from_memory() -> None:
    decisions = Decisions(recent_for=0)
    decisions.decided(order())
    await asyncio.sleep(0.01)
    assert decisions.recent("O-1") is None
