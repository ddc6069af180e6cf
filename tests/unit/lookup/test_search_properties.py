"""The index answers exactly what a pass over every product answers (tests/unit/lookup/oracle)."""

from __future__ import annotations

from dataclasses import replace
from decimal import Decimal
from typing import TypeVar

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from ecomm.core.domain.products import Product
from ecomm.core.domain.search import SearchQuery, Sort
from ecomm.ops.catalog import generate
from ecomm.roles.lookup.search import search
from ecomm.roles.lookup.text import words
from tests.unit.lookup.catalogs import index_of
from tests.unit.lookup.oracle import brute_force

BASE = list(generate(80))
CATEGORIES = [*sorted({p.category for p in BASE}), "Café & Thé", "Nowhere"]

T = TypeVar("T")
fast = settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])


@st.composite
def products(draw: st.DrawFn) -> Product:
    base = draw(st.sampled_from(BASE))
    return replace(
        base,
        price=Decimal(draw(st.integers(0, 50_000))) / 100,
        stock=draw(st.sampled_from([0, 0, 1, 5, 20])),
        category=draw(st.sampled_from(CATEGORIES)),
        name=draw(st.sampled_from([base.name, base.name.upper(), "Crème " + base.name])),
    )


@st.composite
def catalogs(draw: st.DrawFn) -> list[Product]:
    chosen = draw(st.lists(products(), min_size=1, max_size=40))
    # Distinct ids; several products share a name or a price, so ties are exercised.
    return [replace(p, productID=f"P{i:03d}") for i, p in enumerate(chosen)]


@st.composite
def terms(draw: st.DrawFn, vocabulary: list[str]) -> str:
    word = draw(st.sampled_from(vocabulary))
    how = draw(st.sampled_from(["exact", "exact", "prefix", "typo", "upper", "accent", "stop"]))
    if how == "prefix":
        return word[: draw(st.integers(min(2, len(word)), len(word)))]
    if how == "typo" and len(word) >= 3:
        at = draw(st.integers(0, len(word) - 1))
        return word[:at] + draw(st.sampled_from("aeiouxz")) + word[at + 1 :]
    if how == "upper":
        return word.upper()
    if how == "accent":
        return word.replace("e", "é")
    if how == "stop":
        return "the"
    return word


def sometimes(strategy: st.SearchStrategy[T]) -> st.SearchStrategy[T | None]:
    """None three times out of four: with every filter always on, nearly nothing matches."""
    return st.sampled_from([True, False, False, False]).flatmap(
        lambda on: strategy if on else st.none()
    )


@st.composite
def queries(draw: st.DrawFn, catalog: list[Product] | None = None) -> SearchQuery:
    """Queries whose words mostly come from `catalog`, so that they mostly find something."""
    vocabulary = sorted({w for p in catalog or BASE for w in words(f"{p.name} {p.description}")})
    text = " ".join(draw(st.lists(terms(vocabulary), max_size=2)))
    low = draw(sometimes(st.integers(0, 30_000)))
    high = draw(sometimes(st.integers(low or 0, 50_000)))
    return SearchQuery(
        text=text,
        category=draw(sometimes(st.sampled_from([*CATEGORIES, "audio", "CAFE & THE"]))),
        min_cents=low,
        max_cents=high,
        in_stock=draw(sometimes(st.booleans())),
        sort=draw(st.sampled_from(list(Sort))),
        page=draw(st.integers(1, 3)),
        per_page=draw(st.integers(1, 12)),
    )


def answer(catalog: list[Product], query: SearchQuery, *, bulk: bool) -> tuple[list[str], int]:
    result = search(index_of(catalog, bulk=bulk), query)
    return [p.productID for p in result.items], result.total


@fast
@given(st.data(), st.booleans())
def test_search_agrees_with_a_pass_over_every_product(data: st.DataObject, bulk: bool) -> None:
    catalog = data.draw(catalogs())
    query = data.draw(queries(catalog))
    assert answer(catalog, query, bulk=bulk) == brute_force(catalog, query)


@fast
@given(catalogs(), st.lists(st.tuples(st.integers(0, 39), products() | st.none())), queries())
def test_an_index_changed_in_place_answers_like_one_built_fresh(
    catalog: list[Product], changes: list[tuple[int, Product | None]], query: SearchQuery
) -> None:
    index = index_of(catalog)
    current = {p.productID: p for p in catalog}
    for number, change in changes:
        product_id = f"P{number:03d}"
        if change is None:
            index.remove(product_id)
            current.pop(product_id, None)
        else:
            index.upsert(replace(change, productID=product_id))
            current[product_id] = replace(change, productID=product_id)
    result = search(index, query)
    assert ([p.productID for p in result.items], result.total) == brute_force(
        current.values(), query
    )


@fast
@given(st.data())
def test_pages_partition_the_matches(data: st.DataObject) -> None:
    catalog = data.draw(catalogs())
    query = data.draw(queries(catalog))
    index = index_of(catalog)
    total = search(index, replace(query, page=1)).total
    pages = -(-total // query.per_page)
    seen = [
        p.productID
        for page in range(1, pages + 1)
        for p in search(index, replace(query, page=page)).items
    ]
    assert len(seen) == total == len(set(seen))
