"""Screenshots of the main pages at laptop and phone widths, for the README and for review.

They are written to `docs/screenshots/` when `ECOMM_SCREENSHOTS=1` (to refresh the committed
ones), and to a temporary folder otherwise, so an ordinary test run leaves the tree clean.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from playwright.async_api import Page, expect

from tests.browser.conftest import DESKTOP, PHONE, SCREENSHOTS, OpenVisitor, fill_checkout

pytestmark = [pytest.mark.browser, pytest.mark.asyncio(loop_scope="session")]


async def _page_is_complete(page: Page) -> None:
    """Every image decoded: a half-loaded grid makes a poor picture."""
    await page.wait_for_load_state("load")
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
    folder = SCREENSHOTS if os.environ.get("ECOMM_SCREENSHOTS") == "1" else tmp_path
    folder.mkdir(parents=True, exist_ok=True)
    visitor = await visitor_factory(viewport=viewport)
    page = visitor.page

    async def shoot(name: str, *, full_page: bool = False) -> None:
        await _page_is_complete(page)
        await page.screenshot(path=folder / f"{name}-{label}.png", full_page=full_page)

    await visitor.goto("/")
    await shoot("home")
    await visitor.goto("/search?q=lamp&sort=price_asc")
    await visitor.goto("/search?category=Lighting")
    await shoot("search")
    await visitor.goto("/products/p009")
    await shoot("product")
    await page.get_by_label("Quantity").fill("2")
    await page.get_by_role("button", name="Add to cart").click()
    await visitor.goto("/products/p007")
    await page.get_by_role("button", name="Add to cart").click()
    await shoot("cart", full_page=True)
    await page.get_by_role("link", name="Check out").click()
    await fill_checkout(page, "Grace Hopper")
    await page.get_by_role("button", name="Place order").click()
    status = page.locator("#order-status")
    await expect(status).to_have_attribute("data-status", "CONFIRMED", timeout=8_000)
    await shoot("order-status", full_page=True)
    assert visitor.problems.messages == []
    assert len(list(folder.glob(f"*-{label}.png"))) == 5
