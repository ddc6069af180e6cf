"""Browsing: the home page, search results, product pages and product pictures."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Iterable
from typing import TypeVar

import structlog
from aiohttp import web

from ecomm.core.contracts.search import PER_PAGE
from ecomm.core.domain.assortment import kind_of
from ecomm.core.domain.products import Product
from ecomm.core.runtime.http import request_id_of
from ecomm.roles.web.keys import cookies_key, lookup_key, searches_key
from ecomm.roles.web.pages import product_id_of, render
from ecomm.roles.web.peers import PeerRefused, PeerUnavailable, first_failure
from ecomm.roles.web.product_images import ImageSpec, draw
from ecomm.roles.web.search_form import SearchForm, page_numbers

log = structlog.get_logger(__name__)
T = TypeVar("T")

SUGGESTIONS = 6
IMAGE_MAX_AGE = 24 * 3600


async def _nicety(what: Awaitable[list[T]], name: str) -> list[T]:
    # Trending searches and the shelves are niceties: the home page is still useful without
    # them (and a lookup one release behind, during a rolling deploy, may not serve them yet).
    try:
        return await what
    except (PeerUnavailable, PeerRefused) as exc:
        log.info("home_shelf_unavailable", shelf=name, error=str(exc))
        return []


def suggestions(products: Iterable[Product]) -> list[str]:
    """Searches worth trying: the kinds of product the shelves show ("desk lamp"), each of
    which finds at least the product it was taken from."""
    kinds = (kind_of(p.name, p.category) for p in products)
    return list(dict.fromkeys(k.lower() for k in kinds if k))[:SUGGESTIONS]


async def home(request: web.Request) -> web.Response:
    lookup = request.app[lookup_key]
    with first_failure():
        async with asyncio.TaskGroup() as group:
            listed = group.create_task(lookup.categories())
            featured = group.create_task(_nicety(lookup.featured(), "featured"))
            best = group.create_task(_nicety(lookup.best_sellers(), "best_sellers"))
            trending = group.create_task(_nicety(lookup.trending(), "trending"))
    context = {
        "categories": listed.result(),
        "featured": featured.result(),
        "best_sellers": best.result(),
        "trending": trending.result()[:10],
        "suggestions": suggestions(featured.result()),
    }
    return render(request, "home.html", context)


async def search(request: web.Request) -> web.Response:
    form = SearchForm.read(request.query)
    # A filter the shopper mistyped is named beside it, and the search runs without it.
    lookup = request.app[lookup_key]
    found = await lookup.search(form.lookup_params(), with_categories=True)
    last_page = max(1, -(-found.total // PER_PAGE))
    if form.page > last_page:
        # Past the end (an old link, a hand-edited URL): the last page there is.
        raise web.HTTPSeeOther(form.url(page=last_page))
    if form.page == 1:
        # Turning a page is not a new search; only the first page counts for trending.
        request.app[searches_key].record(
            form.q, form.filters(), found.total, request_id_of(request)
        )
    context = {
        "query": form,
        "problems": form.problems,
        "results": found.items,
        "total": found.total,
        "suggestion": found.suggestion,
        # A lookup one release behind (a rolling deploy) sends none: they cost a second call.
        "categories": found.categories
        if found.categories is not None
        else await lookup.categories(),
        "last_page": last_page,
        "pages": page_numbers(form.page, last_page),
    }
    return render(request, "search.html", context)


async def product_page(request: web.Request) -> web.Response:
    product = await request.app[lookup_key].product(product_id_of(request))
    context = {
        "product": product,
        "in_cart": request.app[cookies_key].cart_of(request).quantity_of(product.productID),
        "error": None,
        "quantity": "1",
    }
    return render(request, "product.html", context)


async def product_image(request: web.Request) -> web.StreamResponse:
    product_id = product_id_of(request)
    query = request.rel_url.query
    spec = ImageSpec.from_query(
        product_id, query.get("i", ""), query.get("c", ""), query.get("k", "")
    )
    if spec is None:
        spec = ImageSpec.of(await request.app[lookup_key].product(product_id))
    image = draw(spec)
    headers = {"ETag": image.etag, "Cache-Control": f"public, max-age={IMAGE_MAX_AGE}"}
    if image.etag in request.headers.get("If-None-Match", ""):
        return web.Response(status=304, headers=headers)
    return web.Response(body=image.svg, content_type="image/svg+xml", headers=headers)
