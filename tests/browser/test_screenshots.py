"""Screenshots of the main pages at laptop and phone widths, for the README and for review.

An ordinary test run takes them from the web role against the fakes (24 products) into a
temporary folder, so it stays quick and leaves the tree clean. `make screenshots`
(`ECOMM_SCREENSHOTS=1`) takes them from the real thing, the shop `make run` starts (its
launcher, the emulator, 2,000 generated products, the three roles, on free ports), into
`docs/screenshots/`: what a newcomer will see.
"""

from __future__ import annotations

import os
import re
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.async_api import Page, expect

from tests.browser.conftest import (
    DESKTOP,
    PHONE,
    SCREENSHOTS,
    OpenVisitor,
    fill_checkout,
    type_card,
)
from tests.polling import eventually
from tests.ports import free_port
from tests.stripe_cards import PAYS

pytestmark = [pytest.mark.browser, pytest.mark.asyncio(loop_scope="session")]

FOR_THE_README = os.environ.get("ECOMM_SCREENSHOTS") == "1"
PRODUCTS = 2000  # what `make run` seeds


@pytest.fixture(scope="module")
def local_shop(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """The shop `make run` starts, on free ports and a fresh data folder; its URL."""
    folder = tmp_path_factory.mktemp("local-shop")
    ports = {role: free_port() for role in ("web", "lookup", "order")}
    env = {**os.environ, "ECOMM_LOG_FORMAT": "json"}
    env |= {f"ECOMM_{role.upper()}_PORT": str(port) for role, port in ports.items()}
    for inherited in ("ECOMM_LOOKUP_URL", "ECOMM_ORDER_URL", "ECOMM_RESOURCE_PREFIX"):
        env.pop(inherited, None)
    log = folder / "shop.log"
    with log.open("wb") as out:
        launcher = subprocess.Popen(
            [
                *(sys.executable, "-m", "ecomm.emulator.local_shop"),
                *("--products", str(PRODUCTS), "--data", str(folder / "data")),
                *("--emulator-port", str(free_port())),
            ],
            env=env,
            stdout=out,
            stderr=subprocess.STDOUT,
        )
    try:
        deadline = time.monotonic() + 120
        while "ecomm is ready" not in log.read_text():
            assert launcher.poll() is None, log.read_text()[-2000:]
            assert time.monotonic() < deadline, "the local shop was not ready within 120 s"
            time.sleep(0.2)
        yield f"http://127.0.0.1:{ports['web']}"
    finally:
        launcher.send_signal(signal.SIGINT)
        launcher.wait(timeout=90)


@pytest.fixture
def shop_url(request: pytest.FixtureRequest) -> str:
    if FOR_THE_README:
        return str(request.getfixturevalue("local_shop"))
    return str(request.getfixturevalue("shop").url)


async def _page_is_complete(page: Page) -> None:
    """Every image decoded: a half-loaded grid makes a poor picture."""
    await page.wait_for_load_state("load")
    # Lazy images below the fold never load by themselves, and a full-page shot shows them.
    await page.evaluate("() => document.querySelectorAll('img').forEach(i => i.loading = 'eager')")
    # page.evaluate runs through DevTools, outside the page's CSP; wait_for_function would poll
    # a string with eval(), which the shop's CSP (rightly) forbids.
    await page.evaluate(
        "() => Promise.all(Array.from(document.images).map(i => i.decode().catch(() => null)))"
    )
    broken = await page.evaluate(
        "() => Array.from(document.images).filter(i => i.naturalWidth === 0).map(i => i.src)"
    )
    assert broken == [], f"images that did not load: {broken}"


@pytest.mark.parametrize(("label", "viewport"), [("desktop", DESKTOP), ("phone", PHONE)])
async def test_screenshots_of_the_main_pages(
    visitor_factory: OpenVisitor, tmp_path: Path, label: str, viewport: dict[str, int]
) -> None:
    folder = SCREENSHOTS if FOR_THE_README else tmp_path
    folder.mkdir(parents=True, exist_ok=True)
    visitor = await visitor_factory(viewport=viewport)
    page = visitor.page

    async def shoot(name: str, *, full_page: bool = False) -> None:
        await _page_is_complete(page)
        await page.screenshot(path=folder / f"{name}-{label}.png", full_page=full_page)

    await visitor.goto("/search?q=lamp&in_stock=true")
    await shoot("search")
    cards = page.locator(".card-link")
    await cards.nth(1).click()
    await shoot("product")
    await page.get_by_role("button", name="Add to cart").click()
    await visitor.goto("/search?q=lamp&in_stock=true")
    await cards.nth(0).click()
    await page.get_by_label("Quantity").fill("2")
    await page.get_by_role("button", name="Add to cart").click()
    await shoot("cart", full_page=True)
    await page.get_by_role("link", name="Check out").click()
    await fill_checkout(page, "Grace Hopper")
    paying = await page.locator("#card-element").count() > 0  # make run's shop takes cards
    if paying:
        await type_card(page, PAYS)
    await page.locator(":focus").blur()  # no focus ring in the picture
    await shoot("checkout", full_page=True)
    await page.get_by_role("button", name=re.compile("place order", re.IGNORECASE)).click()
    status = page.locator("#order-status")
    await expect(status).to_have_attribute("data-status", "CONFIRMED", timeout=20_000)
    if paying:
        paid = page.locator("[data-field=payment]")
        await expect(paid).to_contain_text("Paid", timeout=20_000)
    await shoot("order-status", full_page=True)
    await visitor.goto("/orders")
    await shoot("orders", full_page=True)

    # Last, so the home page shows best sellers: what was just ordered.
    async def best_sellers_shown() -> bool:
        await visitor.goto("/")
        return await page.get_by_role("heading", name="Best sellers").count() > 0

    await eventually(best_sellers_shown, within=20, every=0.3)
    await shoot("home", full_page=True)
    assert visitor.problems.messages == []
    assert len(list(folder.glob(f"*-{label}.png"))) == 7
