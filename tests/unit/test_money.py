"""The money rules: line totals, subtotal, shipping and total, rounding, and never a float."""

from __future__ import annotations

import dataclasses
import json
from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st
from pydantic import ValidationError

from ecomm.core.contracts.events import Envelope, EventType, LineData, OrderOutcomeData
from ecomm.core.contracts.money import read_amount
from ecomm.core.contracts.orders import OrderBody, order_json
from ecomm.core.domain.money import CURRENCIES, ShippingRule, line_total, totals
from ecomm.core.domain.orders import OrderLine, Pricing
from ecomm.core.runtime.settings import Settings
from ecomm.roles.order.placing import place_order
from tests.fakes import FakeOrderStore
from tests.unit.test_ordering import NOW, PRICING, priced

USD, JPY = CURRENCIES["USD"], CURRENCIES["JPY"]
RULE = ShippingRule(Decimal("4.99"), Decimal("50.00"))

prices = st.decimals(min_value=0, max_value=10**6, places=4, allow_nan=False, allow_infinity=False)
quantities = st.integers(min_value=1, max_value=1000)
lines = st.lists(st.tuples(prices, quantities), min_size=1, max_size=20)


@given(lines)
def test_the_total_is_the_lines_plus_shipping_every_amount_in_whole_cents(
    priced_lines: list[tuple[Decimal, int]],
) -> None:
    line_totals = [line_total(price, qty, USD) for price, qty in priced_lines]
    result = totals(line_totals, RULE, USD)
    assert result.subtotal == sum(line_totals)
    assert result.total == result.subtotal + result.shipping
    for amount in (*line_totals, result.subtotal, result.shipping, result.total):
        assert isinstance(amount, Decimal)
        assert USD.is_exact(amount)
    for (price, qty), rounded in zip(priced_lines, line_totals, strict=True):
        assert abs(rounded - price * qty) <= Decimal("0.005")  # rounded once, to the nearest cent


@given(st.decimals(min_value=0, max_value=10**9, places=2))
def test_shipping_is_free_from_the_threshold_and_the_flat_fee_below_it(subtotal: Decimal) -> None:
    expected = Decimal(0) if subtotal >= Decimal("50.00") else Decimal("4.99")
    assert RULE.cost(subtotal) == expected


@pytest.mark.parametrize(
    ("price", "quantity", "currency", "expected"),
    [
        ("0.125", 1, USD, "0.13"),  # halves go up, as a till rounds
        ("0.124", 1, USD, "0.12"),
        ("1.005", 1, USD, "1.01"),  # a float would hold 1.00499999... and round down
        ("0.1", 3, USD, "0.30"),  # a float would make 0.30000000000000004
        ("19.99", 3, USD, "59.97"),
        ("100.5", 1, JPY, "101"),  # no minor unit
    ],
)
def test_rounding_examples(price: str, quantity: int, currency: object, expected: str) -> None:
    assert str(line_total(Decimal(price), quantity, currency)) == expected  # type: ignore[arg-type]


@given(st.integers(min_value=0, max_value=10**12))
def test_minor_units_round_trip(minor: int) -> None:
    assert USD.to_minor(USD.from_minor(minor)) == minor


def test_amounts_are_formatted_in_their_currency() -> None:
    assert USD.format(Decimal("1234.5")) == "$1,234.50"
    assert JPY.format(Decimal(1500)) == "¥1,500"
    assert CURRENCIES["CHF"].format(Decimal("3")) == "3.00 CHF"


@pytest.mark.parametrize("value", ["19.99", "0", "1000000", "0.0001"])
def test_an_amount_on_the_wire_is_a_decimal_string(value: str) -> None:
    assert read_amount(value) == Decimal(value)


@pytest.mark.parametrize(
    "value", [19.99, 0.1, 20, True, "1e2", "-1", "NaN", "Infinity", "1.23456", " 1", "01"]
)
def test_anything_else_is_refused_as_money_above_all_a_float(value: object) -> None:
    with pytest.raises(ValueError, match="decimal string"):
        read_amount(value)
    with pytest.raises(ValidationError):
        LineData.model_validate({"productID": "P1", "quantity": 1, "unitPrice": value})


def test_the_shop_s_fees_must_be_whole_cents_and_its_currency_known() -> None:
    with pytest.raises(ValidationError, match="whole number of USD minor units"):
        Settings(shipping_flat_fee=Decimal("4.999"))
    with pytest.raises(ValidationError, match="unknown currency"):
        Settings(currency="XYZ")
    assert Settings(free_shipping_from="").pricing.shipping.free_from is None  # type: ignore[arg-type]


def _floats(value: object) -> list[object]:
    """Every float (or Decimal: a JSON number with a point) held anywhere in `value`."""
    if isinstance(value, float | Decimal):
        return [value]
    if isinstance(value, dict):
        return [f for v in value.values() for f in _floats(v)]
    if isinstance(value, list | tuple):
        return [f for v in value for f in _floats(v)]
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return [
            f for field in dataclasses.fields(value) for f in _floats(getattr(value, field.name))
        ]
    return []


async def test_no_float_anywhere_from_the_order_placed_to_the_api_and_the_events() -> None:
    store = FakeOrderStore(stock={"P1": 10, "P2": 10})
    command = priced(
        "o-1", OrderLine("P1", 3, Decimal("0.10")), OrderLine("P2", 1, Decimal("19.99"))
    )
    order = (await place_order(store, command, PRICING, NOW)).order
    assert (order.subtotal, order.shipping, order.total) == (
        Decimal("20.29"),
        Decimal("4.99"),
        Decimal("25.28"),
    )
    # The domain holds Decimals only...
    assert all(isinstance(v, Decimal) for v in _floats(order))
    # ...and no wire format carries money as a JSON number.
    api = json.loads(json.dumps(order_json(order)), parse_float=Decimal)
    assert _floats(api) == []
    assert (api["subtotal"], api["shipping"], api["total"]) == ("20.29", "4.99", "25.28")
    assert api["items"][0]["lineTotal"] == "0.30"
    assert OrderBody.model_validate(api).to_domain().total == Decimal("25.28")
    outcome = OrderOutcomeData(
        orderID="o-1",
        items=[
            LineData(productID=i.productID, quantity=i.quantity, unitPrice=i.unitPrice)
            for i in order.items
        ],
    )
    event = json.loads(
        Envelope.wrap(EventType.ORDER_CONFIRMED, outcome, None).to_json(), parse_float=Decimal
    )
    assert _floats(event) == []


def test_pricing_follows_the_rules_for_an_order() -> None:
    pricing = Pricing(USD, RULE)
    charged = pricing.totals(
        [OrderLine("A", 2, Decimal("25.00")), OrderLine("B", 1, Decimal("0.01"))]
    )
    assert (charged.subtotal, charged.shipping, charged.total) == (
        Decimal("50.01"),
        Decimal(0),
        Decimal("50.01"),
    )
