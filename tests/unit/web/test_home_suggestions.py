"""The searches the home page suggests, checked against the real engine and generated catalog."""

from __future__ import annotations

import pytest

from ecomm.core.domain.search import SearchQuery
from ecomm.ops.catalog import generate
from ecomm.roles.lookup.showcase import Featured
from ecomm.roles.web.catalog_views import SUGGESTIONS, suggestions
from tests.unit.lookup.catalogs import engine_of, product


@pytest.mark.parametrize("size", [50, 2000])
def test_every_suggestion_from_the_featured_shelf_finds_products(size: int) -> None:
    engine = engine_of(generate(size))
    shown = suggestions(Featured().products(engine))
    assert len(shown) == SUGGESTIONS
    for suggestion in shown:
        assert engine.search(SearchQuery(suggestion))[1] > 0, suggestion


def test_a_product_of_no_known_kind_suggests_nothing_and_kinds_are_said_once() -> None:
    lamp, box, other_lamp = (
        product("P1", "Ardis Arc Floor Lamp, Brass", category="Lighting"),
        product("P2", "Mystery Box", category="Surprises"),
        product("P3", "Solenne Floor Lamp, White", category="Lighting"),
    )
    assert suggestions([lamp, box, other_lamp]) == ["floor lamp"]
