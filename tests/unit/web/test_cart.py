"""The cart's own rules: quantities and number of lines, whatever the catalog says."""

from __future__ import annotations

from decimal import Decimal

import pytest

from ecomm.core.domain.money import CURRENCIES, ShippingRule
from ecomm.core.domain.orders import MAX_LINE_QUANTITY, MAX_ORDER_LINES, Pricing
from ecomm.core.domain.products import Product
from ecomm.roles.web.cart import Cart, CartError, parse_quantity
from ecomm.roles.web.priced_cart import addable, price, stock_badge


def _product(pid: str = "p1", stock: int = 10, price_: str = "2.50") -> Product:
    return Product(pid, "Thing", "", "Misc", Decimal(price_), stock, "")


@pytest.mark.parametrize("text", ["1", " 7 ", str(MAX_LINE_QUANTITY)])
def test_accepts_whole_quantities_in_range(text: str) -> None:
    assert parse_quantity(text) == int(text)


@pytest.mark.parametrize(
    "text",
    [
        None,
        "",
        "0",
        "-1",
        "+1",
        "1.0",
        "1e3",
        "\u00b2",
        "\u0663",
        str(MAX_LINE_QUANTITY + 1),
        "9" * 50,
    ],
)
def test_refuses_anything_else_with_a_message(text: str | None) -> None:
    with pytest.raises(CartError, match="Enter a whole number from 1 to"):
        parse_quantity(text)


def test_adding_accumulates_and_is_bounded_per_line() -> None:
    cart = Cart().adding("p1", 600)
    assert cart.adding("p1", 400).quantity_of("p1") == MAX_LINE_QUANTITY
    with pytest.raises(CartError, match="at most 1000 of one product"):
        cart.adding("p1", 401)


def test_a_new_line_past_the_transaction_limit_is_refused() -> None:
    cart = Cart({f"p{n}": 1 for n in range(MAX_ORDER_LINES)})
    assert cart.with_quantity("p0", 5).quantity_of("p0") == 5  # changing a line is fine
    with pytest.raises(CartError, match=f"at most {MAX_ORDER_LINES} different products"):
        cart.adding("new", 1)


def test_removing_a_line_keeps_the_others() -> None:
    assert Cart({"a": 1, "b": 2}).without("a") == Cart({"b": 2})


PRICING = Pricing(CURRENCIES["USD"], ShippingRule(Decimal("4.99"), Decimal("50.00")))


def test_prices_come_from_the_catalog_and_missing_products_are_flagged() -> None:
    priced = price(Cart({"p1": 3, "gone": 1}), {"p1": _product()}, PRICING)
    assert (str(priced.totals.subtotal), str(priced.totals.total)) == ("7.50", "12.49")
    assert priced.item_count == 4
    [problem] = priced.problems
    assert problem.product_id == "gone"
    assert problem.problem == "This product is no longer available; please remove it."


def test_stock_badges_say_what_a_shopper_needs() -> None:
    assert stock_badge(_product(stock=0)) == ("Out of stock", "out")
    assert stock_badge(_product(stock=3)) == ("Only 3 left", "low")
    assert stock_badge(_product(stock=50)) == ("In stock", "in")


def test_adding_more_than_the_stock_explains_why() -> None:
    assert addable(_product(stock=3), 0, 3) is None
    assert addable(_product(stock=0), 0, 1) == "Sorry, this product is out of stock."
    assert addable(_product(stock=3), 2, 2) == "Only 3 left and you already have 2 in your cart."


def test_the_digest_names_the_prices_shown_as_well_as_the_lines() -> None:
    cart = Cart({"p1": 3})
    shown = price(cart, {"p1": _product()}, PRICING).digest()
    assert price(cart, {"p1": _product()}, PRICING).digest() == shown
    assert price(cart, {"p1": _product(price_="2.51")}, PRICING).digest() != shown
    assert price(Cart({"p1": 4}), {"p1": _product()}, PRICING).digest() != shown
    free = Pricing(PRICING.currency, ShippingRule(Decimal(0)))
    assert price(cart, {"p1": _product()}, free).digest() != shown  # the shipping shown, too
