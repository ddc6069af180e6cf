"""A real headless Chromium against the web role, which runs against fake lookup and order services.

One browser per session (launching Chromium is the slow part); one fresh shop and one fresh
browser context per test. Every page's console errors and uncaught exceptions are collected,
and each test asserts there were none.
"""

from __future__ import annotations

import os
import shutil
from collections.abc import AsyncIterator, Awaitable, Callable
from dataclasses import dataclass, field
from pathlib import Path

import pytest
import pytest_asyncio
from aiohttp.test_utils import TestServer
from playwright.async_api import (
    Browser,
    BrowserContext,
    ConsoleMessage,
    Error,
    Page,
    async_playwright,
)

from ecomm.roles.web.app import WebDeps, create_app
from tests.integration.web.storefront_fakes import FakeCatalog, FakeOrderService, FakePublisher
from tests.integration.web.web_forms import make_settings

CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
DESKTOP = {"width": 1280, "height": 800}
PHONE = {"width": 390, "height": 844}
SCREENSHOTS = Path(__file__).resolve().parents[2] / "docs" / "screenshots"


def chromium_path() -> str:
    path = shutil.which("chromium")
    if path is None:
        message = "no Chromium found: apt-get install chromium"
        if os.environ.get("CI"):
            pytest.fail(message)
        pytest.skip(message)
    return path


@pytest_asyncio.fixture(scope="session", loop_scope="session")
async def browser() -> AsyncIterator[Browser]:
    executable = chromium_path()
    async with async_playwright() as playwright:
        chromium = await playwright.chromium.launch(executable_path=executable, args=CHROMIUM_ARGS)
        yield chromium
        await chromium.close()


@dataclass
class RunningShop:
    url: str
    catalog: FakeCatalog
    orders: FakeOrderService
    publisher: FakePublisher


@pytest_asyncio.fixture(loop_scope="session")
async def shop() -> AsyncIterator[RunningShop]:
    catalog = FakeCatalog()
    orders = FakeOrderService(catalog, processing_delay=0.8)
    publisher = FakePublisher(on_publish=orders.accept)
    lookup_server = TestServer(catalog.app(), host="127.0.0.1")
    order_server = TestServer(orders.app(), host="127.0.0.1")
    await lookup_server.start_server()
    await order_server.start_server()
    settings = make_settings(
        lookup_url=str(lookup_server.make_url("")).rstrip("/"),
        order_url=str(order_server.make_url("")).rstrip("/"),
        peer_timeout=2.0,
    )
    deps = WebDeps(publisher=publisher)
    web_server = TestServer(create_app(settings, deps), host="127.0.0.1")
    await web_server.start_server()
    yield RunningShop(str(web_server.make_url("")).rstrip("/"), catalog, orders, publisher)
    await web_server.close()
    await orders.close()
    await order_server.close()
    await lookup_server.close()


@dataclass
class PageProblems:
    """Console errors and uncaught exceptions, from every page of a browser context."""

    messages: list[str] = field(default_factory=list)

    def watch(self, page: Page) -> None:
        page.on("console", self._console)
        page.on("pageerror", self._page_error)

    def _console(self, message: ConsoleMessage) -> None:
        if message.type == "error":
            self.messages.append(f"console: {message.text} at {message.location}")

    def _page_error(self, error: Error) -> None:
        self.messages.append(f"pageerror: {error}")


@dataclass
class Visitor:
    """One shopper: a browser context (its own cookies), its first page, and what went wrong."""

    context: BrowserContext
    page: Page
    problems: PageProblems
    base_url: str

    async def goto(self, path: str) -> None:
        response = await self.page.goto(self.base_url + path)
        assert response is not None


OpenVisitor = Callable[..., Awaitable[Visitor]]


async def fill_checkout(page: Page, name: str = "Ada Lovelace") -> None:
    """The checkout form as a shopper fills it: who, and where to ship."""
    await page.get_by_label("Full name").fill(name)
    await page.get_by_label("Email").fill("ada@example.com")
    await page.get_by_label("Street address").fill("12 Analytical Row")
    await page.get_by_label("Town or city").fill("London")
    await page.get_by_label("Postal code").fill("N1 9GU")
    await page.get_by_label("Country").select_option("GB")


@pytest.fixture
def shop_url(shop: RunningShop) -> str:
    """Where the visitors go (a test module may send them elsewhere)."""
    return shop.url


@pytest_asyncio.fixture(loop_scope="session")
async def visitor_factory(browser: Browser, shop_url: str) -> AsyncIterator[OpenVisitor]:
    contexts: list[BrowserContext] = []

    async def open_visitor(
        *, javascript: bool = True, viewport: dict[str, int] | None = None
    ) -> Visitor:
        context = await browser.new_context(
            java_script_enabled=javascript,
            viewport=viewport or DESKTOP,  # type: ignore[arg-type]
            base_url=shop_url,
        )
        context.set_default_timeout(10_000)
        contexts.append(context)
        problems = PageProblems()
        page = await context.new_page()
        problems.watch(page)
        return Visitor(context, page, problems, shop_url)

    yield open_visitor
    for context in contexts:
        await context.close()


@pytest_asyncio.fixture(loop_scope="session")
async def visitor(visitor_factory: OpenVisitor) -> Visitor:
    return await visitor_factory()


async def type_card(page: Page, number: str) -> None:
    """Into the card element (localstripe's: plain inputs; Stripe's own would be a frame)."""
    card = page.locator("#card-element")
    await card.get_by_placeholder("number").fill(number)
    await card.get_by_placeholder("exp_month").fill("12")
    await card.get_by_placeholder("exp_year").fill("34")
    await card.get_by_placeholder("cvc").fill("123")
    await card.get_by_placeholder("postal_code").fill("10001")
