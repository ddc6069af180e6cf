"""Filling the cart: bounded quantities, real stock, friendly refusals next to the field."""

from __future__ import annotations

from typing import Any

import pytest
from aiohttp.test_utils import TestClient

from ecomm.core.domain.orders import MAX_LINE_QUANTITY, MAX_ORDER_LINES
from ecomm.roles.web.cart import Cart, CartCodec
from tests.integration.web.storefront_fakes import FakeCatalog
from tests.integration.web.web_forms import SIGNING_KEY, post_form

Client = TestClient[Any, Any]


async def test_adding_redirects_to_the_cart_which_shows_the_line(web_client: Client) -> None:
    response = await post_form(web_client, "/cart/items", {"product_id": "p007", "quantity": "2"})
    assert response.status == 303
    assert response.headers["Location"] == "/cart?added=p007"
    page = await (await web_client.get("/cart?added=p007")).text()
    assert "Added “Desk Lamp” to your cart." in page
    assert "$53.98" in page  # 2 x $26.99, priced from lookup


@pytest.mark.parametrize("quantity", ["0", "-1", "abc", "", "1.5", str(MAX_LINE_QUANTITY + 1)])
async def test_a_bad_quantity_is_refused_with_a_message_next_to_the_field(
    web_client: Client, quantity: str
) -> None:
    response = await post_form(
        web_client, "/cart/items", {"product_id": "p007", "quantity": quantity}
    )
    assert response.status == 400
    page = await response.text()
    assert 'aria-describedby="quantity-error"' in page
    assert f'id="quantity-error">Enter a whole number from 1 to {MAX_LINE_QUANTITY}.' in page


async def test_an_out_of_stock_product_cannot_be_added(web_client: Client) -> None:
    page = await (await web_client.get("/products/p004")).text()
    assert "Out of stock" in page
    assert "Add to cart" not in page
    response = await post_form(web_client, "/cart/items", {"product_id": "p004", "quantity": "1"})
    assert response.status == 400
    assert "Sorry, this product is out of stock." in await response.text()


async def test_more_than_the_stock_is_refused(web_client: Client) -> None:
    page = await (await web_client.get("/products/p009")).text()
    assert "Only 3 left" in page
    await post_form(web_client, "/cart/items", {"product_id": "p009", "quantity": "2"})
    response = await post_form(web_client, "/cart/items", {"product_id": "p009", "quantity": "2"})
    assert response.status == 400
    assert "Only 3 left and you already have 2 in your cart." in await response.text()


async def test_an_unknown_product_gives_the_404_page(web_client: Client) -> None:
    response = await web_client.get("/products/no-such-thing")
    assert response.status == 404
    page = await response.text()
    assert "We couldn&#39;t find that product." in page
    assert "<title>We can&#39;t find that page" in page
    response = await post_form(web_client, "/cart/items", {"product_id": "nope", "quantity": "1"})
    assert response.status == 404


async def test_the_quantity_can_be_changed_and_the_line_removed(web_client: Client) -> None:
    await post_form(web_client, "/cart/items", {"product_id": "p007", "quantity": "1"})
    response = await post_form(web_client, "/cart/items/p007", {"quantity": "4"})
    assert (response.status, response.headers["Location"]) == (303, "/cart")
    page = await (await web_client.get("/cart")).text()
    assert 'value="4"' in page
    assert "$107.96" in page

    response = await post_form(web_client, "/cart/items/p007", {"quantity": "0"})
    assert response.status == 400
    page = await response.text()
    assert 'id="qty-1-error">Enter a whole number' in page

    response = await post_form(web_client, "/cart/items/p007/remove", {})
    assert response.status == 303
    assert "Your cart is empty" in await (await web_client.get("/cart")).text()


async def test_a_product_that_left_the_catalog_is_flagged_in_the_cart(
    web_client: Client, catalog: FakeCatalog
) -> None:
    await post_form(web_client, "/cart/items", {"product_id": "p007", "quantity": "1"})
    del catalog.products["p007"]
    page = await (await web_client.get("/cart")).text()
    assert "This product is no longer available; please remove it." in page


async def test_an_order_holds_at_most_the_transaction_limit_of_lines(
    web_client: Client, catalog: FakeCatalog
) -> None:
    lines = {f"x{n}": 1 for n in range(MAX_ORDER_LINES)}
    web_client.session.cookie_jar.update_cookies(
        {"cart": CartCodec(SIGNING_KEY).encode(Cart(lines))}
    )
    response = await post_form(web_client, "/cart/items", {"product_id": "p007", "quantity": "1"})
    assert response.status == 400
    assert f"An order holds at most {MAX_ORDER_LINES} different products" in (await response.text())
