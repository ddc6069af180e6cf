"""Browsing pages, product pictures, search events, and what shoppers see when lookup fails."""

from __future__ import annotations

import html
import re
import time
from typing import Any
from urllib.parse import unquote_plus

import pytest
from aiohttp.test_utils import TestClient

from ecomm.core.contracts.events import EventType
from tests.integration.web.conftest import WebFactory
from tests.integration.web.storefront_fakes import FakeCatalog, FakePublisher
from tests.polling import eventually
from tests.ports import free_port

Client = TestClient[Any, Any]


def _closed_port_url() -> str:
    """A loopback URL where nothing listens: connections are refused at once."""
    return f"http://127.0.0.1:{free_port()}"


async def test_the_home_page_shows_categories_featured_products_and_trends(
    web_client: Client,
) -> None:
    page = await (await web_client.get("/")).text()
    assert 'href="/search?category=Lighting"' in page
    assert 'href="/search?q=lamp"' in page
    for landmark in ("<header", "<nav", "<main", "<footer"):
        assert landmark in page


def _shelf(page: str, title_id: str) -> list[str]:
    """The product ids a home page section shows, in order."""
    start = page.find(f'id="{title_id}"')
    if start < 0:
        return []
    section = page[start : page.find("</section>", start)]
    return re.findall(r'class="card-link" href="/products/([^"]+)"', section)


async def test_featured_products_take_the_categories_in_turns(
    web_client: Client, catalog: FakeCatalog
) -> None:
    featured = _shelf(await (await web_client.get("/")).text(), "featured-title")
    assert len(featured) == 12
    first_round = [catalog.products[p].category for p in featured[:4]]
    assert first_round == ["Books", "Garden", "Kitchen", "Lighting"]
    assert not set(featured) & {"p004", "p016"}  # sold out


async def test_best_sellers_appear_once_orders_confirmed(
    web_client: Client, catalog: FakeCatalog
) -> None:
    page = await (await web_client.get("/")).text()
    assert "Best sellers" not in page
    catalog.change("p010", sold=4)
    catalog.change("p003", sold=9)
    page = await (await web_client.get("/")).text()
    assert _shelf(page, "best-sellers-title") == ["p003", "p010"]


@pytest.mark.parametrize(
    ("trending", "headings"),
    [([], ["Try"]), (["lamp"], ["Trending", "Try"]), (["lamp", "kettle", "atlas"], ["Trending"])],
)
async def test_suggestions_fill_in_while_few_searches_trend(
    web_client: Client, catalog: FakeCatalog, trending: list[str], headings: list[str]
) -> None:
    catalog.trending = trending
    page = await (await web_client.get("/")).text()
    assert re.findall(r'<h2 class="inline-heading">(\w+)</h2>', page) == headings


async def test_every_search_the_home_page_suggests_finds_products(
    web_client: Client, catalog: FakeCatalog
) -> None:
    catalog.trending = []
    page = html.unescape(await (await web_client.get("/")).text())
    chips = re.findall(r'class="chip" href="/search\?q=([^"]+)"', page)
    placeholder = re.search(r'placeholder="Try “([^”]+)”"', page)
    assert placeholder is not None
    assert len(chips) >= 4
    assert set(placeholder.groups()) <= {unquote_plus(c) for c in chips}
    for suggestion in chips:
        found = await (await web_client.get(f"/search?q={suggestion}")).text()
        assert 'class="card"' in found, suggestion


async def test_home_still_works_when_trending_fails(
    web_client: Client, catalog: FakeCatalog
) -> None:
    catalog.trending_broken = True
    response = await web_client.get("/")
    assert response.status == 200
    assert "Trending" not in await response.text()


async def test_a_search_publishes_product_searched_in_the_background(
    web_client: Client, publisher: FakePublisher
) -> None:
    response = await web_client.get(
        "/search", params={"q": "lamp", "category": "Lighting", "in_stock": "true"}
    )
    assert response.status == 200
    await eventually(lambda: len(publisher.published) == 1, within=5)
    [event] = publisher.published
    assert event.type is EventType.PRODUCT_SEARCHED
    assert event.data == {
        "query": "lamp",
        "filters": {"category": "Lighting", "in_stock": "true"},
        "resultCount": 2,
        "searches": 1,
    }
    assert event.correlationId == response.headers["X-Request-ID"]
    await web_client.get("/search", params={"q": "well", "page": "2"})
    await web_client.get("/search", params={"q": "tent"})
    await eventually(lambda: len(publisher.published) == 2, within=5)
    # Turning a page is not a new search.
    assert [e.data["query"] for e in publisher.published] == ["lamp", "tent"]


async def test_results_paginate_and_links_keep_the_filters(web_client: Client) -> None:
    page = await (await web_client.get("/search?in_stock=true&sort=name")).text()
    assert "22 products · page 1 of 2" in page
    assert 'href="/search?in_stock=true&amp;sort=name&amp;page=2" rel="next"' in page


@pytest.mark.parametrize(
    ("query", "message"),
    [
        ("min_price=cheap", "The lowest price must be a number, like 25 or 9.99."),
        ("sort=random", "Please choose one of the offered sort orders."),
        ("page=0", "The page must be a number from 1 to 500."),
        ("min_price=9&max_price=1", "The highest price must not be below the lowest price."),
        ("q=" + "x" * 201, "Please shorten your search to 200 characters."),
    ],
)
async def test_a_mistyped_filter_is_named_beside_it_and_the_results_are_still_there(
    web_client: Client, query: str, message: str
) -> None:
    response = await web_client.get(f"/search?{query}")
    assert response.status == 200
    page = await response.text()
    assert 'class="field-error"' in page
    assert message in page
    assert 'class="card-link"' in page  # the search ran without the mistyped filter


async def test_a_results_page_lists_the_categories_from_one_call_to_lookup(
    web_client: Client, catalog: FakeCatalog
) -> None:
    asked = catalog.requests
    page = await (await web_client.get("/search?q=lamp&category=Lighting")).text()
    assert catalog.requests == asked + 1
    assert '<option value="Lighting" selected>Lighting (6)</option>' in page
    assert '<option value="Books">Books (6)</option>' in page


async def test_a_page_past_the_end_goes_to_the_last_page(web_client: Client) -> None:
    response = await web_client.get("/search?q=well&page=150", allow_redirects=False)
    assert response.status == 303
    assert response.headers["Location"] == "/search?q=well&page=2"
    page = await (await web_client.get("/search?q=well&page=150")).text()
    assert "page 2 of 2" in page
    assert "page 150" not in page


async def test_product_pictures_are_cacheable_svg(web_client: Client) -> None:
    response = await web_client.get("/images/p007.svg")
    assert response.status == 200
    assert response.content_type == "image/svg+xml"
    assert "max-age=" in response.headers["Cache-Control"]
    etag = response.headers["ETag"]
    assert b'aria-label="Desk Lamp, Lighting"' in await response.read()
    again = await web_client.get("/images/p007.svg", headers={"If-None-Match": etag})
    assert again.status == 304
    assert (await web_client.get("/images/nope.svg")).status == 404


async def test_a_picture_whose_url_carries_its_spec_needs_no_lookup(
    web_client: Client, catalog: FakeCatalog
) -> None:
    page = await web_client.get("/products/p007")
    src = re.search(r'<img[^>]+src="(/images/p007\.svg\?[^"]+)"', await page.text())
    assert src, "the product page links its picture with the spec in the URL"
    asked = catalog.requests
    response = await web_client.get(html.unescape(src.group(1)))
    assert response.status == 200
    assert b'aria-label="Desk Lamp, Lighting"' in await response.read()
    assert catalog.requests == asked


async def test_a_product_with_its_own_image_url_uses_it(
    web_client: Client, catalog: FakeCatalog
) -> None:
    catalog.change("p007", imageUrl="https://cdn.example.com/lamp.jpg")
    page = await (await web_client.get("/products/p007")).text()
    assert 'src="https://cdn.example.com/lamp.jpg" alt="Desk Lamp"' in page


async def test_lookup_down_gives_the_503_page_quickly(make_web: WebFactory) -> None:
    client = await make_web(lookup_url=_closed_port_url())
    started = time.monotonic()
    response = await client.get("/products/p001")
    assert time.monotonic() - started < 0.5
    assert response.status == 503
    assert "The shop is having trouble" in await response.text()
    assert response.headers["Retry-After"] == "5"


async def test_a_slow_lookup_gives_the_503_page_within_the_peer_timeout(
    make_web: WebFactory, catalog: FakeCatalog
) -> None:
    client = await make_web(peer_timeout=0.3)
    catalog.delay = 5.0
    started = time.monotonic()
    response = await client.get("/search?q=lamp")
    assert time.monotonic() - started < 1.0
    assert response.status == 503
    assert "The shop is having trouble" in await response.text()


async def test_a_failing_lookup_gives_the_503_page(
    web_client: Client, catalog: FakeCatalog
) -> None:
    catalog.broken = True
    response = await web_client.get("/")
    assert response.status == 503


async def test_probes_answer(web_client: Client) -> None:
    assert (await web_client.get("/healthz")).status == 200
    assert (await web_client.get("/readyz")).status == 200  # no checks registered in tests
    metrics = await (await web_client.get("/metrics")).text()
    assert "ecomm_http_request_duration_seconds" in metrics
