"""Kept search answers are the answers a fresh search gives, byte for byte."""

from __future__ import annotations

import json
from dataclasses import replace

from hypothesis import given
from hypothesis import strategies as st

from ecomm.core.contracts.products import items_json, product_json
from ecomm.core.domain.products import Product
from ecomm.core.domain.search import SearchQuery
from ecomm.core.runtime.lru import Lru
from ecomm.roles.lookup.index import SearchIndex
from ecomm.roles.lookup.results import SearchResults
from ecomm.roles.lookup.search import search
from tests.unit.lookup.catalogs import index_of, product
from tests.unit.lookup.test_search_properties import catalogs, fast, products, queries

LATER = "2026-01-02T00:00:00.000Z"
CATALOG = [
    product("P1", "Wireless Headphones", price="199.99", stock=3),
    product("P2", "Studio Headphones", price="89.50", stock=0),
    product("P3", "Oak Kettle", category="Home & Kitchen", price="45.00", stock=7),
]
HEADPHONES = SearchQuery(text="headphones")


def fresh_json(index: SearchIndex, query: SearchQuery) -> bytes:
    """What the API would send without kept answers: a fresh search, freshly encoded."""
    found = search(index, query)
    items = [product_json(p) for p in found.items]
    return items_json(items, total=found.total, page=query.page, per_page=query.per_page)


Change = tuple[str, int, Product, int]


@st.composite
def changes(draw: st.DrawFn, size: int) -> Change:
    """Mostly what orders cause (stock changes, selling out), sometimes anything else."""
    kind = draw(st.sampled_from(["stock", "stock", "stock", "price", "replace", "remove"]))
    number = draw(st.integers(0, size))  # `size`: a product not in the catalog yet
    return kind, number, draw(products()), draw(st.sampled_from([0, 1, 4, 30]))


def apply(index: SearchIndex, change: Change) -> None:
    kind, number, changed, stock = change
    product_id = f"P{number:03d}"
    held = index.get(product_id)
    if kind == "remove":
        index.remove(product_id)
    elif kind == "replace" or held is None:
        index.upsert(replace(changed, productID=product_id))
    elif kind == "price":
        index.upsert(replace(held, price=changed.price))
    else:
        index.upsert(replace(held, stock=stock))


@fast
@given(st.data())
def test_kept_answers_match_a_fresh_search_after_any_changes(data: st.DataObject) -> None:
    catalog = data.draw(catalogs())
    asked = [
        replace(query, in_stock=data.draw(st.sampled_from([None, True, False])))
        for query in data.draw(st.lists(queries(catalog), min_size=1, max_size=6))
    ]
    steps = data.draw(st.lists(changes(len(catalog)), max_size=12))
    index = index_of(catalog)
    results = SearchResults(index)
    for step in [None, *steps]:
        if step is not None:
            apply(index, step)
        for query in asked:
            assert results.page_json(query) == fresh_json(index, query)
    assert results.hits + results.misses == len(asked) * (len(steps) + 1)


def test_a_stock_change_keeps_the_page_and_shows_the_new_stock() -> None:
    index = index_of(CATALOG)
    results = SearchResults(index)
    before = json.loads(results.page_json(HEADPHONES))
    kept = results.page(HEADPHONES)

    index.upsert(replace(CATALOG[0], stock=1, updatedAt=LATER))
    after = json.loads(results.page_json(HEADPHONES))

    assert results.page(HEADPHONES) is kept
    assert (results.hits, results.misses) == (3, 1)
    assert [i["stock"] for i in before["items"]] == [0, 3]
    assert [i["stock"] for i in after["items"]] == [0, 1]
    assert results.page_json(HEADPHONES) == fresh_json(index, HEADPHONES)


def test_selling_out_searches_again() -> None:
    index = index_of(CATALOG)
    results = SearchResults(index)
    in_stock = replace(HEADPHONES, in_stock=True)
    assert json.loads(results.page_json(in_stock))["total"] == 1

    index.upsert(replace(CATALOG[0], stock=0, updatedAt=LATER))

    assert json.loads(results.page_json(in_stock)) == {
        "items": [],
        "total": 0,
        "page": 1,
        "per_page": 20,
    }
    assert results.misses == 2


def test_categories_are_kept_until_a_category_changes() -> None:
    index = index_of(CATALOG)
    results = SearchResults(index)
    first = results.categories_json()
    assert results.categories_json() is first
    index.upsert(replace(CATALOG[2], stock=2, updatedAt=LATER))
    assert results.categories_json() is first

    index.upsert(replace(CATALOG[2], category="Audio", updatedAt=LATER))

    assert json.loads(results.categories_json()) == {"categories": [{"name": "Audio", "count": 3}]}


def test_a_full_cache_forgets_the_least_recently_used_page() -> None:
    index = index_of(CATALOG)
    results = SearchResults(index, capacity=3)
    asked = [SearchQuery(text=t) for t in ("headphones", "kettle", "studio", "oak", "wireless")]
    for query in asked:
        results.page(query)
        results.page(asked[0])  # used after every other one: never the least recent
    assert len(results) == 3
    before = results.misses
    results.page(asked[0])
    results.page(asked[-1])
    results.page(asked[1])  # forgotten
    assert results.misses == before + 1


def test_an_lru_holds_at_most_its_capacity() -> None:
    kept: Lru[int, str] = Lru(capacity=2)
    kept.put(1, "one")
    kept.put(2, "two")
    assert kept.get(1) == "one"
    kept.put(3, "three")
    assert len(kept) == 2
    assert (kept.get(1), kept.get(2), kept.get(3)) == ("one", None, "three")
