"""An order's life in headless Chromium: the total paid is the total the cart showed, and a
cancelled order's stock is back on the product's page."""

from __future__ import annotations

import re

import pytest
from playwright.async_api import expect

from tests.browser.conftest import RunningShop, Visitor, fill_checkout

pytestmark = [pytest.mark.browser, pytest.mark.asyncio(loop_scope="session")]


async def test_order_then_cancel_and_the_stock_comes_back(
    visitor: Visitor, shop: RunningShop
) -> None:
    page = visitor.page
    await visitor.goto("/products/p009")  # the Floor Lamp: 3 in stock
    await expect(page.locator(".product-stock")).to_have_text("Only 3 left")
    await page.get_by_label("Quantity").fill("2")
    await page.get_by_role("button", name="Add to cart").click()
    cart_total = await page.locator(".summary .total dd").inner_text()
    assert cart_total == "$65.98"  # 2 x $32.99, free shipping from $50

    await page.get_by_role("link", name="Check out").click()
    await expect(page.locator(".summary .total dd")).to_have_text(cart_total)
    await fill_checkout(page)
    await page.get_by_role("button", name=re.compile("Place order")).click()
    status = page.locator("#order-status")
    await expect(status).to_have_attribute("data-status", "CONFIRMED", timeout=8_000)
    await expect(page.locator(".order-totals .total dd")).to_have_text(cart_total)
    await expect(page.locator(".order-address")).to_contain_text("12 Analytical Row")
    await expect(page.locator(".timeline li")).to_have_count(2)  # placed, confirmed
    order_url = page.url

    await visitor.goto("/products/p009")
    await expect(page.locator(".product-stock")).to_have_text("Only 1 left")

    await page.goto(order_url)
    await page.get_by_role("button", name="Cancel order").click()
    await expect(status).to_have_attribute("data-status", "CANCELLED", timeout=8_000)
    await expect(status).to_contain_text("Your order was cancelled")
    await expect(page.get_by_role("button", name="Cancel order")).to_have_count(0)
    await expect(page.locator(".timeline li")).to_have_count(3)

    await visitor.goto("/products/p009")
    await expect(page.locator(".product-stock")).to_have_text("Only 3 left")
    await visitor.goto("/orders")
    await expect(page.locator(".orders-list")).to_contain_text("Cancelled")
    await expect(page.locator(".orders-list")).to_contain_text(cart_total)
    assert visitor.problems.messages == []
