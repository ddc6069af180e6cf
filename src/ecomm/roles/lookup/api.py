"""The lookup JSON API: thin views over the read model and trending, all from memory.

Searches, categories, a product's own answer and `?ids=` (a cart's lines) read no table: they
show the read model, which events keep within a bounded lag of the table (see `readmodel.py`).
A shopper may see a price or stock a moment old; the order transaction's conditions on stock
and price decide, and reject an order that relied on a stale one.

A search is the hot path: a repeated query string skips validation, a repeated query skips
ranking, and the body is joined from bytes kept per product (see `results.py`).
"""

from __future__ import annotations

from aiohttp import web

from ecomm.core.contracts.identifiers import MAX_ID_LENGTH, is_product_id
from ecomm.core.contracts.products import InvalidIds, items_json, product_json, read_ids
from ecomm.core.contracts.search import read_search
from ecomm.core.domain.search import SearchQuery
from ecomm.core.runtime.http import json_error
from ecomm.core.runtime.lru import Lru
from ecomm.roles.lookup.index import SearchIndex
from ecomm.roles.lookup.readmodel import ReadModel
from ecomm.roles.lookup.results import SearchResults
from ecomm.roles.lookup.showcase import Featured, best_sellers
from ecomm.roles.lookup.trending import Trending

TRENDING_COUNT = 10
QUERY_STRINGS_KEPT = 4096
# Longer query strings are parsed every time: a kept one costs its length, up to 32 KB.
MAX_KEPT_QUERY_STRING = 512


class SearchCaches:
    """One app's kept searches: `queries` by raw query string, `results` by the model's index.

    `hits` and `misses` count query strings; `results` counts its own.
    """

    def __init__(self) -> None:
        self.queries: Lru[str, SearchQuery] = Lru(QUERY_STRINGS_KEPT)
        self.hits = 0
        self.misses = 0
        self._results: SearchResults | None = None

    def query_stats(self) -> dict[str, int]:
        return {"hit": self.hits, "miss": self.misses}

    def page_stats(self) -> dict[str, int]:
        pages = self._results
        return {"hit": 0, "miss": 0} if pages is None else {"hit": pages.hits, "miss": pages.misses}

    def results(self, index: SearchIndex) -> SearchResults:
        if self._results is None or self._results.index is not index:
            self._results = SearchResults(index)
        return self._results

    def query(self, request: web.Request) -> SearchQuery:
        """The request's validated query; a JSON 400 naming the problems (never kept)."""
        raw = request.rel_url.raw_query_string
        query = self.queries.get(raw)
        if query is not None:
            self.hits += 1
            return query
        self.misses += 1
        read = read_search(request.query)
        if read.problems:
            raise json_error(web.HTTPBadRequest, read.message())
        query = read.query
        if len(raw) <= MAX_KEPT_QUERY_STRING:
            self.queries.put(raw, query)
        return query


model_key = web.AppKey("model", ReadModel)
trending_key = web.AppKey("trending", Trending)
caches_key = web.AppKey("search_caches", SearchCaches)
featured_key = web.AppKey("featured", Featured)


def _ready_model(request: web.Request) -> ReadModel:
    model = request.app[model_key]
    if not model.ready.is_set():
        raise json_error(
            web.HTTPServiceUnavailable, "the catalog is still loading; try again in a moment"
        )
    return model


async def list_products(request: web.Request) -> web.Response:
    if "ids" in request.query:
        return await products_by_id(request, request.query["ids"])
    caches = request.app[caches_key]
    query = caches.query(request)
    body = caches.results(_ready_model(request).index).page_json(query)
    return web.Response(body=body, content_type="application/json")


async def products_by_id(request: web.Request, ids: str) -> web.Response:
    """`?ids=a,b,c`: those products as the read model holds them; unknown ids are left out.
    A cart's lines, a checkout's, an order's."""
    try:
        wanted = read_ids(ids)
    except InvalidIds as exc:
        raise json_error(web.HTTPBadRequest, str(exc)) from exc
    model = _ready_model(request)
    items = [product_json(p) for p in map(model.product, wanted) if p is not None]
    return web.Response(body=items_json(items), content_type="application/json")


async def product_detail(request: web.Request) -> web.Response:
    product_id = request.match_info["product_id"]
    if not is_product_id(product_id):
        raise json_error(
            web.HTTPBadRequest,
            f"a product id is 1 to {MAX_ID_LENGTH} letters, digits, '.', '_' or '-'",
        )
    product = _ready_model(request).product(product_id)
    if product is None:
        raise json_error(web.HTTPNotFound, f"no product {product_id!r}")
    return web.Response(body=product_json(product), content_type="application/json")


async def list_categories(request: web.Request) -> web.Response:
    caches = request.app[caches_key]
    body = caches.results(_ready_model(request).index).categories_json()
    return web.Response(body=body, content_type="application/json")


async def list_featured(request: web.Request) -> web.Response:
    """`{"items": [...]}`: in-stock products across the categories (see `showcase.py`)."""
    found = request.app[featured_key].products(_ready_model(request).index)
    return web.Response(
        body=items_json([product_json(p) for p in found]), content_type="application/json"
    )


async def list_best_sellers(request: web.Request) -> web.Response:
    """`{"items": [...]}`: the in-stock products that sold most, none before anything sold."""
    model = _ready_model(request)
    found = best_sellers(model.sales, model.index)
    return web.Response(
        body=items_json([product_json(p) for p in found]), content_type="application/json"
    )


async def list_trending(request: web.Request) -> web.Response:
    top = request.app[trending_key].top(TRENDING_COUNT)
    return web.json_response({"items": [{"query": t.query, "score": t.score} for t in top]})


def add_routes(app: web.Application) -> None:
    app[caches_key] = SearchCaches()
    app[featured_key] = Featured()
    app.router.add_get("/api/products", list_products)
    app.router.add_get("/api/products/{product_id}", product_detail)
    app.router.add_get("/api/categories", list_categories)
    app.router.add_get("/api/trending", list_trending)
    app.router.add_get("/api/featured", list_featured)
    app.router.add_get("/api/bestsellers", list_best_sellers)
