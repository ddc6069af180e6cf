"""Each product's `sold` counter: what the shop's best sellers are ranked by, kept in the table."""

from __future__ import annotations

import pytest

from ecomm.core.domain.orders import (
    Order,
    OrderAlreadyRecorded,
    OrderLine,
    OrderStatus,
    ReservationRefused,
)
from tests.integration.order.conftest import Shop


def _order(order_id: str, **lines: int) -> Order:
    items = tuple(OrderLine(pid, q) for pid, q in lines.items())
    return Order(order_id, OrderStatus.CONFIRMED, items, None, None, "t", "t")


async def test_a_confirmed_order_counts_its_units_as_sold_once(shop: Shop) -> None:
    await shop.stock(A=10, B=10)
    await shop.orders.reserve_and_confirm(_order("o1", A=2, B=1))
    await shop.orders.reserve_and_confirm(_order("o2", A=3))
    with pytest.raises(OrderAlreadyRecorded):
        await shop.orders.reserve_and_confirm(_order("o2", A=3))  # a redelivery
    a, b = await shop.products.get("A"), await shop.products.get("B")
    assert (a.stock, a.sold) == (5, 5)
    assert (b.stock, b.sold) == (9, 1)


async def test_a_refused_order_sells_nothing(shop: Shop) -> None:
    await shop.stock(A=1, B=5)
    with pytest.raises(ReservationRefused):
        await shop.orders.reserve_and_confirm(_order("o1", A=2, B=1))
    assert [(await shop.products.get(p)).sold for p in "AB"] == [0, 0]
