"""The lookup API's contract with the web role: the real lookup app, and the fake the web tests
run against, answer these the same way (the fake is checked against the real thing here)."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from dataclasses import replace
from decimal import Decimal

import pytest
from aiohttp import web

from ecomm.core.contracts.products import loads
from ecomm.core.runtime.metrics import Metrics
from ecomm.roles.lookup.app import create_app
from ecomm.roles.lookup.readmodel import ReadModel
from ecomm.roles.lookup.sync import CatalogSync
from ecomm.roles.lookup.trending import Trending
from tests.integration.lookup.conftest import Client, client_for
from tests.integration.web.storefront_fakes import FakeCatalog
from tests.polling import eventually
from tests.unit.lookup.catalogs import product, ready_model
from tests.unit.lookup.fakes import FakeTable

CATALOG = [
    replace(product("P1", "Wireless Headphones", price="199.99", stock=3), sold=2),
    replace(product("P2", "Studio Speaker", price="89.50", stock=0), sold=9),
    replace(product("P3", "Oak Kettle", category="Home & Kitchen", price="45.00", stock=7), sold=5),
    product("P4", "Desk Speaker", price="59.00", stock=1),
]


def _real_lookup() -> web.Application:
    trending = Trending(min_score=0, recompute_every=0)
    for query in ("kettle", "Kettle", "headphones"):
        trending.record(query)
    return create_app(
        model=ready_model(CATALOG),
        trending=trending,
        metrics=Metrics("lookup"),
    )


def _fake_lookup() -> web.Application:
    return FakeCatalog(
        products={p.productID: p for p in CATALOG}, trending=["kettle", "headphones"]
    ).app()


@pytest.fixture(params=[_real_lookup, _fake_lookup], ids=["lookup", "web-tests-fake"])
async def client(request: pytest.FixtureRequest) -> AsyncIterator[Client]:
    async with client_for(request.param()) as client:
        yield client


async def test_a_search_page_has_items_total_page_and_per_page(client: Client) -> None:
    answer = await client.get("/api/products?q=headphones&per_page=1")
    assert answer.status == 200
    assert loads(await answer.read()) == {
        "items": [
            {
                "productID": "P1",
                "name": "Wireless Headphones",
                "description": "",
                "category": "Audio",
                "price": Decimal("199.99"),
                "stock": 3,
                "updatedAt": "2026-01-01T00:00:00.000Z",
                "imageUrl": None,
                "sold": 2,
            }
        ],
        "total": 1,
        "page": 1,
        "per_page": 1,
    }


async def test_a_search_that_found_nothing_suggests_other_words(client: Client) -> None:
    answer = await client.get("/api/products?q=spekr")
    assert await answer.json() == {
        "items": [],
        "total": 0,
        "page": 1,
        "per_page": 20,
        "suggestion": "speaker",
    }
    nothing = await (await client.get("/api/products?q=blorp")).json()
    assert "suggestion" not in nothing


async def test_a_search_asked_for_categories_carries_every_category_of_the_catalog(
    client: Client,
) -> None:
    answer = await (await client.get("/api/products?q=speaker&with=categories")).json()
    assert answer["total"] == 2
    assert answer["categories"] == [
        {"name": "Audio", "count": 3},
        {"name": "Home & Kitchen", "count": 1},
    ]
    plain = await (await client.get("/api/products?q=speaker")).json()
    assert "categories" not in plain


async def test_filters_and_sorts_arrive_as_query_parameters(client: Client) -> None:
    answer = await client.get(
        "/api/products", params={"in_stock": "true", "max_price": "100", "sort": "price_desc"}
    )
    assert [i["productID"] for i in (await answer.json())["items"]] == ["P4", "P3"]


async def test_a_product_is_read_by_its_id(client: Client) -> None:
    answer = await client.get("/api/products/P3")
    assert (await answer.json())["name"] == "Oak Kettle"


async def test_an_unknown_product_is_a_json_404(client: Client) -> None:
    answer = await client.get("/api/products/P999")
    assert answer.status == 404
    assert "error" in await answer.json()


async def test_products_are_read_by_their_ids_in_one_call(client: Client) -> None:
    answer = await client.get("/api/products", params={"ids": "P3,P999,P1,P3"})
    assert answer.status == 200
    assert [i["productID"] for i in (await answer.json())["items"]] == ["P3", "P1"]


@pytest.mark.parametrize("ids", [",".join(f"P{n}" for n in range(101)), "P1,P1\n", "", "P1,../etc"])
async def test_ids_that_are_too_many_or_not_ids_are_a_json_400(client: Client, ids: str) -> None:
    answer = await client.get("/api/products", params={"ids": ids})
    assert answer.status == 400
    assert "error" in await answer.json()


async def test_categories_and_trending(client: Client) -> None:
    categories = await (await client.get("/api/categories")).json()
    assert categories == {
        "categories": [{"name": "Audio", "count": 3}, {"name": "Home & Kitchen", "count": 1}]
    }
    trending = await (await client.get("/api/trending")).json()
    assert [i["query"] for i in trending["items"]] == ["kettle", "headphones"]


async def test_featured_takes_the_categories_in_turns_in_stock_dearest_first(
    client: Client,
) -> None:
    answer = await client.get("/api/featured")
    assert [i["productID"] for i in (await answer.json())["items"]] == ["P1", "P3", "P4"]


async def test_best_sellers_are_in_stock_most_sold_first(client: Client) -> None:
    answer = await client.get("/api/bestsellers")
    items = (await answer.json())["items"]
    assert [(i["productID"], i["sold"]) for i in items] == [("P3", 5), ("P1", 2)]


@pytest.mark.parametrize(
    ("query", "complaint"),
    [
        ("page=-1", "The page must be a number from 1 to 500."),
        ("page=0", "The page must be a number from 1 to 500."),
        ("per_page=101", "The per page must be a number from 1 to 100."),
        ("q=" + "x" * 5_000, "Please shorten your search to 200 characters."),
        ("min_price=50&max_price=10", "The highest price must not be below the lowest price."),
        ("sort=cheapest", "Please choose one of the offered sort orders."),
        ("in_stock=perhaps", "“In stock only” is either on or off."),
        ("max_price=1e3", "The highest price must be a number, like 25 or 9.99."),
    ],
)
async def test_nonsense_parameters_are_a_json_400(
    client: Client, query: str, complaint: str
) -> None:
    answer = await client.get(f"/api/products?{query}")
    assert answer.status == 400
    assert answer.content_type == "application/json"
    assert (await answer.json())["error"] == complaint


async def test_an_overlong_product_id_is_a_json_400(client: Client) -> None:
    answer = await client.get("/api/products/" + "P" * 200)
    assert answer.status == 400
    assert "error" in await answer.json()


async def test_an_unknown_path_is_a_json_404() -> None:
    async with client_for(_real_lookup()) as client:
        answer = await client.get("/api/nothing")
        assert answer.status == 404
        assert "error" in await answer.json()


async def test_not_ready_until_the_index_is_loaded() -> None:
    table = FakeTable(CATALOG)
    table.gate = asyncio.Event()
    model = ReadModel()
    app = create_app(model=model, trending=Trending(), metrics=Metrics("lookup"))
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
            assert (await (await client.get("/api/products")).json())["total"] == len(CATALOG)
            best = (await (await client.get("/api/bestsellers")).json())["items"]
            assert [i["productID"] for i in best] == ["P3", "P1"]  # ranked as the load read
    finally:
        loading.cancel()
