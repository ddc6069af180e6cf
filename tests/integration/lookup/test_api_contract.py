"""The lookup API's contract with the web role, served on 127.0.0.1 over fakes (no emulator)."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator

import pytest

from ecomm.core.runtime.metrics import Metrics
from ecomm.roles.lookup.app import create_app
from ecomm.roles.lookup.readmodel import ReadModel
from ecomm.roles.lookup.sync import CatalogSync
from ecomm.roles.lookup.trending import Trending
from tests.integration.lookup.conftest import Client, client_for
from tests.polling import eventually
from tests.unit.lookup.catalogs import product, ready_model
from tests.unit.lookup.fakes import FakeTable

CATALOG = [
    product("P1", "Wireless Headphones", price="199.99", stock=3),
    product("P2", "Studio Speaker", price="89.50", stock=0),
    product("P3", "Oak Kettle", category="Home & Kitchen", price="45.00", stock=7),
]


@pytest.fixture
async def client() -> AsyncIterator[Client]:
    trending = Trending(min_score=0, recompute_every=0)
    for query in ("kettle", "Kettle", "headphones"):
        trending.record(query)
    app = create_app(
        model=ready_model(CATALOG),
        trending=trending,
        products=FakeTable(CATALOG),
        metrics=Metrics("lookup"),
    )
    async with client_for(app) as client:
        yield client


async def test_a_search_page_has_items_total_page_and_per_page(client: Client) -> None:
    answer = await client.get("/api/products?q=headphones&per_page=1")
    assert answer.status == 200
    assert await answer.json() == {
        "items": [
            {
                "productID": "P1",
                "name": "Wireless Headphones",
                "description": "",
                "category": "Audio",
                "price": 199.99,
                "stock": 3,
                "updatedAt": "2026-01-01T00:00:00.000Z",
                "imageUrl": None,
            }
        ],
        "total": 1,
        "page": 1,
        "per_page": 1,
    }


async def test_filters_and_sorts_arrive_as_query_parameters(client: Client) -> None:
    answer = await client.get(
        "/api/products", params={"in_stock": "true", "max_price": "100", "sort": "price_desc"}
    )
    assert [i["productID"] for i in (await answer.json())["items"]] == ["P3"]


async def test_a_product_is_read_by_its_id(client: Client) -> None:
    answer = await client.get("/api/products/P3")
    assert (await answer.json())["name"] == "Oak Kettle"


async def test_an_unknown_product_is_a_json_404(client: Client) -> None:
    answer = await client.get("/api/products/P999")
    assert answer.status == 404
    assert (await answer.json()) == {"error": "no product 'P999'"}


async def test_categories_and_trending(client: Client) -> None:
    categories = await (await client.get("/api/categories")).json()
    assert categories == {
        "categories": [{"name": "Audio", "count": 2}, {"name": "Home & Kitchen", "count": 1}]
    }
    trending = await (await client.get("/api/trending")).json()
    assert [i["query"] for i in trending["items"]] == ["kettle", "headphones"]
    assert trending["items"][0]["score"] == pytest.approx(2.0, rel=1e-3)


@pytest.mark.parametrize(
    ("query", "complaint"),
    [
        ("page=-1", "page"),
        ("page=0", "page"),
        ("per_page=101", "per_page"),
        ("q=" + "x" * 10_000, "q: must be at most 200 characters"),
        ("min_price=50&max_price=10", "min_price must not be greater than max_price"),
        ("sort=cheapest", "sort: must be one of"),
        ("in_stock=perhaps", "in_stock"),
        ("max_price=abc", "max_price"),
    ],
)
async def test_nonsense_parameters_are_a_json_400(
    client: Client, query: str, complaint: str
) -> None:
    answer = await client.get(f"/api/products?{query}")
    assert answer.status == 400
    assert answer.content_type == "application/json"
    error = (await answer.json())["error"]
    assert error.startswith("invalid parameters")
    assert complaint in error


async def test_an_overlong_product_id_is_a_json_400(client: Client) -> None:
    answer = await client.get("/api/products/" + "P" * 200)
    assert answer.status == 400
    assert "1 to 128 letters" in (await answer.json())["error"]


async def test_an_unknown_path_is_a_json_404(client: Client) -> None:
    answer = await client.get("/api/nothing")
    assert answer.status == 404
    assert "error" in await answer.json()


async def test_not_ready_until_the_index_is_loaded() -> None:
    table = FakeTable(CATALOG)
    table.gate = asyncio.Event()
    model = ReadModel()
    app = create_app(model=model, trending=Trending(), products=table, metrics=Metrics("lookup"))
    loading = asyncio.create_task(CatalogSync(table, model).run())
    try:
        async with client_for(app) as client:
            assert (await client.get("/healthz")).status == 200
            assert (await client.get("/readyz")).status == 503
            answer = await client.get("/api/products")
            assert answer.status == 503
            assert "loading" in (await answer.json())["error"]
            table.gate.set()

            async def ready() -> bool:
                return (await client.get("/readyz")).status == 200

            await eventually(ready, within=3)
            assert (await (await client.get("/api/products")).json())["total"] == 3
    finally:
        loading.cancel()
