"""The tantivy search engine: filters, sorts, pages, categories, and batches of changes."""

from __future__ import annotations

import asyncio
import random
from dataclasses import replace
from decimal import Decimal

import pytest

from ecomm.core.domain.products import Product
from ecomm.core.domain.search import SearchQuery, Sort
from ecomm.roles.lookup.engine import SearchEngine
from tests.unit.lookup.catalogs import engine_of, product

CATALOG = [
    product("P1", "Wireless Headphones", description="Over-ear, with a case.", price="199.00"),
    product("P2", "Studio Speaker", description="Pairs with wireless headphones.", price="89.50",
            stock=0),
    product("P3", "Headphone Stand", category="Computers", price="25.00", stock=10),
    product("P4", "Crème Brûlée Torch", category="Home & Kitchen", price="30.00", stock=2),
    product("P5", "Oak Kettle", category="Home & Kitchen", price="45.00", stock=7),
    product("P6", "Café Grinder", category="Home & Kitchen", description="Burr grinder.",
            price="45.00"),
    product("P7", "Audio Cable", category="Computers", description="For audio gear.",
            price="5.99"),
]  # fmt: skip


def ids(engine: SearchEngine, query: SearchQuery) -> list[str]:
    return [p.productID for p in engine.search(query)[0]]


@pytest.fixture(scope="module")
def shop() -> SearchEngine:
    return engine_of(CATALOG)


def test_a_search_answers_the_very_products_it_was_given(shop: SearchEngine) -> None:
    items, total = shop.search(SearchQuery("kettle"))
    assert total == 1
    assert items[0] is CATALOG[4]
    assert shop.get("P5") is CATALOG[4]
    assert shop.get("P404") is None
    assert len(shop) == len(CATALOG)


def test_the_category_filter_ignores_case_accents_and_outer_spaces(shop: SearchEngine) -> None:
    query = SearchQuery("", category=" home & KITCHEN ", sort=Sort.NAME)
    assert ids(shop, query) == ["P6", "P4", "P5"]
    assert ids(shop, SearchQuery("", category="Garden")) == []


def test_the_stock_filter_narrows_both_ways(shop: SearchEngine) -> None:
    assert ids(shop, SearchQuery("speaker", in_stock=False)) == ["P2"]
    assert ids(shop, SearchQuery("speaker", in_stock=True)) == []
    assert ids(shop, SearchQuery("headphones", in_stock=False)) == ["P2"]
    assert ids(shop, SearchQuery("headphones", in_stock=True)) == ["P1", "P3"]


def test_price_bounds_in_cents_include_both_ends(shop: SearchEngine) -> None:
    query = SearchQuery("", min_cents=2500, max_cents=4500, sort=Sort.PRICE_ASC)
    assert ids(shop, query) == ["P3", "P4", "P6", "P5"]
    assert ids(shop, SearchQuery("", min_cents=4501, max_cents=8950)) == ["P2"]
    assert ids(shop, SearchQuery("", max_cents=599)) == ["P7"]


@pytest.mark.parametrize("in_stock", [None, True, False])
@pytest.mark.parametrize("bounds", [(None, None), (0, 0), (None, 1000), (999, None), (500, 2000)])
def test_stock_and_price_filters_combine(
    in_stock: bool | None, bounds: tuple[int | None, int | None]
) -> None:
    products = [
        product(f"P{i}", "Kettle", price=price, stock=stock)
        for i, (price, stock) in enumerate(
            [("0", 0), ("0", 3), ("9.99", 0), ("9.99", 1), ("10.00", 0), ("20.00", 2), ("20.01", 0)]
        )
    ]
    low, high = bounds
    expected = [
        p.productID
        for p in products
        if (in_stock is None or p.in_stock == in_stock)
        and (low is None or p.price * 100 >= low)
        and (high is None or p.price * 100 <= high)
    ]
    query = SearchQuery("kettle", min_cents=low, max_cents=high, in_stock=in_stock, per_page=50)
    assert sorted(ids(engine_of(products), query)) == sorted(expected)


def test_a_price_is_compared_in_whole_cents_rounded_half_even() -> None:
    engine = engine_of(
        [product("P1", "Kettle", price="10.005"), product("P2", "Pot", price="10.015")]
    )
    assert ids(engine, SearchQuery("", min_cents=1000, max_cents=1000)) == ["P1"]
    assert ids(engine, SearchQuery("", min_cents=1002, max_cents=1002)) == ["P2"]


def test_a_price_beyond_any_limit_is_held_as_the_dearest_and_the_writer_goes_on() -> None:
    engine = engine_of(CATALOG)
    fortune = product("P8", "Golden Kettle", price="1e30")  # no 64-bit integer holds its cents
    engine.apply([fortune, product("P9", "Free Kettle", price="-1")], [])
    assert ids(engine, SearchQuery("kettle", sort=Sort.PRICE_DESC))[0] == "P8"
    assert ids(engine, SearchQuery("kettle", sort=Sort.PRICE_ASC))[0] == "P9"
    engine.apply([product("P10", "Copper Kettle")], [])
    assert ids(engine, SearchQuery("copper")) == ["P10"]


def test_equal_prices_are_ordered_by_name_in_both_directions(shop: SearchEngine) -> None:
    assert ids(shop, SearchQuery("", sort=Sort.PRICE_ASC)) == [
        "P7", "P3", "P4", "P6", "P5", "P2", "P1"
    ]  # fmt: skip
    assert ids(shop, SearchQuery("", sort=Sort.PRICE_DESC)) == [
        "P1", "P2", "P6", "P5", "P4", "P3", "P7"
    ]  # fmt: skip


def test_without_words_relevance_is_the_name_order(shop: SearchEngine) -> None:
    by_name = ids(shop, SearchQuery("", sort=Sort.NAME))
    assert by_name == ["P7", "P6", "P4", "P3", "P5", "P2", "P1"]  # "Café" sorts as "cafe"
    assert ids(shop, SearchQuery("")) == by_name


def test_names_alike_in_their_first_letters_are_still_sorted_by_the_rest() -> None:
    names = ["Classic Steel Kettle", "Classic Steel Atlas", "Classic Steel Kettle 2", "Classic"]
    engine = engine_of(product(f"P{i}", n) for i, n in enumerate(names))
    ordered = [p.name for p in engine.search(SearchQuery("", sort=Sort.NAME))[0]]
    assert ordered == sorted(names, key=str.lower)


@pytest.mark.parametrize("count", [300, 2100])  # sorted whole here; asked for again by name
def test_many_names_alike_in_their_first_letters_are_sorted_by_the_rest_on_every_page(
    count: int,
) -> None:
    rng = random.Random(count)
    words = ["Tent", "tarp", "Stove", "stool", "Lamp", "Mat", "Mug"]
    products = [
        product(f"F{i:04d}", f"Featherweight {rng.choice(words)} {rng.randint(1, 9)}")
        for i in range(count)
    ]
    engine = engine_of(products)
    expected = [p.productID for p in sorted(products, key=lambda p: (p.name.lower(), p.productID))]
    for page in (1, 2, 3, count // 20):
        query = SearchQuery("", sort=Sort.NAME, page=page, per_page=20)
        assert ids(engine, query) == expected[(page - 1) * 20 : page * 20]


def test_pages_cover_every_match_once_and_report_the_total(shop: SearchEngine) -> None:
    seen: list[str] = []
    for page in (1, 2, 3, 4):
        items, total = shop.search(SearchQuery("", per_page=2, page=page))
        assert total == len(CATALOG)
        seen += [p.productID for p in items]
    assert sorted(seen) == sorted(p.productID for p in CATALOG)
    assert len(seen) == len(set(seen))


def test_a_page_past_the_end_is_empty_but_keeps_the_total(shop: SearchEngine) -> None:
    assert shop.search(SearchQuery("headphones", page=9)) == ([], 3)


def twins(count: int) -> list[Product]:
    """Products alike in all but id and price: every search ties them."""
    rng = random.Random(count)
    return [
        product(f"T{i:04d}", "Nordic Oak Kettle", description="A kettle.",
                price=str(rng.choice((10, 20))))
        for i in rng.sample(range(count), count)
    ]  # fmt: skip


@pytest.mark.parametrize("sort", list(Sort))
def test_ties_are_ordered_by_id_whatever_order_the_products_came_in(sort: Sort) -> None:
    products = twins(60)
    shuffled = engine_of(products)
    ordered = engine_of(sorted(products, key=lambda p: p.productID, reverse=True))
    # Updating moves a product's document to a newer segment; the order must not see it.
    ordered.apply([replace(p, stock=0) for p in products[::3]], [])
    ordered.apply([replace(p, stock=5) for p in products[::3]], [])
    for page in (1, 2, 3):
        query = SearchQuery("kettle", sort=sort, page=page, per_page=25)
        assert ids(shuffled, query) == ids(ordered, query)
    everything = ids(shuffled, SearchQuery("kettle", sort=sort, per_page=100))
    by_price = sorted(products, key=lambda p: (p.price, p.productID))
    if sort is Sort.PRICE_ASC:
        assert everything == [p.productID for p in by_price]
    elif sort is not Sort.PRICE_DESC:
        assert everything == sorted(everything)


def test_a_large_tie_on_relevance_still_pages_without_repeats() -> None:
    engine = engine_of(twins(700))  # more ties than are settled by id
    seen: list[str] = []
    for page in range(1, 9):
        seen += ids(engine, SearchQuery("kettle", page=page, per_page=100))
    assert sorted(seen) == sorted(p.productID for p in twins(700))


def test_categories_are_counted_under_their_latest_label() -> None:
    engine = engine_of(CATALOG)
    assert engine.categories() == [("Audio", 2), ("Computers", 2), ("Home & Kitchen", 3)]
    engine.apply([replace(CATALOG[0], category="AUDIO")], ["P7", "P3"])
    assert engine.categories() == [("AUDIO", 2), ("Home & Kitchen", 3)]


def test_a_changed_product_is_found_by_its_new_words_only() -> None:
    engine = engine_of(CATALOG)
    engine.apply([product("P5", "Copper Kettle", category="Home & Kitchen")], [])
    assert ids(engine, SearchQuery("copper")) == ["P5"]
    assert ids(engine, SearchQuery("oak")) == []
    assert len(engine) == len(CATALOG)


def test_a_removed_product_is_no_longer_found_or_counted() -> None:
    engine = engine_of(CATALOG)
    engine.apply([], ["P1", "P-never-seen"])
    assert "P1" not in ids(engine, SearchQuery("headphones"))
    assert engine.get("P1") is None
    assert len(engine) == len(CATALOG) - 1
    assert ("Audio", 1) in engine.categories()


def test_stock_and_price_changes_move_a_product_between_filters() -> None:
    engine = engine_of(CATALOG)
    restocked = replace(CATALOG[1], stock=4, price=Decimal("9.00"))
    engine.apply([restocked], [])
    assert "P2" in ids(engine, SearchQuery("", in_stock=True))
    assert ids(engine, SearchQuery("", in_stock=False)) == []
    assert ids(engine, SearchQuery("", min_cents=800, max_cents=900)) == ["P2"]
    assert engine.get("P2") is restocked


def test_a_stock_change_that_keeps_a_product_in_stock_is_answered_as_it_is_now() -> None:
    engine = engine_of(CATALOG)
    fewer = replace(CATALOG[4], stock=1)
    engine.apply([fewer], [])
    assert engine.search(SearchQuery("kettle"))[0] == [fewer]


def test_the_version_moves_when_a_search_could_answer_other_products() -> None:
    engine = SearchEngine()
    assert engine.version == 0
    engine.load(CATALOG)
    engine.finish_load()
    loaded = engine.version
    assert loaded > 0
    engine.apply([replace(CATALOG[0], stock=2)], [])  # still in stock: the same answers
    assert engine.version == loaded
    engine.apply([replace(CATALOG[0], stock=0)], [])  # the in-stock filter leaves it out now
    assert engine.version == loaded + 1
    engine.apply([], ["P2"])
    assert engine.version == loaded + 2


def test_the_same_product_twice_in_a_load_keeps_the_last() -> None:
    renamed = replace(CATALOG[4], name="Copper Kettle")
    engine = engine_of([*CATALOG, renamed])
    assert ids(engine, SearchQuery("kettle")) == ["P5"]
    assert engine.get("P5") is renamed
    assert ids(engine, SearchQuery("oak")) == []


async def test_searches_run_in_threads_while_batches_are_applied() -> None:
    engine = engine_of(twins(200))
    changes = [[replace(p, stock=i % 2) for p in twins(200)[i::10]] for i in range(10)]

    async def write() -> None:
        for batch in changes:
            await asyncio.to_thread(engine.apply, batch, [])

    async def read() -> list[int]:
        return [
            (await asyncio.to_thread(engine.search, SearchQuery("kettle", per_page=50)))[1]
            for _ in range(20)
        ]

    _, *totals = await asyncio.gather(write(), read(), read())
    assert {t for found in totals for t in found} == {200}
