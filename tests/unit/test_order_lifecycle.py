"""The lifecycle use case on a fake store: which transitions happen, once, and what is said."""

from __future__ import annotations

from decimal import Decimal

import pytest

from ecomm.core.contracts.events import EventType
from ecomm.core.domain.lifecycle import TRANSITIONS, Action, ChangeStatus, RestockRefused, can
from ecomm.core.domain.orders import Order, OrderLine, OrderStatus
from ecomm.roles.order.handlers import outcome_event
from ecomm.roles.order.lifecycle import change_status
from ecomm.roles.order.placing import place_order
from tests.fakes import FakeOrderStore
from tests.unit.test_ordering import NOW, PRICING, order

LATER = "2026-11-29T11:00:00.000Z"


async def _confirmed(store: FakeOrderStore, **lines: int) -> Order:
    return (await place_order(store, order("o-1", **lines), PRICING, NOW)).order


def _command(action: Action, reason: str | None = None) -> ChangeStatus:
    return ChangeStatus("o-1", action, reason, "corr")


async def test_a_cancel_gives_the_stock_back_and_the_same_cancel_again_changes_nothing() -> None:
    store = FakeOrderStore(stock={"P1": 5, "P2": 5})
    await _confirmed(store, P1=2, P2=3)
    first = await change_status(store, _command(Action.CANCEL, "Changed my mind"), LATER)
    again = await change_status(store, _command(Action.CANCEL), LATER)
    assert first is not None
    assert first.fresh
    assert again is not None
    assert not again.fresh
    assert store.stock == {"P1": 5, "P2": 5}
    assert first.order.status is OrderStatus.CANCELLED
    assert first.order.reason == "Changed my mind"
    assert [c.status for c in first.order.history][-1] is OrderStatus.CANCELLED
    event = outcome_event(first.order, "corr")
    assert (event.type, event.data["reason"]) == (EventType.ORDER_CANCELLED, "Changed my mind")


async def test_a_shipped_order_cannot_be_cancelled_and_nothing_is_announced() -> None:
    store = FakeOrderStore(stock={"P1": 5})
    await _confirmed(store, P1=2)
    shipped = await change_status(store, _command(Action.SHIP), LATER)
    assert shipped is not None
    assert shipped.order.history[-1].reason == "Handed to the carrier."
    assert await change_status(store, _command(Action.CANCEL), LATER) is None
    assert store.orders["o-1"].status is OrderStatus.SHIPPED
    assert store.stock == {"P1": 3}
    delivered = await change_status(store, _command(Action.DELIVER), LATER)
    assert delivered is not None
    assert outcome_event(delivered.order, "c").type is EventType.ORDER_DELIVERED
    assert outcome_event(delivered.order, "c").data["reason"] is None


async def test_a_command_for_an_unknown_order_changes_nothing() -> None:
    store = FakeOrderStore(stock={"P1": 5})
    assert await change_status(store, _command(Action.CANCEL), LATER) is None


async def test_a_cancel_that_cannot_restock_fails_for_a_person_to_look_at() -> None:
    store = FakeOrderStore(stock={"P1": 5})
    await _confirmed(store, P1=2)
    del store.stock["P1"]  # the product is gone from the catalog
    with pytest.raises(RestockRefused):
        await change_status(store, _command(Action.CANCEL), LATER)
    assert store.orders["o-1"].status is OrderStatus.CONFIRMED


@pytest.mark.parametrize(
    ("status", "allowed"),
    [
        (OrderStatus.PENDING, set()),
        (OrderStatus.CONFIRMED, {Action.CANCEL, Action.SHIP}),
        (OrderStatus.SHIPPED, {Action.DELIVER}),
        (OrderStatus.DELIVERED, set()),
        (OrderStatus.CANCELLED, set()),
        (OrderStatus.REJECTED, set()),
    ],
)
def test_which_steps_each_status_allows(status: OrderStatus, allowed: set[Action]) -> None:
    some_order = Order("o", status, (OrderLine("P1", 1, Decimal(1)),))
    assert {a for a in Action if can(some_order, a)} == allowed
    assert {TRANSITIONS[a].target for a in allowed} <= set(OrderStatus)
