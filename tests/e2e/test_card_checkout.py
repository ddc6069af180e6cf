"""Paying by card through the web checkout, with the three roles as processes and localstripe
(its own process) as Stripe: a declined card places nothing and keeps the cart; a good one is
authorized for the total web computed, captured once the stock is reserved, and refunded once
when the order is cancelled. localstripe's webhook reaches web, signed, and is handed on."""

from __future__ import annotations

import json
import re
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import aiohttp
import pytest
import stripe

from ecomm.core.adapters.products_table import ProductRepository
from ecomm.core.domain.payments import DECLINED
from ecomm.core.runtime.bootstrap import Runtime
from ecomm.emulator import Emulator
from ecomm.emulator.local_stripe import SECRET_KEY, LocalStripe, role_env
from ecomm.ops.catalog import generate
from tests.e2e.conftest import CATALOG_SIZE, Stack, running_stack
from tests.integration.web.web_forms import ADDRESS
from tests.polling import eventually
from tests.stripe_cards import DECLINES, PAYS, card_method

CSRF = re.compile(r'name="csrf_token" value="([^"]+)"')
HIDDEN = re.compile(r'<input type="hidden" name="([a-z_]+)" value="([^"]*)"')


@pytest.fixture
async def paying_stack(
    emulator: Emulator, runtime: Runtime, tmp_path: Path, local_stripe: LocalStripe
) -> AsyncIterator[Stack]:
    env = role_env(local_stripe.port)
    async with running_stack(emulator, runtime, tmp_path, env) as stack:
        local_stripe.webhook(f"{stack.web}/payments/stripe/webhook")
        yield stack


async def _checkout(browser: aiohttp.ClientSession, method: str) -> aiohttp.ClientResponse:
    async with browser.get("/checkout") as page:
        html = await page.text()
    fields = dict(HIDDEN.findall(html))
    async with browser.post("/checkout/card", data={"csrf_token": fields["csrf_token"]}) as setup:
        assert setup.status == 200
        assert (await setup.json())["clientSecret"].startswith("seti_")
    form = {
        **fields,
        **ADDRESS,
        "name": "Grace Hopper",
        "email": "grace@example.com",
        "payment_method": method,
        # What a forged form might add: ignored, the total is web's own.
        "amount": "1",
    }
    return await browser.post("/checkout", data=form, allow_redirects=False)


async def _add_to_cart(browser: aiohttp.ClientSession, product_id: str) -> None:
    async with browser.get(f"/products/{product_id}") as page:
        token = CSRF.search(await page.text()).group(1)  # type: ignore[union-attr]
    form = {"csrf_token": token, "product_id": product_id, "quantity": "2"}
    async with browser.post("/cart/items", data=form) as added:
        assert added.status == 200


async def _intent(local_stripe: LocalStripe, intent_id: str) -> dict[str, Any]:
    http = stripe.AIOHTTPClient()
    client = stripe.StripeClient(
        SECRET_KEY,
        base_addresses={"api": local_stripe.url},  # type: ignore[typeddict-item]
        http_client=http,
    )
    try:
        intent = await client.v1.payment_intents.retrieve_async(
            intent_id, {"expand": ["latest_charge"]}
        )
    finally:
        await http.close_async()  # type: ignore[no-untyped-call]
    return intent.to_dict()


async def test_a_declined_card_then_a_good_one_paid_captured_and_refunded_once(
    paying_stack: Stack, runtime: Runtime, local_stripe: LocalStripe
) -> None:
    stack = paying_stack
    product = next(p for p in generate(CATALOG_SIZE) if p.stock >= 5)
    products = ProductRepository(runtime.aws.dynamodb, runtime.names.products_table)
    jar = aiohttp.CookieJar(unsafe=True)
    async with aiohttp.ClientSession(stack.web, cookie_jar=jar) as browser:
        await _add_to_cart(browser, product.productID)

        declined = await _checkout(browser, await card_method(local_stripe, DECLINES))
        assert declined.status == 402
        assert DECLINED in (await declined.text()).replace("&#39;", "'")
        async with browser.get("/cart") as cart:
            assert f"/products/{product.productID}" in await cart.text()  # the cart is kept
        declined_id = dict(HIDDEN.findall(await declined.text()))["order_id"]

        paid = await _checkout(browser, await card_method(local_stripe, PAYS))
        assert paid.status == 303, await paid.text()
        order_path = paid.headers["Location"]
        order_id = order_path.removeprefix("/orders/")
        assert order_id != declined_id  # a declined order id is never reused

        async def status() -> tuple[str, str | None]:
            async with browser.get(f"{order_path}/status.json") as answer:
                body = await answer.json()
                return body["status"], body["payment"]

        async def captured() -> bool:
            return await status() == ("CONFIRMED", "paid")

        await eventually(captured, within=30)
        async with browser.get(order_path) as page:
            html = await page.text()
        assert "Paid · Visa ending 4242" in html
        assert (await products.get(product.productID)).stock == product.stock - 2

        body = await _order(stack, order_id)
        payment = body["payment"]
        assert (payment["status"], payment["card"]) == ("paid", {"brand": "visa", "last4": "4242"})
        intent = await _intent(local_stripe, payment["id"])
        total_cents = int(body["total"].replace(".", ""))  # the total web computed, in cents
        assert (intent["status"], intent["amount"]) == ("succeeded", total_cents)
        assert intent["latest_charge"]["captured"] is True

        cancel = {"csrf_token": CSRF.search(html).group(1)}  # type: ignore[union-attr]
        async with browser.post(f"{order_path}/cancel", data=cancel, allow_redirects=False) as r:
            assert r.status == 303

        async def refunded() -> bool:
            return await status() == ("CANCELLED", "refunded")

        await eventually(refunded, within=30)
    assert (await products.get(product.productID)).stock == product.stock
    charge = (await _intent(local_stripe, payment["id"]))["latest_charge"]
    assert (charge["amount_refunded"], charge["refunded"]) == (total_cents, True)

    # localstripe reported the capture to web's webhook, signed; web handed it to the worker.
    def events(role: str, name: str) -> list[dict[str, Any]]:
        lines = [json.loads(line) for line in stack.log_lines(role) if line.startswith("{")]
        return [line for line in lines if line.get("event") == name]

    async def reported() -> bool:
        return any(e.get("order_id") == order_id for e in events("web", "payment_reported"))

    await eventually(reported, within=20)
    assert events("web", "webhook_refused") == []


async def _order(stack: Stack, order_id: str) -> dict[str, Any]:
    """The order as the order service answers it."""
    url = stack.urls["order"] + f"/api/orders/{order_id}"
    async with aiohttp.ClientSession() as http, http.get(url) as answer:
        body: dict[str, Any] = await answer.json()
    return body
