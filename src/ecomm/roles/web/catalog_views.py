"""Browsing: the home page, search results, product pages and product pictures."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Iterable
from typing import TypeVar

import aiohttp_jinja2
import structlog
from aiohttp import web
from markupsafe import Markup

from ecomm.core.contracts.search import PER_PAGE
from ecomm.core.domain.assortment import kind_of
from ecomm.core.domain.products import Product
from ecomm.core.runtime.http import request_id_of
from ecomm.roles.web.keys import (
    categories_key,
    cookies_key,
    lookup_key,
    search_pages_key,
    searches_key,
)
from ecomm.roles.web.pages import product_id_of, render
from ecomm.roles.web.peers import Category, PeerRefused, PeerUnavailable, first_failure
from ecomm.roles.web.product_images import ImageSpec, draw
from ecomm.roles.web.search_cache import RenderedSearch
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


async def categories(app: web.Application) -> list[Category]:
    """The category list, as every page shows it (kept briefly: it changes seldom)."""
    return await app[categories_key].get("all", lambda _: app[lookup_key].categories())


def suggestions(products: Iterable[Product]) -> list[str]:
    """Searches worth trying: the kinds of product the shelves show ("desk lamp"), each of
    which finds at least the product it was taken from."""
    kinds = (kind_of(p.name, p.category) for p in products)
    return list(dict.fromkeys(k.lower() for k in kinds if k))[:SUGGESTIONS]


async def home(request: web.Request) -> web.Response:
    lookup = request.app[lookup_key]
    with first_failure():
        async with asyncio.TaskGroup() as group:
            listed = group.create_task(categories(request.app))
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
    app = request.app  # the load may outlive this request: it renews a shared entry
    if form.problems:
        # A filter the shopper mistyped is named beside it, and the search runs without it;
        # such a page shows what was typed, so it is rendered for this request alone.
        found = await _results(app, form, None)
    else:
        found = await app[search_pages_key].get(form.key(), lambda kept: _results(app, form, kept))
    if form.page > found.last_page:
        # Past the end (an old link, a hand-edited URL): the last page there is.
        raise web.HTTPSeeOther(form.url(page=found.last_page))
    if form.page == 1:
        # Turning a page is not a new search; only the first page counts for trending.
        app[searches_key].record(form.q, form.filters(), found.total, request_id_of(request))
    return render(request, "search.html", {"query": form, "content": found.content})


async def _results(
    app: web.Application, form: SearchForm, kept: RenderedSearch | None
) -> RenderedSearch:
    """The filters and results part of a search page: what every shopper asking it sees.

    `kept` is the rendering this one replaces: when lookup answers the same bytes and the
    category list is the same, it is still right, and rendering it again would be wasted.
    """
    lookup = app[lookup_key]
    with first_failure():
        async with asyncio.TaskGroup() as group:
            listed = group.create_task(categories(app))
            answer = group.create_task(lookup.search_answer(form.lookup_params()))
    if kept is not None and kept.answer == answer.result() and kept.categories is listed.result():
        return kept
    found = lookup.search_page(answer.result())
    last_page = max(1, -(-found.total // PER_PAGE))
    context = {
        "query": form,
        "problems": form.problems,
        "results": found.items,
        "total": found.total,
        "categories": listed.result(),
        "last_page": last_page,
        "pages": page_numbers(form.page, last_page),
    }
    template = aiohttp_jinja2.get_env(app).get_template("_search_results.html")
    content = Markup(template.render(context))  # noqa: S704 - autoescaped by the environment
    return RenderedSearch(content, found.total, last_page, answer.result(), listed.result())


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
