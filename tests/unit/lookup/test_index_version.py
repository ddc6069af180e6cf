"""The index's `version` moves exactly when a search or the categories could answer otherwise."""

from __future__ import annotations

from dataclasses import replace
from decimal import Decimal

import pytest

from ecomm.core.domain.products import Product
from ecomm.roles.lookup.index import SearchIndex
from tests.unit.lookup.catalogs import index_of, product

HEADPHONES = product("P1", "Wireless Headphones", description="Over-ear.", price="19.99", stock=5)
SPEAKER = product("P2", "Studio Speaker", price="89.50", stock=0)
LATER = "2026-01-02T00:00:00.000Z"


def indexed() -> SearchIndex:
    return index_of([HEADPHONES, SPEAKER])


@pytest.mark.parametrize(
    "changed",
    [
        pytest.param(replace(HEADPHONES, name="Wired Headphones"), id="name"),
        pytest.param(replace(HEADPHONES, description="On-ear."), id="description"),
        pytest.param(replace(HEADPHONES, category="Computers"), id="category"),
        pytest.param(replace(HEADPHONES, category="AUDIO"), id="category label"),
        pytest.param(replace(HEADPHONES, price=Decimal("18.99")), id="price"),
        pytest.param(replace(HEADPHONES, stock=0), id="sold out"),
        pytest.param(replace(SPEAKER, stock=4), id="back in stock"),
        pytest.param(product("P3", "Oak Kettle"), id="addition"),
    ],
)
def test_a_change_a_search_can_see_moves_the_version(changed: Product) -> None:
    index = indexed()
    before = index.version
    index.upsert(replace(changed, updatedAt=LATER))
    assert index.version > before


@pytest.mark.parametrize(
    "changed",
    [
        pytest.param(replace(HEADPHONES, stock=2), id="fewer in stock"),
        pytest.param(replace(HEADPHONES, stock=500), id="more in stock"),
        pytest.param(replace(SPEAKER, stock=0), id="still sold out"),
        pytest.param(replace(HEADPHONES, price=Decimal("19.9901")), id="price below a cent"),
        pytest.param(replace(HEADPHONES, imageUrl="/static/p1.png"), id="image"),
        pytest.param(replace(HEADPHONES, stock=2, sold=3), id="sold"),
        pytest.param(HEADPHONES, id="the same product again"),
    ],
)
def test_a_change_no_search_can_see_keeps_the_version(changed: Product) -> None:
    index = indexed()
    before = index.version
    index.upsert(replace(changed, updatedAt=LATER))
    assert index.version == before


def test_every_upsert_counts_as_a_change_even_when_the_version_stays() -> None:
    index = indexed()
    before = index.changes
    index.upsert(replace(HEADPHONES, stock=4, updatedAt=LATER))
    assert index.changes == before + 1


def test_a_removal_moves_the_version_and_an_unknown_one_does_not() -> None:
    index = indexed()
    before = index.version
    index.remove("P999")
    assert index.version == before
    index.remove("P1")
    assert index.version > before
    assert index.get("P1") is None


def test_finishing_a_bulk_load_moves_the_version() -> None:
    index = SearchIndex()
    index.load([HEADPHONES, SPEAKER])
    before = index.version
    index.finish_load()
    assert index.version > before


def test_a_product_keeps_its_ordinal_across_a_stock_change() -> None:
    index = indexed()
    ordinal = index.ordinal("P1")
    index.upsert(replace(HEADPHONES, stock=1, updatedAt=LATER))
    assert index.ordinal("P1") == ordinal
    assert index.product(ordinal).stock == 1


def test_a_stock_change_that_respells_the_category_label_moves_the_version() -> None:
    # The categories list shows a category as its latest product spelled it.
    index = index_of([HEADPHONES, replace(SPEAKER, category="audio")])
    index.upsert(replace(HEADPHONES, stock=4, updatedAt=LATER))
    assert index.categories() == [("Audio", 2)]
    before = index.version
    index.upsert(replace(SPEAKER, category="audio", stock=0, updatedAt=LATER))
    assert index.categories() == [("audio", 2)]
    assert index.version > before
