"""Checkout: validated at the form, checked against live stock, published once, rate limited."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from aiohttp.test_utils import TestClient

from ecomm.core.contracts.events import EventType, OrderPlacedData
from ecomm.roles.web.order_history import OrderHistoryCodec
from tests.integration.web.conftest import WebFactory
from tests.integration.web.storefront_fakes import FakeCatalog, FakePublisher
from tests.integration.web.web_forms import ADA, SIGNING_KEY, hidden_fields, post_form

Client = TestClient[Any, Any]


def _cookie(client: Client, name: str) -> str | None:
    cookie = client.session.cookie_jar.filter_cookies(client.make_url("/")).get(name)
    return cookie.value if cookie else None


async def _fill_cart(client: Client) -> None:
    await post_form(client, "/cart/items", {"product_id": "p007", "quantity": "2"})
    await post_form(client, "/cart/items", {"product_id": "p001", "quantity": "1"})


async def test_placing_an_order_publishes_it_and_redirects_to_its_status(
    web_client: Client, publisher: FakePublisher
) -> None:
    await _fill_cart(web_client)
    response = await post_form(
        web_client, "/checkout", ADA, headers={"X-Request-ID": "req-12345678"}
    )
    assert response.status == 303
    order_id = response.headers["Location"].removeprefix("/orders/")
    assert len(order_id) == 32

    [event] = publisher.published
    assert event.type is EventType.ORDER_PLACED
    assert event.correlationId == "req-12345678"
    data = event.payload()
    assert isinstance(data, OrderPlacedData)
    assert data.orderID == order_id
    # The price and name of each line as shown, the currency, the shipping cost and address.
    assert [(i.productID, i.quantity, i.unitPrice, i.name) for i in data.items] == [
        ("p007", 2, Decimal("26.99"), "Desk Lamp"),
        ("p001", 1, Decimal("8.99"), "Copper Kettle"),
    ]
    assert (data.currency, data.shipping) == ("USD", Decimal("0.00"))  # $62.97: free shipping
    assert (data.customer.name, data.customer.email) == ("Ada Lovelace", "ada@example.com")
    assert data.shippingAddress is not None
    assert (data.shippingAddress.line1, data.shippingAddress.country) == ("12 Analytical Row", "GB")

    assert _cookie(web_client, "cart") in (None, "")
    history = OrderHistoryCodec(SIGNING_KEY).decode(_cookie(web_client, "orders"))
    assert [p.order_id for p in history] == [order_id]


async def test_the_checkout_page_shows_subtotal_shipping_and_total(
    web_client: Client, catalog: FakeCatalog
) -> None:
    await post_form(web_client, "/cart/items", {"product_id": "p001", "quantity": "2"})
    page = await (await web_client.get("/checkout")).text()
    assert '<div class="subtotal"><dt>Subtotal</dt><dd>$17.98</dd>' in page
    assert '<div class="shipping"><dt>Shipping</dt><dd>$4.99</dd>' in page
    assert '<div class="total"><dt>Total</dt><dd>$22.97</dd>' in page
    assert "Place order · $22.97" in page
    assert "Free shipping on orders from $50.00." in page
    assert '<option value="GB">United Kingdom</option>' in page


async def test_a_price_changed_after_the_page_was_shown_is_refused_with_the_new_price(
    web_client: Client, catalog: FakeCatalog, publisher: FakePublisher
) -> None:
    await post_form(web_client, "/cart/items", {"product_id": "p001", "quantity": "1"})
    shown = await hidden_fields(web_client, "/checkout")
    catalog.change("p001", price=Decimal("9.49"))
    response = await web_client.post("/checkout", data={**shown, **ADA}, allow_redirects=False)
    assert response.status == 409
    page = await response.text()
    assert "Your cart changed since this page was shown (an item, a quantity or a price)" in page
    assert "Place order · $14.48" in page  # $9.49 + $4.99: the new price, before agreeing to it
    assert publisher.published == []
    assert _cookie(web_client, "cart")  # kept


async def test_a_missing_or_bad_address_is_refused_with_messages_next_to_the_fields(
    web_client: Client, publisher: FakePublisher
) -> None:
    await _fill_cart(web_client)
    form = {**ADA, "line1": " ", "city": "", "postal_code": "N1 <9>", "country": "XX"}
    response = await post_form(web_client, "/checkout", form)
    assert response.status == 400
    page = await response.text()
    assert 'id="line1-error">Please enter your street address.' in page
    assert 'id="city-error">Please enter your town or city.' in page
    assert 'id="postal_code-error">A postal code has only letters, digits' in page
    assert 'id="country-error">Please choose your country.' in page
    assert 'value="N1 &lt;9&gt;"' in page  # what was typed is kept
    assert publisher.published == []


async def test_the_order_id_comes_from_the_form_so_a_retry_is_the_same_order(
    web_client: Client, publisher: FakePublisher
) -> None:
    await _fill_cart(web_client)
    page = await (await web_client.get("/checkout")).text()
    order_id = page.split('name="order_id" value="')[1].split('"')[0]
    response = await post_form(web_client, "/checkout", {**ADA, "order_id": order_id})
    assert response.headers["Location"] == f"/orders/{order_id}"
    assert publisher.published[0].data["orderID"] == order_id


async def test_bad_name_and_email_are_refused_with_messages_next_to_the_fields(
    web_client: Client, publisher: FakePublisher
) -> None:
    await _fill_cart(web_client)
    response = await post_form(web_client, "/checkout", {"name": "  ", "email": "not-an-email"})
    assert response.status == 400
    page = await response.text()
    assert 'id="name-error">Please enter your name.' in page
    assert 'id="email-error">Please enter a valid email address' in page
    assert 'aria-describedby="email-error"' in page
    assert 'value="not-an-email"' in page  # what was typed is kept

    response = await post_form(web_client, "/checkout", {"name": "x" * 201, "email": "a@b.co"})
    assert "Please shorten your name to 200 characters." in await response.text()
    assert publisher.published == []


async def test_a_publish_failure_keeps_the_cart_and_explains(
    web_client: Client, publisher: FakePublisher
) -> None:
    await _fill_cart(web_client)
    cart_before = _cookie(web_client, "cart")
    publisher.fail = True
    response = await post_form(web_client, "/checkout", ADA)
    assert response.status == 503
    page = await response.text()
    assert "We couldn&#39;t place your order just now." in page
    assert "your cart is saved" in page
    assert 'value="Ada Lovelace"' in page
    assert "Set-Cookie" not in response.headers or "cart=" not in response.headers["Set-Cookie"]
    assert _cookie(web_client, "cart") == cart_before

    publisher.fail = False
    response = await post_form(web_client, "/checkout", ADA)
    assert response.status == 303


async def test_an_out_of_stock_line_is_refused_at_the_form(
    web_client: Client, catalog: FakeCatalog, publisher: FakePublisher
) -> None:
    await _fill_cart(web_client)
    catalog.set_stock("p007", 1)
    response = await post_form(web_client, "/checkout", ADA)
    assert response.status == 409
    page = await response.text()
    assert "Only 1 left; please lower the quantity." in page
    assert publisher.published == []


async def test_an_empty_cart_goes_back_to_the_cart(web_client: Client) -> None:
    response = await post_form(web_client, "/checkout", ADA)
    assert (response.status, response.headers["Location"]) == (303, "/cart")


async def _order_once(client: Client, headers: dict[str, str]) -> Any:
    await post_form(client, "/cart/items", {"product_id": "p001", "quantity": "1"})
    return await post_form(client, "/checkout", ADA, headers=headers)


async def test_checkout_is_rate_limited_per_client_with_retry_after(
    make_web: WebFactory, publisher: FakePublisher
) -> None:
    client = await make_web(checkout_burst=2, checkout_rate_per_minute=1)
    alice = {"X-Forwarded-For": "198.51.100.7"}
    statuses = [(await _order_once(client, alice)).status for _ in range(3)]
    assert statuses == [303, 303, 429]
    refused = await post_form(client, "/checkout", ADA, headers=alice)
    assert refused.status == 429
    assert 1 <= int(refused.headers["Retry-After"]) <= 60
    page = await refused.text()
    assert "Too many orders in a short time" in page
    assert 'value="ada@example.com"' in page  # what was typed is kept
    assert len(publisher.published) == 2

    # The ALB appends the address it saw; what a client wrote before it proves nothing.
    bob = {"X-Forwarded-For": "198.51.100.7, 203.0.113.9"}
    other = await post_form(client, "/checkout", ADA, headers=bob)
    assert other.status == 303


async def test_failed_validations_do_not_spend_the_checkout_budget(
    make_web: WebFactory, publisher: FakePublisher
) -> None:
    client = await make_web(checkout_burst=1, checkout_rate_per_minute=1)
    await post_form(client, "/cart/items", {"product_id": "p001", "quantity": "1"})
    for typo in ("ada@", "ada@example", "@example.com", "ada example.com", "ada@@example.com"):
        response = await post_form(client, "/checkout", {**ADA, "email": typo})
        assert response.status == 400
    placed = await post_form(client, "/checkout", ADA)
    assert placed.status == 303
    assert len(publisher.published) == 1


async def test_a_form_for_another_cart_is_refused_and_the_cart_is_kept(
    web_client: Client, publisher: FakePublisher
) -> None:
    await post_form(web_client, "/cart/items", {"product_id": "p001", "quantity": "1"})
    shown = await hidden_fields(web_client, "/checkout")
    # Another tab adds to the cart after this checkout page was shown.
    await post_form(web_client, "/cart/items", {"product_id": "p007", "quantity": "1"})
    cart_before = _cookie(web_client, "cart")

    response = await web_client.post("/checkout", data={**shown, **ADA}, allow_redirects=False)
    assert response.status == 409
    page = await response.text()
    assert "Your cart changed since this page was shown" in page
    assert f'value="{shown["order_id"]}"' not in page  # a fresh id for the cart as it is now
    assert publisher.published == []
    assert _cookie(web_client, "cart") == cart_before


async def test_an_old_form_sent_again_after_the_order_is_not_swallowed_by_it(
    web_client: Client, publisher: FakePublisher
) -> None:
    await post_form(web_client, "/cart/items", {"product_id": "p001", "quantity": "1"})
    first = await hidden_fields(web_client, "/checkout")
    placed = await web_client.post("/checkout", data={**first, **ADA}, allow_redirects=False)
    assert placed.status == 303

    # Back to the old form with a new cart: the same order id would name the first order.
    await post_form(web_client, "/cart/items", {"product_id": "p007", "quantity": "3"})
    again = await web_client.post("/checkout", data={**first, **ADA}, allow_redirects=False)
    assert again.status == 409
    assert len(publisher.published) == 1
    assert _cookie(web_client, "cart")  # the new cart is still there


async def test_the_same_form_for_the_same_cart_is_the_same_order(
    web_client: Client, publisher: FakePublisher
) -> None:
    await post_form(web_client, "/cart/items", {"product_id": "p001", "quantity": "1"})
    form = {**(await hidden_fields(web_client, "/checkout")), **ADA}
    first = await web_client.post("/checkout", data=form, allow_redirects=False)
    await post_form(web_client, "/cart/items", {"product_id": "p001", "quantity": "1"})
    second = await web_client.post("/checkout", data=form, allow_redirects=False)
    assert first.headers["Location"] == second.headers["Location"]
    assert {e.data["orderID"] for e in publisher.published} == {form["order_id"]}
