"""Every page has landmarks, labelled fields, named buttons and alt text, and works by keyboard."""

from __future__ import annotations

import pytest
from playwright.async_api import expect

from tests.browser.conftest import OpenVisitor, Visitor

pytestmark = [pytest.mark.browser, pytest.mark.asyncio(loop_scope="session")]

# Runs in the page: what a screen reader user would miss.
AUDIT = """() => {
  const problems = [];
  for (const tag of ["header", "nav", "main", "footer"]) {
    if (!document.querySelector(tag)) problems.push("no <" + tag + ">");
  }
  if (!document.querySelector("h1")) problems.push("no <h1>");
  if (!document.documentElement.lang) problems.push("no lang");
  for (const field of document.querySelectorAll("input:not([type=hidden]), select, textarea")) {
    const named = field.labels.length > 0 || field.getAttribute("aria-label");
    if (!named) problems.push("unlabelled field " + (field.name || field.id));
  }
  for (const button of document.querySelectorAll("button, a.button")) {
    if (!button.textContent.trim() && !button.getAttribute("aria-label")) {
      problems.push("unnamed button " + button.outerHTML.slice(0, 80));
    }
  }
  for (const img of document.querySelectorAll("img")) {
    if (!img.hasAttribute("alt")) problems.push("no alt on " + img.src);
  }
  const ids = [...document.querySelectorAll("[id]")].map(e => e.id);
  const dupes = ids.filter((id, i) => ids.indexOf(id) !== i);
  if (dupes.length) problems.push("duplicate ids " + dupes.join(","));
  return problems;
}"""


async def test_every_page_passes_the_basic_audit(visitor: Visitor) -> None:
    page = visitor.page
    await visitor.goto("/products/p007")
    await page.get_by_role("button", name="Add to cart").click()
    pages = [
        "/",
        "/search?q=lamp",
        "/search?category=Books&page=1",
        "/products/p007",
        "/products/p004",
        "/cart",
        "/checkout",
        "/orders",
    ]
    for path in pages:
        await visitor.goto(path)
        assert await page.evaluate(AUDIT) == [], path
    assert visitor.problems.messages == []
    await visitor.goto("/no-such-page")
    assert await page.evaluate(AUDIT) == []
    # The browser reports the 404 status itself, and nothing else.
    [message] = visitor.problems.messages
    assert "status of 404" in message


async def test_the_skip_link_is_the_first_stop_and_leads_to_the_content(
    visitor_factory: OpenVisitor,
) -> None:
    visitor = await visitor_factory(javascript=False)
    page = visitor.page
    await visitor.goto("/")
    await page.keyboard.press("Tab")
    skip = page.get_by_role("link", name="Skip to content")
    await expect(skip).to_be_focused()
    await page.keyboard.press("Enter")
    await expect(page).to_have_url(visitor.base_url + "/#main")


async def test_a_product_can_be_added_by_keyboard_alone(visitor: Visitor) -> None:
    page = visitor.page
    await visitor.goto("/products/p007")
    await page.get_by_label("Quantity").focus()
    await page.keyboard.press("ArrowUp")  # 1 -> 2
    await page.keyboard.press("Tab")
    await expect(page.get_by_role("button", name="Add to cart")).to_be_focused()
    await page.keyboard.press("Enter")
    await expect(page.get_by_label("Quantity of Desk Lamp")).to_have_value("2")
    assert visitor.problems.messages == []
