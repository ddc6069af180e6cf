"""The lookup JSON API: thin views over the read model, trending and the Products table.

Searches, categories and trending are answered from memory; only a product's own page reads
the table, because that is where the shopper decides and the stock must be exact.
"""

from __future__ import annotations

from typing import Any, Protocol

from aiohttp import web

from ecomm.core.domain import Product, ProductNotFound, TransientError
from ecomm.core.http import json_error
from ecomm.roles.lookup.params import InvalidParameters, SearchParams
from ecomm.roles.lookup.readmodel import ReadModel
from ecomm.roles.lookup.search import search
from ecomm.roles.lookup.trending import Trending

MAX_PRODUCT_ID_LENGTH = 128
TRENDING_COUNT = 10


class ProductGetter(Protocol):
    async def get(self, product_id: str) -> Product: ...


model_key = web.AppKey("model", ReadModel)
trending_key = web.AppKey("trending", Trending)
products_key = web.AppKey("products", ProductGetter)


def product_json(product: Product) -> dict[str, Any]:
    return {
        "productID": product.productID,
        "name": product.name,
        "description": product.description,
        "category": product.category,
        "price": float(product.price),
        "stock": product.stock,
        "updatedAt": product.updatedAt,
        "imageUrl": product.imageUrl,
    }


def _ready_model(request: web.Request) -> ReadModel:
    model = request.app[model_key]
    if not model.ready.is_set():
        raise json_error(
            web.HTTPServiceUnavailable, "the catalog is still loading; try again in a moment"
        )
    return model


async def list_products(request: web.Request) -> web.Response:
    try:
        params = SearchParams.parse(request.query)
    except InvalidParameters as exc:
        raise json_error(web.HTTPBadRequest, str(exc)) from exc
    model = _ready_model(request)
    found = search(model.index, params.to_query())
    return web.json_response(
        {
            "items": [product_json(p) for p in found.items],
            "total": found.total,
            "page": params.page,
            "per_page": params.per_page,
        }
    )


async def product_detail(request: web.Request) -> web.Response:
    product_id = request.match_info["product_id"]
    if len(product_id) > MAX_PRODUCT_ID_LENGTH:
        raise json_error(
            web.HTTPBadRequest, f"a product id has at most {MAX_PRODUCT_ID_LENGTH} characters"
        )
    try:
        product = await request.app[products_key].get(product_id)
    except ProductNotFound as exc:
        raise json_error(web.HTTPNotFound, str(exc)) from exc
    except TransientError as exc:
        raise json_error(
            web.HTTPServiceUnavailable, "the catalog is not answering; try again in a moment"
        ) from exc
    return web.json_response(product_json(product))


async def list_categories(request: web.Request) -> web.Response:
    model = _ready_model(request)
    return web.json_response(
        {"categories": [{"name": n, "count": c} for n, c in model.index.categories()]}
    )


async def list_trending(request: web.Request) -> web.Response:
    top = request.app[trending_key].top(TRENDING_COUNT)
    return web.json_response({"items": [{"query": t.query, "score": t.score} for t in top]})


def add_routes(app: web.Application) -> None:
    app.router.add_get("/api/products", list_products)
    app.router.add_get("/api/products/{product_id}", product_detail)
    app.router.add_get("/api/categories", list_categories)
    app.router.add_get("/api/trending", list_trending)
