"""The search page's short-lived cache of rendered results, and searches summed into events."""

from __future__ import annotations

import asyncio
from typing import Any

from aiohttp.test_utils import TestClient

from ecomm.core.contracts.events import ProductSearchedData
from tests.integration.web.conftest import WebFactory
from tests.integration.web.storefront_fakes import FakeCatalog, FakePublisher
from tests.integration.web.web_forms import post_form

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
    first = await page(client, "/search?q=well")  # every product is "well made": two pages
    asked = catalog.requests
    assert asked == 2  # the results and the category list
    assert await page(client, "/search?q=well") == first
    spaced = await page(client, "/search?q=%20well%20")  # the same search, spaced out
    assert "Results for “well”" in spaced
    assert catalog.requests == asked
    await page(client, "/search?q=well&page=2")
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
    make_web: WebFactory, catalog: FakeCatalog
) -> None:
    client = await make_web(search_cache_seconds=60.0)
    await page(client, "/search?q=lamp")  # the results part is rendered and kept, cart empty
    await post_form(client, "/cart/items", {"product_id": "p007", "quantity": "2"})
    asked = catalog.requests
    text = await page(client, "/search?q=%20lamp%20")  # the same search, typed otherwise
    assert catalog.requests == asked  # the kept results were used
    assert 'aria-label="2 items"' in text  # this shopper's cart, not the one rendered with it
    assert 'id="site-search" type="search" name="q" value=" lamp "' in text  # as typed


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
    first = await client.get("/search?q=well")
    for path in ("/search?q=well", "/search?q=well", "/search?q=tent", "/search?q=well&page=2"):
        await page(client, path)
    assert publisher.later == []  # held for the window
    await client.close()  # stopping the role sends what the window holds
    searched = {}
    for event in publisher.later:
        data = event.payload()
        assert isinstance(data, ProductSearchedData)
        searched[data.query] = (data.searches, event.correlationId)
    assert searched == {
        "well": (3, first.headers["X-Request-ID"]),  # page 2 is not a new search
        "tent": (1, searched["tent"][1]),
    }
