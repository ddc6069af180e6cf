"""A shopper's whole journey in headless Chromium, with JavaScript on and with it off."""

from __future__ import annotations

import re
from urllib.parse import parse_qs, urlsplit

import pytest
from playwright.async_api import Page, expect

from tests.browser.conftest import OpenVisitor, RunningShop, Visitor, fill_checkout

pytestmark = [pytest.mark.browser, pytest.mark.asyncio(loop_scope="session")]


async def _image_loaded(page: Page, selector: str) -> bool:
    loaded: bool = await page.eval_on_selector(
        selector, "img => img.complete && img.naturalWidth > 0"
    )
    return loaded


async def _search_and_open_the_desk_lamp(page: Page) -> None:
    await page.get_by_role("searchbox", name="Search products").first.fill("lamp")
    await page.get_by_role("searchbox", name="Search products").first.press("Enter")
    await expect(page).to_have_url(re.compile(r"/search\?q=lamp"))
    await expect(page.get_by_role("heading", level=1)).to_have_text("Results for “lamp”")
    await page.get_by_role("link", name="Desk Lamp").click()
    await expect(page.get_by_role("heading", level=1)).to_have_text("Desk Lamp")
    assert await _image_loaded(page, ".product-media img")


async def _add_to_cart_and_change_quantity(page: Page) -> None:
    await page.get_by_label("Quantity").fill("2")
    await page.get_by_role("button", name="Add to cart").click()
    await expect(page).to_have_url(re.compile(r"/cart\?added=p007$"))
    await expect(page.get_by_role("status")).to_contain_text("Added “Desk Lamp” to your cart")
    quantity = page.get_by_label("Quantity of Desk Lamp")
    await expect(quantity).to_have_value("2")
    await quantity.fill("3")
    await page.get_by_role("button", name="Update quantity of Desk Lamp").click()
    await expect(page.get_by_label("Quantity of Desk Lamp")).to_have_value("3")
    await expect(page.locator(".summary .total dd")).to_have_text("$80.97")  # 3 x $26.99
    await expect(page.locator(".cart-count")).to_have_text("3")


async def _check_out(page: Page, name: str = "Ada Lovelace") -> str:
    await page.get_by_role("link", name="Check out").click()
    await expect(page.get_by_role("heading", level=1)).to_have_text("Checkout")
    await fill_checkout(page, name)
    await page.get_by_role("button", name=re.compile("Place order")).click()
    await expect(page).to_have_url(re.compile(r"/orders/[0-9a-f]{32}$"))
    return page.url.rsplit("/", 1)[1]


async def test_a_shopper_finds_buys_and_sees_the_order_confirmed(
    visitor: Visitor, shop: RunningShop
) -> None:
    page = visitor.page
    await visitor.goto("/")
    await expect(page.get_by_role("heading", name="Shop by category")).to_be_visible()
    await expect(page.get_by_role("link", name="lamp", exact=True)).to_be_visible()  # trending
    assert await page.locator(".grid .card").count() == 12  # featured, across the categories

    await _search_and_open_the_desk_lamp(page)
    await expect(page.locator(".product-stock")).to_have_text("In stock")
    await _add_to_cart_and_change_quantity(page)

    # A second product, then removed again.
    await visitor.goto("/products/p001")
    await page.get_by_role("button", name="Add to cart").click()
    await page.get_by_role("button", name="Remove Copper Kettle").click()
    await expect(page.get_by_label("Quantity of Copper Kettle")).to_have_count(0)

    order_id = await _check_out(page)
    status = page.locator("#order-status")
    # The order page waits up to a second for the decision, then shows it or a pending page that
    # keeps asking: either way the shopper ends up on the confirmation.
    await expect(status).to_have_attribute("data-status", "CONFIRMED", timeout=8_000)
    await expect(status).to_contain_text("Your order is confirmed")
    await expect(page.locator(".order-items")).to_contain_text("Desk Lamp \u00d7 3")
    await expect(page.locator(".cart-count")).to_have_text("0")

    await page.get_by_role("link", name="All your orders").click()
    await expect(page.locator(".orders-list")).to_contain_text(order_id[:8])
    await expect(page.locator(".orders-list")).to_contain_text("Confirmed")
    assert visitor.problems.messages == []


async def test_an_out_of_stock_product_cannot_be_added(visitor: Visitor) -> None:
    page = visitor.page
    await visitor.goto("/products/p004")
    await expect(page.locator(".product-stock")).to_have_text("Out of stock")
    await expect(page.get_by_role("button", name="Add to cart")).to_have_count(0)
    await visitor.goto("/products/p009")
    await expect(page.locator(".product-stock")).to_have_text("Only 3 left")
    await expect(page.get_by_label("Quantity")).to_have_attribute("max", "3")
    assert visitor.problems.messages == []


async def test_a_rejected_order_shows_its_reason(visitor: Visitor, shop: RunningShop) -> None:
    page = visitor.page
    await visitor.goto("/products/p009")  # the Floor Lamp: 3 in stock
    await page.get_by_label("Quantity").fill("2")
    await page.get_by_role("button", name="Add to cart").click()
    shop.orders.sold_elsewhere["p009"] = 2  # lookup still shows 3; the worker will see 1
    await _check_out(page)
    status = page.locator("#order-status")
    await expect(status).to_have_attribute("data-status", "REJECTED", timeout=8_000)
    await expect(page.locator(".status-reason")).to_have_text(
        "Sorry: only 1 of “Floor Lamp” left (you asked for 2)."
    )
    assert visitor.problems.messages == []


async def test_the_journey_works_without_javascript(visitor_factory: OpenVisitor) -> None:
    visitor = await visitor_factory(javascript=False)
    page = visitor.page
    await visitor.goto("/")
    await _search_and_open_the_desk_lamp(page)
    await _add_to_cart_and_change_quantity(page)
    await _check_out(page)
    # No script polls here: the page refreshes itself (<noscript> meta refresh) until final.
    status = page.locator("#order-status")
    await expect(status).to_have_attribute("data-status", "CONFIRMED", timeout=8_000)
    assert visitor.problems.messages == []


async def test_search_filters_and_pages_keep_the_query_in_the_url(visitor: Visitor) -> None:
    page = visitor.page
    await visitor.goto("/search")
    await expect(page.locator(".result-count")).to_have_text("24 products · page 1 of 2")
    await page.get_by_role("link", name=re.compile("^Next")).click()
    await expect(page).to_have_url(re.compile(r"/search\?page=2$"))
    await expect(page.locator(".grid .card")).to_have_count(4)

    await page.get_by_label("Category").select_option("Lighting")
    await page.get_by_label("In stock only").check()
    await page.get_by_label("Sort by").select_option("price_desc")
    await page.get_by_role("button", name="Apply").click()
    await expect(page).to_have_url(re.compile(r"/search\?category=Lighting&in_stock=true"))
    # The script leaves empty filters out of the URL, so it stays readable and shareable.
    assert parse_qs(urlsplit(page.url).query) == {
        "category": ["Lighting"],
        "in_stock": ["true"],
        "sort": ["price_desc"],
    }
    names = await page.locator(".card-name").all_inner_texts()
    assert names[0] == "Candle Jar"  # the dearest lamp-ish thing first
    assert len(names) == 6
    assert visitor.problems.messages == []
