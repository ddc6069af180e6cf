"""The home page's shelves: featured across the categories, best sellers by units sold."""

from __future__ import annotations

from dataclasses import replace

from ecomm.core.domain.products import Product
from ecomm.roles.lookup.readmodel import ReadModel
from ecomm.roles.lookup.showcase import Featured, best_sellers
from ecomm.roles.lookup.sync import CatalogSync
from tests.unit.lookup.catalogs import product, ready_model
from tests.unit.lookup.fakes import FakeTable

CATALOG = [
    product("A1", "Turntable", category="Audio", price="300"),
    product("A2", "Amplifier", category="Audio", price="500", stock=0),
    product("A3", "Speaker", category="Audio", price="100"),
    product("B1", "Cookbook", category="Books", price="20"),
    product("B2", "Atlas", category="Books", price="30"),
    product("G1", "Trowel", category="Garden", price="15"),
]


def ids(products: list[Product]) -> list[str]:
    return [p.productID for p in products]


def test_featured_takes_each_category_s_dearest_in_stock_product_then_the_next() -> None:
    model = ready_model(CATALOG)
    assert ids(Featured(count=5).products(model.engine)) == ["A1", "B2", "G1", "A3", "B1"]


async def test_featured_follows_the_catalog_when_a_product_sells_out_or_comes_back() -> None:
    model = ready_model(CATALOG)
    featured = Featured(count=3)
    assert ids(featured.products(model.engine)) == ["A1", "B2", "G1"]
    await model.refreshed(["A1"], {"A1": replace(CATALOG[0], stock=0)})
    assert ids(featured.products(model.engine)) == ["A3", "B2", "G1"]
    await model.refreshed(["A2"], {"A2": replace(CATALOG[1], stock=4)})
    assert ids(featured.products(model.engine)) == ["A2", "B2", "G1"]


async def test_featured_shows_a_product_as_it_is_now() -> None:
    model = ready_model(CATALOG)
    featured = Featured(count=1)
    featured.products(model.engine)
    await model.refreshed(["A1"], {"A1": replace(CATALOG[0], stock=1)})
    assert [p.stock for p in featured.products(model.engine)] == [1]


def test_nothing_is_featured_in_an_empty_catalog() -> None:
    assert Featured().products(ReadModel().engine) == []


def test_no_best_sellers_until_something_sold() -> None:
    model = ready_model(CATALOG)
    assert best_sellers(model.sales, model.engine) == []


async def test_best_sellers_follow_the_rows_the_read_model_applies() -> None:
    model = ready_model(CATALOG)
    await model.refreshed(
        ["G1", "B1"], {"G1": replace(CATALOG[5], sold=3), "B1": replace(CATALOG[3], sold=1)}
    )
    assert ids(best_sellers(model.sales, model.engine)) == ["G1", "B1"]
    await model.refreshed(["B1"], {"B1": replace(CATALOG[3], sold=7)})
    assert ids(best_sellers(model.sales, model.engine)) == ["B1", "G1"]
    await model.refreshed(["B1"], {})  # deleted from the table
    assert ids(best_sellers(model.sales, model.engine)) == ["G1"]


async def test_a_sold_out_best_seller_makes_room_for_the_next() -> None:
    model = ready_model([replace(p, sold=n + 1) for n, p in enumerate(CATALOG)])
    assert ids(best_sellers(model.sales, model.engine, count=2)) == ["G1", "B2"]
    await model.refreshed(["G1"], {"G1": replace(CATALOG[5], stock=0, sold=6)})
    assert ids(best_sellers(model.sales, model.engine, count=2)) == ["B2", "B1"]


async def test_best_sellers_come_from_the_first_load_and_leave_with_a_resync() -> None:
    table = FakeTable([replace(CATALOG[0], sold=2), replace(CATALOG[3], sold=5), *CATALOG[4:]])
    model = ReadModel()
    sync = CatalogSync(table, model)
    await sync.load()
    assert ids(best_sellers(model.sales, model.engine)) == ["B1", "A1"]
    del table.rows["B1"]
    await sync.resync()
    assert ids(best_sellers(model.sales, model.engine)) == ["A1"]
