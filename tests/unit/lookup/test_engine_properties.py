"""Browsing answers exactly what one pass over every product answers: filters, orders, pages.

Names alike in their first letters, equal prices and stock changes applied in batches are what
make tantivy's own order differ from the shop's; the engine must settle them the same way.
"""

from __future__ import annotations

from dataclasses import replace
from decimal import Decimal

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from ecomm.core.domain.products import Product
from ecomm.core.domain.search import SearchQuery, Sort
from ecomm.ops.catalog import generate
from ecomm.roles.lookup.engine import price_cents
from ecomm.roles.lookup.engine_query import category_key
from ecomm.roles.lookup.engine_text import fold
from tests.unit.lookup.catalogs import engine_of

BASE = list(generate(60))
CATEGORIES = sorted({p.category for p in BASE})
NAMES = ["Classic Steel Kettle", "Classic Steel Kettle 2", "classic steel", "Café Lamp", "Cafe"]

fast = settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])


@st.composite
def products(draw: st.DrawFn) -> list[Product]:
    chosen = draw(st.lists(st.sampled_from(BASE), min_size=8, max_size=40, unique=True))
    return [
        replace(
            p,
            name=draw(st.sampled_from([*NAMES, p.name])),
            price=Decimal(draw(st.sampled_from(["10", "9.99", "10.00", "5", str(p.price)]))),
            stock=draw(st.sampled_from([0, 3, p.stock])),
        )
        for p in chosen
    ]


@st.composite
def queries(draw: st.DrawFn) -> SearchQuery:
    low = draw(st.sampled_from([None, 0, 999, 1000]))
    high = draw(st.sampled_from([None, 1000, 5000]))
    return SearchQuery(
        category=draw(st.sampled_from([None, *CATEGORIES, "Nowhere"])),
        min_cents=low,
        max_cents=None if high is not None and low is not None and high < low else high,
        in_stock=draw(st.sampled_from([None, True, False])),
        sort=draw(st.sampled_from([Sort.NAME, Sort.PRICE_ASC, Sort.PRICE_DESC, Sort.RELEVANCE])),
        page=draw(st.integers(1, 4)),
        per_page=draw(st.sampled_from([20, 7, 3, 1])),
    )


def brute_force(held: list[Product], query: SearchQuery) -> tuple[list[str], int]:
    low, high = query.min_cents, query.max_cents
    found = [
        p
        for p in held
        if (query.category is None or category_key(p.category) == category_key(query.category))
        and (query.in_stock is None or p.in_stock == query.in_stock)
        and (low is None or price_cents(p) >= low)
        and (high is None or price_cents(p) <= high)
    ]
    if query.sort is Sort.PRICE_ASC:
        found.sort(key=lambda p: (price_cents(p), fold(p.name), p.productID))
    elif query.sort is Sort.PRICE_DESC:
        found.sort(key=lambda p: (-price_cents(p), fold(p.name), p.productID))
    else:
        found.sort(key=lambda p: (fold(p.name), p.productID))
    page = found[query.offset : query.offset + query.per_page]
    return [p.productID for p in page], len(found)


@fast
@given(products(), st.lists(queries(), min_size=1, max_size=5), st.data())
def test_browsing_answers_what_a_pass_over_every_product_answers(
    catalog: list[Product], asked: list[SearchQuery], data: st.DataObject
) -> None:
    engine = engine_of(catalog)
    held = {p.productID: p for p in catalog}
    changed = data.draw(st.lists(st.sampled_from(catalog), max_size=5, unique=True))
    if changed:  # a batch moves their documents to a newer segment
        batch = [replace(p, stock=0 if p.in_stock else 4) for p in changed]
        engine.apply(batch, [])
        held |= {p.productID: p for p in batch}
    for query in asked:
        items, total = engine.search(query)
        assert ([p.productID for p in items], total) == brute_force(list(held.values()), query)
