from __future__ import annotations

import dataclasses
from decimal import Decimal

import pytest

from ecomm.core.contracts.events import EventType
from ecomm.core.domain.errors import TransientError
from ecomm.core.domain.money import CURRENCIES, ShippingRule
from ecomm.core.domain.orders import (
    MAX_LINE_QUANTITY,
    MAX_ORDER_LINES,
    Address,
    Customer,
    OrderLine,
    OrderStatus,
    PlaceOrder,
    Pricing,
)
from ecomm.roles.order.handlers import outcome_event
from ecomm.roles.order.placing import place_order
from tests.fakes import FakeOrderStore

ADA = Customer("Ada", "ada@example.com")
HOME = Address("12 Analytical Row", "London", "N1 9GU", "GB")
NOW = "2026-11-29T10:00:00.000Z"
PRICE = Decimal("9.99")
PRICING = Pricing(CURRENCIES["USD"], ShippingRule(Decimal("4.99"), Decimal("50.00")))


def priced(order_id: str, *lines: OrderLine, correlation_id: str = "c") -> PlaceOrder:
    """An order as the web sends it: every line at the price shown, in dollars, to an address."""
    return PlaceOrder(
        orderID=order_id,
        lines=lines,
        customer=ADA,
        correlationId=correlation_id,
        currency="USD",
        shippingAddress=HOME,
    )


def order(order_id: str = "o-1", correlation_id: str = "c", **lines: int) -> PlaceOrder:
    return priced(
        order_id,
        *(OrderLine(pid, q, PRICE) for pid, q in (lines or {"P1": 1}).items()),
        correlation_id=correlation_id,
    )


async def test_confirms_and_reserves_when_stock_suffices() -> None:
    store = FakeOrderStore(stock={"P1": 5})
    outcome = await place_order(store, order(P1=2), PRICING, NOW)
    assert outcome.order.status is OrderStatus.CONFIRMED
    assert outcome.fresh
    assert store.stock["P1"] == 3


async def test_the_same_order_three_times_reserves_once() -> None:
    store = FakeOrderStore(stock={"P1": 5})
    outcomes = [await place_order(store, order(P1=2), PRICING, NOW) for _ in range(3)]
    assert [o.fresh for o in outcomes] == [True, False, False]
    assert {o.order.status for o in outcomes} == {OrderStatus.CONFIRMED}
    assert store.stock["P1"] == 3
    assert len(store.orders) == 1


async def test_rejects_all_lines_when_one_lacks_stock() -> None:
    store = FakeOrderStore(stock={"P1": 5, "P2": 1}, names={"P2": "Quiet Oak Kettle"})
    outcome = await place_order(store, order(P1=1, P2=3), PRICING, NOW)
    assert outcome.order.status is OrderStatus.REJECTED
    assert outcome.order.reason == "Sorry: only 1 of “Quiet Oak Kettle” left (you asked for 3)."
    assert store.stock == {"P1": 5, "P2": 1}


async def test_rejects_an_unknown_product_with_a_reason() -> None:
    store = FakeOrderStore(stock={})
    outcome = await place_order(store, order(NOPE=1), PRICING, NOW)
    assert outcome.order.reason == "Sorry: “NOPE” is not in our catalog."


async def test_repeated_lines_of_one_product_are_merged_before_reserving() -> None:
    store = FakeOrderStore(stock={"P1": 3})
    data = priced("o", OrderLine("P1", 2, PRICE), OrderLine("P1", 1, PRICE))
    outcome = await place_order(store, data, PRICING, NOW)
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
    outcome = await place_order(store, order(**lines), PRICING, NOW)
    assert outcome.order.status is OrderStatus.REJECTED
    assert reason in (outcome.order.reason or "")
    assert all(v == 10_000 for v in store.stock.values())


async def test_a_negative_line_cannot_hide_inside_a_positive_total() -> None:
    store = FakeOrderStore(stock={"P1": 10})
    data = priced("o", OrderLine("P1", -5, PRICE), OrderLine("P1", 6, PRICE))
    outcome = await place_order(store, data, PRICING, NOW)
    assert outcome.order.status is OrderStatus.REJECTED
    assert store.stock["P1"] == 10


async def test_retries_transient_failures_then_confirms() -> None:
    store = FakeOrderStore(stock={"P1": 1}, transient_failures=2)
    outcome = await place_order(store, order(), PRICING, NOW)
    assert outcome.order.status is OrderStatus.CONFIRMED
    assert store.calls == 3


async def test_a_database_that_keeps_failing_never_rejects_the_order() -> None:
    store = FakeOrderStore(stock={"P1": 1}, transient_failures=100)
    with pytest.raises(TransientError):
        await place_order(store, order(), PRICING, NOW)
    assert store.orders == {}
    assert store.stock["P1"] == 1


async def test_outcome_events_carry_the_correlation_id_and_the_reason() -> None:
    store = FakeOrderStore(stock={})
    outcome = await place_order(store, order(correlation_id="corr-7", P9=1), PRICING, NOW)
    event = outcome_event(outcome.order, "corr-7")
    assert event.type is EventType.ORDER_REJECTED
    assert event.correlationId == "corr-7"
    assert event.data["reason"] == outcome.order.reason


async def test_an_order_id_sent_again_for_other_items_keeps_the_first_record_and_reserves_nothing(
    capsys: pytest.CaptureFixture[str],
) -> None:
    store = FakeOrderStore(stock={"P1": 5, "P2": 5})
    await place_order(store, order("o-1", P1=1), PRICING, NOW)
    replayed = await place_order(store, order("o-1", P2=4), PRICING, NOW)
    assert not replayed.fresh
    assert [(line.productID, line.quantity) for line in replayed.order.items] == [("P1", 1)]
    assert store.stock == {"P1": 4, "P2": 5}
    assert "order_id_reused_for_other_items" in capsys.readouterr().out


# -- the price shown is the price paid ---------------------------------------------------------


async def test_rejects_a_line_whose_price_changed_and_says_from_what_to_what() -> None:
    store = FakeOrderStore(
        stock={"P1": 5, "P2": 5}, names={"P2": "Oak Kettle"}, prices={"P2": Decimal("12.50")}
    )
    outcome = await place_order(store, order(P1=1, P2=1), PRICING, NOW)
    assert outcome.order.status is OrderStatus.REJECTED
    assert outcome.order.reason == "Sorry: the price of “Oak Kettle” changed from $9.99 to $12.50."
    assert store.stock == {"P1": 5, "P2": 5}


async def test_an_order_records_its_totals_by_the_shop_s_rules() -> None:
    store = FakeOrderStore(stock={"P1": 10})
    outcome = await place_order(store, order(P1=6), PRICING, NOW)  # 59.94: free shipping
    assert (outcome.order.subtotal, outcome.order.shipping, outcome.order.total) == (
        Decimal("59.94"),
        Decimal("0.00"),
        Decimal("59.94"),
    )
    assert [c.status for c in outcome.order.history] == [
        OrderStatus.PENDING,
        OrderStatus.CONFIRMED,
    ]


@pytest.mark.parametrize(
    ("change", "reason"),
    [
        ({"lines": (OrderLine("P1", 1),)}, "We couldn't confirm the prices of this order"),
        ({"currency": None}, "This shop charges in USD"),
        ({"currency": "EUR"}, "This shop charges in USD"),
        ({"shippingAddress": None}, "The order has no shipping address"),
        ({"shipping": Decimal("0.00")}, "the shipping cost changed from $0.00 to $4.99"),
        (
            {"lines": (OrderLine("P1", 1, PRICE), OrderLine("P1", 1, Decimal("1.00")))},
            "two prices for “P1”",
        ),
    ],
)
async def test_rejects_an_order_that_was_not_shown_what_it_would_be_charged(
    change: dict[str, object], reason: str
) -> None:
    store = FakeOrderStore(stock={"P1": 5})
    command = dataclasses.replace(order(P1=1), **change)  # type: ignore[arg-type]
    outcome = await place_order(store, command, PRICING, NOW)
    assert outcome.order.status is OrderStatus.REJECTED
    assert reason in (outcome.order.reason or "")
    assert store.stock == {"P1": 5}
