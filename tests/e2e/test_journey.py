"""A shopper's whole visit, through HTTP only: search, product, cart, checkout, CONFIRMED."""

from __future__ import annotations

import json
import re
from decimal import Decimal

import aiohttp

from ecomm.core.adapters.products_table import ProductRepository
from ecomm.core.runtime.bootstrap import Runtime
from ecomm.ops.catalog import generate
from tests.e2e.conftest import CATALOG_SIZE, Stack
from tests.integration.web.web_forms import ADDRESS
from tests.polling import eventually

CSRF = re.compile(r'name="csrf_token" value="([^"]+)"')
ORDER_ID = re.compile(r'name="order_id" value="([^"]+)"')
CART_DIGEST = re.compile(r'name="cart_digest" value="([^"]+)"')
TOTAL = re.compile(r'<div class="total"><dt>Total</dt><dd>([^<]+)</dd>')


async def test_a_shopper_searches_orders_and_sees_the_order_confirmed(
    stack: Stack, runtime: Runtime
) -> None:
    product = next(p for p in generate(CATALOG_SIZE) if p.stock >= 5)
    products = ProductRepository(runtime.aws.dynamodb, runtime.names.products_table)
    jar = aiohttp.CookieJar(unsafe=True)  # cookies for 127.0.0.1, as a browser keeps them
    async with aiohttp.ClientSession(stack.web, cookie_jar=jar) as browser:
        async with browser.get("/search", params={"q": product.name}) as page:
            assert page.status == 200
            assert f"/products/{product.productID}" in await page.text()

        async with browser.get(f"/products/{product.productID}") as page:
            assert page.status == 200
            html = await page.text()
        token = CSRF.search(html)
        assert token, "the product page has a CSRF-protected form"
        form = {"csrf_token": token.group(1), "product_id": product.productID, "quantity": "2"}
        async with browser.post("/cart/items", data=form) as added:
            assert added.status == 200  # followed the redirect to the cart

        async with browser.get("/checkout") as page:
            html = await page.text()
        shown_total = TOTAL.search(html)
        assert shown_total, "the checkout page shows the total"
        form = {
            **ADDRESS,
            "csrf_token": CSRF.search(html).group(1),  # type: ignore[union-attr]
            "order_id": ORDER_ID.search(html).group(1),  # type: ignore[union-attr]
            "cart_digest": CART_DIGEST.search(html).group(1),  # type: ignore[union-attr]
            "name": "Grace Hopper",
            "email": "grace@example.com",
        }
        async with browser.post("/checkout", data=form, allow_redirects=False) as placed:
            assert placed.status == 303
            order_path = placed.headers["Location"]
            request_id = placed.headers["X-Request-ID"]
        assert order_path == f"/orders/{form['order_id']}"

        async def confirmed() -> bool:
            async with browser.get(f"{order_path}/status.json") as status:
                return bool((await status.json())["status"] == "CONFIRMED")

        await eventually(confirmed, within=20)
        async with browser.get(order_path) as page:
            html = await page.text()
        assert "CONFIRMED" in html.upper()
        # The order's total is the total the checkout page showed, to the cent.
        charged = TOTAL.search(html)
        assert charged, "the order page shows the total"
        assert charged.group(1) == shown_total.group(1)
        async with browser.get(f"{order_path}/status.json") as status:
            assert f"${Decimal((await status.json())['total']):,.2f}" == shown_total.group(1)
        assert (await products.get(product.productID)).stock == product.stock - 2

        await _among_best_sellers(browser, product.productID)
        await _cancel(browser, order_path, html)
    assert (await products.get(product.productID)).stock == product.stock
    # The checkout's request id travels through SNS and SQS into the order worker's log lines.
    worker_lines = [json.loads(line) for line in stack.log_lines("order") if line.startswith("{")]
    recorded = [line for line in worker_lines if line.get("event") == "order_recorded"]
    assert [line["correlation_id"] for line in recorded] == [request_id]
    assert recorded[0]["order_id"] == form["order_id"]


async def _among_best_sellers(browser: aiohttp.ClientSession, product_id: str) -> None:
    async def shown() -> bool:
        async with browser.get("/") as page:
            shelves = (await page.text()).split('id="featured-title"')[0]
        return f"/products/{product_id}" in shelves.partition("Best sellers")[2]

    await eventually(shown, within=20)


async def _cancel(browser: aiohttp.ClientSession, order_path: str, html: str) -> None:
    """Cancelled from the order page: the worker gives the stock back."""
    cancel = {"csrf_token": CSRF.search(html).group(1)}  # type: ignore[union-attr]
    async with browser.post(f"{order_path}/cancel", data=cancel, allow_redirects=False) as r:
        assert r.status == 303

    async def cancelled() -> bool:
        async with browser.get(f"{order_path}/status.json") as status:
            return bool((await status.json())["status"] == "CANCELLED")

    await eventually(cancelled, within=20)
