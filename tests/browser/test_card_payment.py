"""Paying by card in headless Chromium, against localstripe (its own process) and its stand-in
for Stripe.js: the shopper types a test card into the card element, pays, and sees the order
paid; a declined card shows the message and keeps the cart; without JavaScript the page says
card payment needs it."""

from __future__ import annotations

import re
from collections.abc import AsyncIterator

import pytest
import pytest_asyncio
from aiohttp.test_utils import TestServer
from playwright.async_api import Page, expect

from ecomm.core.domain.payments import DECLINED
from ecomm.core.runtime.metrics import Metrics
from ecomm.core.runtime.payments import open_payments
from ecomm.emulator.local_stripe import PUBLISHABLE_KEY, LocalStripe
from ecomm.roles.web.app import WebDeps, create_app
from tests.browser.conftest import OpenVisitor, RunningShop, Visitor, fill_checkout, type_card
from tests.integration.web.storefront_fakes import FakeCatalog, FakeOrderService, FakePublisher
from tests.integration.web.web_forms import make_settings
from tests.stripe_cards import DECLINES, PAYS, paying_settings

pytestmark = [pytest.mark.browser, pytest.mark.asyncio(loop_scope="session")]


@pytest_asyncio.fixture(loop_scope="session")
async def paying_shop(local_stripe: LocalStripe) -> AsyncIterator[RunningShop]:
    """Web with card payments on localstripe; the fake order service runs the real order
    handler, which captures on localstripe too."""
    paying = paying_settings(local_stripe, stripe_publishable_key=PUBLISHABLE_KEY)
    async with open_payments(make_settings(**paying), Metrics("test")) as payments:
        catalog = FakeCatalog()
        orders = FakeOrderService(catalog, processing_delay=0.3, payments=payments)
        publisher = FakePublisher(on_publish=orders.accept)
        async with (
            TestServer(catalog.app(), host="127.0.0.1") as lookup,
            TestServer(orders.app(), host="127.0.0.1") as order,
        ):
            settings = make_settings(
                lookup_url=str(lookup.make_url("")).rstrip("/"),
                order_url=str(order.make_url("")).rstrip("/"),
                peer_timeout=2.0,
                **paying,
            )
            app = create_app(settings, WebDeps(publisher=publisher, payments=payments))
            async with TestServer(app, host="127.0.0.1") as web:
                yield RunningShop(str(web.make_url("")).rstrip("/"), catalog, orders, publisher)
            await orders.close()


@pytest.fixture
def shop_url(paying_shop: RunningShop) -> str:
    return paying_shop.url


async def _to_checkout(visitor: Visitor) -> Page:
    page = visitor.page
    await visitor.goto("/products/p007")
    await page.get_by_role("button", name="Add to cart").click()
    await expect(page).to_have_url(re.compile(r"/cart\?added=p007$"))
    await page.get_by_role("link", name="Check out").click()
    await expect(page.get_by_role("heading", level=1)).to_have_text("Checkout")
    await fill_checkout(page)
    return page


async def test_a_shopper_types_a_test_card_pays_and_sees_the_order_paid(
    visitor: Visitor, paying_shop: RunningShop
) -> None:
    page = await _to_checkout(visitor)
    await expect(page.get_by_text("Card payment needs JavaScript")).to_be_hidden()
    await type_card(page, PAYS)
    await page.get_by_role("button", name=re.compile("Pay and place order")).click()
    await expect(page).to_have_url(re.compile(r"/orders/[0-9a-f]{32}$"))
    status = page.locator("#order-status")
    await expect(status).to_have_attribute("data-status", "CONFIRMED", timeout=15_000)
    await expect(page.locator("[data-field=payment]")).to_contain_text(
        "Paid · Visa ending 4242", timeout=15_000
    )
    order_id = page.url.rsplit("/", 1)[1]
    payment = paying_shop.orders.orders[order_id].payment
    assert payment is not None
    assert (payment.status.value, payment.amount) == ("paid", 2699 + 499)  # $26.99 + shipping
    assert visitor.problems.messages == []


async def test_a_declined_card_shows_the_message_and_keeps_the_cart(
    visitor: Visitor, paying_shop: RunningShop
) -> None:
    page = await _to_checkout(visitor)
    await type_card(page, DECLINES)
    await page.get_by_role("button", name=re.compile("Pay and place order")).click()
    await expect(page.get_by_text(DECLINED)).to_be_visible()
    await expect(page).to_have_url(re.compile(r"/checkout$"))
    assert paying_shop.orders.orders == {}
    await expect(page.locator(".cart-count")).to_have_text("1")
    await visitor.goto("/cart")
    await expect(page.get_by_label("Quantity of Desk Lamp")).to_have_value("1")
    # The server answered 402 for the declined card: Chromium reports that status on the console.
    assert [m for m in visitor.problems.messages if "402" not in m] == []


async def test_without_javascript_the_checkout_says_card_payment_needs_it(
    visitor_factory: OpenVisitor,
) -> None:
    visitor = await visitor_factory(javascript=False)
    page = await _to_checkout(visitor)
    await expect(page.get_by_text("Card payment needs JavaScript")).to_be_visible()
    await page.get_by_role("button", name=re.compile("Pay and place order")).click()
    await expect(page.get_by_text("card payment needs JavaScript turned on")).to_be_visible()
    await expect(page.locator(".cart-count")).to_have_text("1")
