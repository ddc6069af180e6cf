"""The engine's `version` moves exactly when a search or the categories could answer otherwise:
the featured shelf is chosen again then, and only then."""

from __future__ import annotations

from dataclasses import replace
from decimal import Decimal

import pytest

from ecomm.core.domain.products import Product
from ecomm.roles.lookup.engine import SearchEngine
from tests.unit.lookup.catalogs import engine_of, product

HEADPHONES = product("P1", "Wireless Headphones", description="Over-ear.", price="19.99", stock=5)
SPEAKER = product("P2", "Studio Speaker", price="89.50", stock=0)
LATER = "2026-01-02T00:00:00.000Z"


def loaded() -> SearchEngine:
    return engine_of([HEADPHONES, SPEAKER])


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
    engine = loaded()
    before = engine.version
    engine.apply([replace(changed, updatedAt=LATER)], [])
    assert engine.version > before


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
def test_a_change_no_search_can_see_keeps_the_version_and_shows_the_product(
    changed: Product,
) -> None:
    engine = loaded()
    before = engine.version
    now = replace(changed, updatedAt=LATER)
    engine.apply([now], [])
    assert engine.version == before
    assert engine.get(now.productID) is now


def test_a_removal_moves_the_version_and_an_unknown_one_does_not() -> None:
    engine = loaded()
    before = engine.version
    engine.apply([], ["P999"])
    assert engine.version == before
    engine.apply([], ["P1"])
    assert engine.version > before
    assert engine.get("P1") is None


def test_finishing_a_load_moves_the_version() -> None:
    engine = SearchEngine()
    engine.load([HEADPHONES, SPEAKER])
    before = engine.version
    engine.finish_load()
    assert engine.version > before


def test_a_stock_change_that_respells_the_category_label_moves_the_version() -> None:
    # The categories list shows a category as its latest product spelled it.
    engine = engine_of([HEADPHONES, replace(SPEAKER, category="audio")])
    engine.apply([replace(HEADPHONES, stock=4, updatedAt=LATER)], [])
    assert engine.categories() == [("Audio", 2)]
    before = engine.version
    engine.apply([replace(SPEAKER, category="audio", updatedAt=LATER)], [])
    assert engine.categories() == [("audio", 2)]
    assert engine.version > before
