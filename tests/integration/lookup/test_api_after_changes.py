"""Search answers over HTTP: what the next request shows after the catalog changed."""

from __future__ import annotations

from collections.abc import AsyncIterator
from dataclasses import dataclass, replace

import pytest
from aiohttp import web

from ecomm.core.contracts.events import Envelope, EventType
from ecomm.core.domain.products import Product
from ecomm.core.runtime.metrics import Metrics
from ecomm.ops.products import changed_data
from ecomm.roles.lookup.app import create_app
from ecomm.roles.lookup.handlers import LookupHandlers
from ecomm.roles.lookup.readmodel import ReadModel
from ecomm.roles.lookup.refresher import ProductRefresher
from ecomm.roles.lookup.trending import Trending
from tests.integration.lookup.conftest import Client, client_for
from tests.unit.lookup.catalogs import product, ready_model
from tests.unit.lookup.fakes import FakeTable
from tests.unit.lookup.test_handlers import confirmed

HEADPHONES = product("P1", "Wireless Headphones", price="199.99", stock=3)
CATALOG = [
    HEADPHONES,
    product("P2", "Studio Headphones", price="89.50", stock=0),
    product("P3", "Oak Kettle", category="Home & Kitchen", price="45.00", stock=7),
]


@dataclass
class Lookup:
    """The API and the event handlers over one read model, as the service wires them."""

    client: Client
    app: web.Application
    model: ReadModel
    table: FakeTable
    handlers: LookupHandlers

    async def stocks(self, query: str) -> dict[str, int]:
        answer = await self.client.get(f"/api/products?{query}")
        assert answer.status == 200
        return {i["productID"]: i["stock"] for i in (await answer.json())["items"]}

    async def order_confirmed(self, changed: Product) -> None:
        self.table.put(changed)  # the order worker wrote the table; the event says which rows
        await self.handlers.handle(confirmed(changed.productID))


@pytest.fixture
async def lookup() -> AsyncIterator[Lookup]:
    model: ReadModel = ready_model(CATALOG)
    table = FakeTable(CATALOG)
    trending = Trending(min_score=0, recompute_every=0)
    refresher = ProductRefresher(table, model, window=0)
    app = create_app(model=model, trending=trending, metrics=Metrics("lookup"))
    try:
        async with client_for(app) as client:
            yield Lookup(client, app, model, table, LookupHandlers(model, trending, refresher))
    finally:
        await refresher.close()
        await model.close()


async def test_an_order_s_stock_change_shows_in_the_next_search(lookup: Lookup) -> None:
    assert await lookup.stocks("q=headphones") == {"P1": 3, "P2": 0}
    version = lookup.model.engine.version

    await lookup.order_confirmed(replace(HEADPHONES, stock=2))

    assert await lookup.stocks("q=headphones") == {"P1": 2, "P2": 0}
    assert lookup.model.engine.version == version  # still in stock: nothing was indexed again


async def test_a_product_that_sold_out_leaves_the_next_in_stock_search(lookup: Lookup) -> None:
    assert await lookup.stocks("q=headphones&in_stock=true") == {"P1": 3}

    await lookup.order_confirmed(replace(HEADPHONES, stock=0))

    assert await lookup.stocks("q=headphones&in_stock=true") == {}
    assert await lookup.stocks("q=headphones&in_stock=false") == {"P1": 0, "P2": 0}


async def test_a_renamed_product_is_found_by_its_new_name_and_category(lookup: Lookup) -> None:
    assert await lookup.stocks("q=kettle") == {"P3": 7}
    categories = await (await lookup.client.get("/api/categories")).json()
    assert categories["categories"][0] == {"name": "Audio", "count": 2}
    renamed = replace(
        HEADPHONES, name="Copper Kettle", category="Home & Kitchen", updatedAt="2026-02-01"
    )
    lookup.table.put(renamed)  # an operator wrote the table; the event says which row

    await lookup.handlers.handle(
        Envelope.wrap(EventType.PRODUCT_CHANGED, changed_data(renamed), None)
    )

    assert await lookup.stocks("q=kettle") == {"P1": 3, "P3": 7}
    assert await lookup.stocks("q=headphones") == {"P2": 0}
    categories = await (await lookup.client.get("/api/categories")).json()
    assert categories == {
        "categories": [{"name": "Audio", "count": 1}, {"name": "Home & Kitchen", "count": 2}]
    }


async def test_nonsense_parameters_are_refused_every_time(lookup: Lookup) -> None:
    errors = []
    for _ in range(2):
        answer = await lookup.client.get("/api/products?page=0&q=kettle")
        assert answer.status == 400
        errors.append((await answer.json())["error"])
    assert errors[0] == errors[1]
    assert errors[0] == "The page must be a number from 1 to 500."
