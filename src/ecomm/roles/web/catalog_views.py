"""Browsing: the home page, search results, product pages and product pictures."""

from __future__ import annotations

import asyncio

import aiohttp_jinja2
import structlog
from aiohttp import web
from markupsafe import Markup

from ecomm.core.http import request_id_of
from ecomm.roles.web.pages import product_id_of, render
from ecomm.roles.web.peers import LookupClient, PeerUnavailable, first_failure
from ecomm.roles.web.product_images import ImageSpec, draw
from ecomm.roles.web.search_query import PER_PAGE, BadSearch, SearchQuery, page_numbers
from ecomm.roles.web.shop import RenderedSearch, shop_key

log = structlog.get_logger(__name__)

FEATURED = 8
IMAGE_MAX_AGE = 24 * 3600


async def _trending(lookup: LookupClient) -> list[str]:
    # Trending searches are a nicety: the home page is still useful without them.
    try:
        return await lookup.trending()
    except PeerUnavailable as exc:
        log.info("trending_unavailable", error=str(exc))
        return []


async def home(request: web.Request) -> web.Response:
    lookup = request.app[shop_key].lookup
    featured_query = {"in_stock": "true", "per_page": str(FEATURED), "sort": "relevance"}
    with first_failure():
        async with asyncio.TaskGroup() as group:
            categories = group.create_task(request.app[shop_key].categories())
            featured = group.create_task(lookup.search(featured_query))
            trending = group.create_task(_trending(lookup))
    context = {
        "categories": categories.result(),
        "featured": featured.result().items,
        "trending": trending.result()[:10],
    }
    return render(request, "home.html", context)


async def search(request: web.Request) -> web.Response:
    shop = request.app[shop_key]
    try:
        query = SearchQuery.parse(request.query)
    except BadSearch as exc:
        raise web.HTTPBadRequest(text=str(exc)) from exc
    app = request.app  # the load may outlive this request: it renews a shared entry
    found = await shop.search_pages.get(query.key(), lambda kept: _results(app, query, kept))
    if query.page == 1:
        # Turning a page is not a new search; only the first page counts for trending.
        shop.searches.record(query.q, query.filters(), found.total, request_id_of(request))
    return render(request, "search.html", {"query": query, "content": found.content})


async def _results(
    app: web.Application, query: SearchQuery, kept: RenderedSearch | None
) -> RenderedSearch:
    """The filters and results part of a search page: what every shopper asking it sees.

    `kept` is the rendering this one replaces: when lookup answers the same bytes and the
    category list is the same, it is still right, and rendering it again would be wasted.
    """
    shop = app[shop_key]
    with first_failure():
        async with asyncio.TaskGroup() as group:
            categories = group.create_task(shop.categories())
            answer = group.create_task(shop.lookup.search_answer(query.lookup_params()))
    if (
        kept is not None
        and kept.answer == answer.result()
        and kept.categories is categories.result()
    ):
        return kept
    found = shop.lookup.search_page(answer.result())
    last_page = max(1, -(-found.total // PER_PAGE))
    context = {
        "query": query,
        "results": found.items,
        "total": found.total,
        "categories": categories.result(),
        "last_page": last_page,
        "pages": page_numbers(query.page, last_page),
    }
    template = aiohttp_jinja2.get_env(app).get_template("_search_results.html")
    content = Markup(template.render(context))  # noqa: S704 - autoescaped by the environment
    return RenderedSearch(content, found.total, answer.result(), categories.result())


async def product_page(request: web.Request) -> web.Response:
    shop = request.app[shop_key]
    product = await shop.lookup.product(product_id_of(request))
    context = {
        "product": product,
        "in_cart": shop.cart_of(request).quantity_of(product.productID),
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
        spec = ImageSpec.of(await request.app[shop_key].lookup.product(product_id))
    image = draw(spec)
    headers = {"ETag": image.etag, "Cache-Control": f"public, max-age={IMAGE_MAX_AGE}"}
    if image.etag in request.headers.get("If-None-Match", ""):
        return web.Response(status=304, headers=headers)
    return web.Response(body=image.svg, content_type="image/svg+xml", headers=headers)
