"""Searches summed into ProductSearched events over one window, and what a page shows fresh."""

from __future__ import annotations

from typing import Any

from aiohttp.test_utils import TestClient

from ecomm.core.contracts.events import ProductSearchedData
from tests.integration.web.conftest import WebFactory
from tests.integration.web.storefront_fakes import FakeCatalog, FakePublisher

Client = TestClient[Any, Any]


async def page(client: Client, path: str) -> str:
    response = await client.get(path)
    assert response.status == 200
    return await response.text()


async def test_searches_in_a_window_leave_as_one_event_per_query(
    make_web: WebFactory, publisher: FakePublisher
) -> None:
    client = await make_web(search_event_window=60.0)
    first = await client.get("/search?q=well")
    for path in ("/search?q=well", "/search?q=well", "/search?q=tent", "/search?q=well&page=2"):
        await page(client, path)
    assert publisher.published == []  # held for the window
    await client.close()  # stopping the role sends what the window holds
    searched = {}
    for event in publisher.published:
        data = event.payload()
        assert isinstance(data, ProductSearchedData)
        searched[data.query] = (data.searches, event.correlationId)
    assert searched == {
        "well": (3, first.headers["X-Request-ID"]),  # page 2 is not a new search
        "tent": (1, searched["tent"][1]),
    }


async def test_a_search_page_shows_the_stock_lookup_has_now(
    make_web: WebFactory, catalog: FakeCatalog
) -> None:
    client = await make_web()
    assert "Only 3 left" in await page(client, "/search?q=floor+lamp")
    catalog.set_stock("p009", 1)
    assert "Only 1 left" in await page(client, "/search?q=floor+lamp")


async def test_a_search_that_found_nothing_links_to_the_suggested_words(
    make_web: WebFactory,
) -> None:
    client = await make_web()
    text = await page(client, "/search?q=hamok&in_stock=true")
    assert "No products match “hamok”" in text
    assert 'Did you mean <a href="/search?q=hammock&amp;in_stock=true">hammock</a>?' in text
    assert "Hammock" in await page(client, "/search?q=hammock&in_stock=true")
