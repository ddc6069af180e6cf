"""The lookup API over an engine loaded from a seeded Products table in the emulator."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest

from ecomm.core.adapters.products_table import ProductRepository
from ecomm.core.runtime.bootstrap import Runtime
from ecomm.emulator import Emulator
from ecomm.ops.catalog import generate, product_id
from ecomm.roles.lookup.app import create_app
from ecomm.roles.lookup.readmodel import ReadModel
from ecomm.roles.lookup.refresher import ProductRefresher
from ecomm.roles.lookup.sync import CatalogSync
from ecomm.roles.lookup.trending import Trending
from tests.integration.lookup.conftest import CATALOG_SIZE, Client, client_for, dynamodb_calls


@pytest.fixture
async def loaded(seeded: ProductRepository) -> ReadModel:
    model = ReadModel()
    await CatalogSync(seeded, model).load()
    return model


@pytest.fixture
async def client(
    loaded: ReadModel, seeded: ProductRepository, runtime: Runtime
) -> AsyncIterator[Client]:
    trending = Trending(min_score=0)
    app = create_app(model=loaded, trending=trending, metrics=runtime.metrics)
    async with client_for(app) as client:
        yield client


async def test_a_search_is_answered_from_an_index_of_the_whole_table_without_dynamodb(
    client: Client, loaded: ReadModel, emulator: Emulator
) -> None:
    assert len(loaded.engine) == CATALOG_SIZE
    first = next(iter(generate(1)))
    assert loaded.engine.get(first.productID) == first

    before = dynamodb_calls(emulator)
    answer = await client.get("/api/products", params={"q": "headphones", "per_page": "5"})
    body = await answer.json()
    for params in (
        {"q": "wireles", "in_stock": "true", "sort": "price_asc"},
        {"category": "Audio", "min_price": "20", "max_price": "200", "page": "2"},
        {},
    ):
        assert (await client.get("/api/products", params=params)).status == 200
    categories = (await (await client.get("/api/categories")).json())["categories"]
    assert dynamodb_calls(emulator) == before

    assert (body["page"], body["per_page"], len(body["items"])) == (1, 5, 5)
    assert body["total"] > 5
    item = body["items"][0]
    assert set(item) == {
        "productID", "name", "description", "category", "price", "stock", "updatedAt", "imageUrl",
        "sold",
    }  # fmt: skip
    assert "headphones" in item["name"].lower()
    assert isinstance(item["price"], float | int)
    assert isinstance(item["stock"], int)
    assert item["imageUrl"] is None
    assert sum(c["count"] for c in categories) == CATALOG_SIZE
    audio = sum(p.category == "Audio" for p in generate(CATALOG_SIZE))
    assert {"name": "Audio", "count": audio} in categories


async def test_a_product_and_a_cart_s_lines_are_answered_from_the_read_model_without_dynamodb(
    client: Client, loaded: ReadModel, seeded: ProductRepository, emulator: Emulator
) -> None:
    pid, other = product_id(7), product_id(8)
    held = loaded.product(pid)
    assert held is not None
    before = dynamodb_calls(emulator)
    detail = await client.get(f"/api/products/{pid}")
    lines = await client.get("/api/products", params={"ids": f"{other},P-unknown,{pid}"})
    unknown = await client.get("/api/products/P-unknown")
    assert dynamodb_calls(emulator) == before
    assert (detail.status, (await detail.json())["stock"]) == (200, held.stock)
    assert [i["productID"] for i in (await lines.json())["items"]] == [other, pid]
    assert unknown.status == 404


async def test_a_product_shows_the_table_s_stock_once_its_change_was_announced(
    client: Client, loaded: ReadModel, seeded: ProductRepository
) -> None:
    pid = product_id(7)
    changed = await seeded.change(pid, stock_delta=5)
    # Until an event names it, the read model shows the row it held: the documented lag.
    assert (await (await client.get(f"/api/products/{pid}")).json())["stock"] == changed.stock - 5
    refresher = ProductRefresher(seeded, loaded, window=0)
    try:
        await refresher.refresh([pid])  # what the change's event makes lookup do
    finally:
        await refresher.close()
    assert (await (await client.get(f"/api/products/{pid}")).json())["stock"] == changed.stock
