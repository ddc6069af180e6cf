"""The search page's short-lived cache of rendered results, and searches summed into events."""

from __future__ import annotations

import asyncio
from typing import Any

from aiohttp.test_utils import TestClient

from ecomm.core.contracts.events import ProductSearchedData
from tests.integration.web.conftest import WebFactory
from tests.integration.web.storefront_fakes import FakeCatalog, FakePublisher

Client = TestClient[Any, Any]


class Clock:
    def __init__(self) -> None:
        self.now = 1_000.0

    def __call__(self) -> float:
        return self.now


async def page(client: Client, path: str) -> str:
    response = await client.get(path)
    assert response.status == 200
    return await response.text()


async def test_a_repeated_search_is_answered_without_asking_lookup_again(
    make_web: WebFactory, catalog: FakeCatalog
) -> None:
    clock = Clock()
    client = await make_web(clock=clock, search_cache_seconds=2.0)
    first = await page(client, "/search?q=lamp")
    asked = catalog.requests
    assert asked == 2  # the results and the category list
    assert await page(client, "/search?q=lamp") == first
    spaced = await page(client, "/search?q=%20lamp%20")  # the same search, spaced out
    assert "Results for “lamp”" in spaced
    assert catalog.requests == asked
    await page(client, "/search?q=lamp&page=2")
    assert catalog.requests == asked + 1  # another page is another search; categories are kept
    scraped = await (await client.get("/metrics")).text()
    assert 'ecomm_cache_lookups_total{cache="search_pages",result="hit"} 2.0' in scraped
    assert 'ecomm_cache_lookups_total{cache="search_pages",result="miss"} 2.0' in scraped


async def test_a_cached_result_list_lasts_its_ttl_and_the_product_page_is_always_fresh(
    make_web: WebFactory, catalog: FakeCatalog
) -> None:
    clock = Clock()
    client = await make_web(clock=clock, search_cache_seconds=2.0)
    assert "Only 3 left" in await page(client, "/search?q=floor+lamp")
    catalog.set_stock("p009", 1)
    assert "Only 1 left" in await page(client, "/products/p009")
    assert "Only 3 left" in await page(client, "/search?q=floor+lamp")  # within the 2 s
    clock.now += 2.1
    assert "Only 1 left" in await page(client, "/search?q=floor+lamp")


async def test_the_header_stays_the_shoppers_own_on_a_cached_page(
    make_web: WebFactory,
) -> None:
    client = await make_web(search_cache_seconds=60.0)
    await page(client, "/search?q=lamp")
    response = await client.post("/cart/items", data={"productID": "p007", "quantity": "2"})
    assert response.status in (400, 403)  # no CSRF token: refused, and the cart is unchanged
    text = await page(client, "/search?q=lamp")
    assert 'aria-label="0 items"' in text
    assert 'value="lamp"' in text  # the header's search box shows this shopper's query


async def test_many_shoppers_asking_the_same_new_search_cost_one_lookup_call(
    make_web: WebFactory, catalog: FakeCatalog
) -> None:
    client = await make_web(search_cache_seconds=2.0)
    catalog.delay = 0.1
    pages = await asyncio.gather(*(page(client, "/search?q=kettle") for _ in range(10)))
    assert len(set(pages)) == 1
    assert catalog.requests == 2  # one search and one category list for all ten


async def test_a_failed_search_is_not_cached(make_web: WebFactory, catalog: FakeCatalog) -> None:
    client = await make_web(search_cache_seconds=60.0)
    catalog.broken = True
    assert (await client.get("/search?q=lamp")).status == 503
    catalog.broken = False
    assert "Desk Lamp" in await page(client, "/search?q=lamp")


async def test_searches_in_a_window_leave_as_one_event_per_query(
    make_web: WebFactory, publisher: FakePublisher
) -> None:
    client = await make_web(search_event_window=60.0, search_cache_seconds=2.0)
    first = await client.get("/search?q=lamp")
    for path in ("/search?q=lamp", "/search?q=lamp", "/search?q=tent", "/search?q=lamp&page=2"):
        await page(client, path)
    assert publisher.later == []  # held for the window
    await client.close()  # stopping the role sends what the window holds
    searched = {}
    for event in publisher.later:
        data = event.payload()
        assert isinstance(data, ProductSearchedData)
        searched[data.query] = (data.searches, event.correlationId)
    assert searched == {
        "lamp": (3, first.headers["X-Request-ID"]),  # page 2 is not a new search
        "tent": (1, searched["tent"][1]),
    }
