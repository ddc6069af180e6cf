from __future__ import annotations

import pytest

from ecomm.core.contracts.events import EventType
from ecomm.core.domain.errors import TransientError
from ecomm.core.domain.orders import (
    MAX_LINE_QUANTITY,
    MAX_ORDER_LINES,
    Customer,
    OrderLine,
    OrderStatus,
    PlaceOrder,
)
from ecomm.roles.order.handlers import outcome_event
from ecomm.roles.order.placing import place_order
from tests.fakes import FakeOrderStore

ADA = Customer("Ada", "ada@example.com")
NOW = "2026-11-29T10:00:00.000Z"


def order(order_id: str = "o-1", correlation_id: str = "c", **lines: int) -> PlaceOrder:
    return PlaceOrder(
        orderID=order_id,
        lines=tuple(OrderLine(pid, q) for pid, q in (lines or {"P1": 1}).items()),
        customer=ADA,
        correlationId=correlation_id,
    )


async def test_confirms_and_reserves_when_stock_suffices() -> None:
    store = FakeOrderStore(stock={"P1": 5})
    outcome = await place_order(store, order(P1=2), NOW)
    assert outcome.order.status is OrderStatus.CONFIRMED
    assert outcome.fresh
    assert store.stock["P1"] == 3


async def test_the_same_order_three_times_reserves_once() -> None:
    store = FakeOrderStore(stock={"P1": 5})
    outcomes = [await place_order(store, order(P1=2), NOW) for _ in range(3)]
    assert [o.fresh for o in outcomes] == [True, False, False]
    assert {o.order.status for o in outcomes} == {OrderStatus.CONFIRMED}
    assert store.stock["P1"] == 3
    assert len(store.orders) == 1


async def test_rejects_all_lines_when_one_lacks_stock() -> None:
    store = FakeOrderStore(stock={"P1": 5, "P2": 1}, names={"P2": "Quiet Oak Kettle"})
    outcome = await place_order(store, order(P1=1, P2=3), NOW)
    assert outcome.order.status is OrderStatus.REJECTED
    assert outcome.order.reason == "Sorry: only 1 of “Quiet Oak Kettle” left (you asked for 3)."
    assert store.stock == {"P1": 5, "P2": 1}


async def test_rejects_an_unknown_product_with_a_reason() -> None:
    store = FakeOrderStore(stock={})
    outcome = await place_order(store, order(NOPE=1), NOW)
    assert outcome.order.reason == "Sorry: “NOPE” is not in our catalog."


async def test_repeated_lines_of_one_product_are_merged_before_reserving() -> None:
    store = FakeOrderStore(stock={"P1": 3})
    data = PlaceOrder("o", (OrderLine("P1", 2), OrderLine("P1", 1)), ADA, "c")
    outcome = await place_order(store, data, NOW)
    assert outcome.order.items[0].quantity == 3
    assert store.stock["P1"] == 0


@pytest.mark.parametrize(
    ("lines", "reason"),
    [
        ({"P1": 0}, "must be at least 1"),
        ({"P1": -2}, "must be at least 1"),
        ({"P1": MAX_LINE_QUANTITY + 1}, f"At most {MAX_LINE_QUANTITY}"),
        ({f"P{i}": 1 for i in range(MAX_ORDER_LINES + 1)}, "at most 99 different products"),
    ],
)
async def test_rejects_impossible_orders_without_touching_stock(
    lines: dict[str, int], reason: str
) -> None:
    store = FakeOrderStore(stock=dict.fromkeys(lines, 10000))
    outcome = await place_order(store, order(**lines), NOW)
    assert outcome.order.status is OrderStatus.REJECTED
    assert reason in (outcome.order.reason or "")
    assert all(v == 10_000 for v in store.stock.values())


async def test_a_negative_line_cannot_hide_inside_a_positive_total() -> None:
    store = FakeOrderStore(stock={"P1": 10})
    data = PlaceOrder("o", (OrderLine("P1", -5), OrderLine("P1", 6)), ADA, "c")
    outcome = await place_order(store, data, NOW)
    assert outcome.order.status is OrderStatus.REJECTED
    assert store.stock["P1"] == 10


async def test_retries_transient_failures_then_confirms() -> None:
    store = FakeOrderStore(stock={"P1": 1}, transient_failures=2)
    outcome = await place_order(store, order(), NOW)
    assert outcome.order.status is OrderStatus.CONFIRMED
    assert store.calls == 3


async def test_a_database_that_keeps_failing_never_rejects_the_order() -> None:
    store = FakeOrderStore(stock={"P1": 1}, transient_failures=100)
    with pytest.raises(TransientError):
        await place_order(store, order(), NOW)
    assert store.orders == {}
    assert store.stock["P1"] == 1


async def test_outcome_events_carry_the_correlation_id_and_the_reason() -> None:
    store = FakeOrderStore(stock={})
    outcome = await place_order(store, order(correlation_id="corr-7", P9=1), NOW)
    event = outcome_event(outcome.order, "corr-7")
    assert event.type is EventType.ORDER_REJECTED
    assert event.correlationId == "corr-7"
    assert event.data["reason"] == outcome.order.reason


async def test_an_order_id_sent_again_for_other_items_keeps_the_first_record_and_reserves_nothing(
    capsys: pytest.CaptureFixture[str],
) -> None:
    store = FakeOrderStore(stock={"P1": 5, "P2": 5})
    await place_order(store, order("o-1", P1=1), NOW)
    replayed = await place_order(store, order("o-1", P2=4), NOW)
    assert not replayed.fresh
    assert [(line.productID, line.quantity) for line in replayed.order.items] == [("P1", 1)]
    assert store.stock == {"P1": 4, "P2": 5}
    assert "order_id_reused_for_other_items" in capsys.readouterr().out
