from __future__ import annotations

import pytest

from ecomm.core.domain.search import SearchQuery, Sort
from ecomm.roles.lookup.search import search
from tests.unit.lookup.catalogs import index_of, product

CATALOG = [
    product(
        "P1",
        "Wireless Headphones",
        description="Over-ear, with a carrying case.",
        price="199.00",
        stock=3,
    ),
    product(
        "P2",
        "Studio Speaker",
        description="Pairs with wireless headphones.",
        price="89.50",
        stock=0,
    ),
    product("P3", "Headphone Stand", category="Computers", price="25.00", stock=10),
    product("P4", "Crème Brûlée Torch", category="Home & Kitchen", price="30.00", stock=2),
    product("P5", "Oak Kettle", category="Home & Kitchen", price="45.00", stock=7),
    product(
        "P6",
        "Café Grinder",
        category="Home & Kitchen",
        description="Burr grinder for kettle coffee.",
        price="45.00",
    ),
    product("P7", "Audio Cable", category="Computers", description="For audio gear.", price="5.99"),
]


def ids(query: SearchQuery, catalog: list = CATALOG) -> list[str]:  # type: ignore[type-arg]
    return [p.productID for p in search(index_of(catalog), query).items]


def test_a_word_in_the_name_ranks_above_the_same_word_in_a_description() -> None:
    assert ids(SearchQuery("headphones")) == ["P1", "P2"]


def test_typos_are_only_guessed_when_nothing_matches_as_typed() -> None:
    # "headphones" matches as typed, so P3's "headphone", one letter away, is not guessed at.
    assert "P3" not in ids(SearchQuery("headphones"))


def test_an_exact_word_ranks_above_a_prefix_of_a_longer_one() -> None:
    # P3 has "headphone" exactly; P1 has "headphones", which "headphone" only prefixes.
    assert ids(SearchQuery("headphone"))[:2] == ["P3", "P1"]


def test_a_category_match_ranks_between_name_and_description() -> None:
    # P7 has "audio" in its name (and description); P1 and P2 in their category, and tie.
    assert ids(SearchQuery("audio")) == ["P7", "P2", "P1"]


def test_a_prefix_finds_words_while_they_are_being_typed() -> None:
    assert set(ids(SearchQuery("headph"))) == {"P1", "P2", "P3"}


def test_several_words_must_all_match() -> None:
    assert ids(SearchQuery("wireless headphones")) == ["P1", "P2"]
    assert ids(SearchQuery("wireless kettle")) == []


def test_case_and_accents_do_not_matter() -> None:
    assert ids(SearchQuery("CREME brulee")) == ["P4"]
    assert ids(SearchQuery("café")) == ["P6"]
    assert ids(SearchQuery("cafe")) == ["P6"]


@pytest.mark.parametrize("typo", ["hedphones", "headphnoes", "headphonesz", "headphonez"])
def test_one_typo_in_a_long_word_is_forgiven(typo: str) -> None:
    assert "P1" in ids(SearchQuery(typo))


def test_short_words_are_not_matched_fuzzily() -> None:
    assert ids(SearchQuery("oat")) == []  # "oak" is one letter away, but too short to guess


def test_a_single_letter_is_not_yet_a_prefix() -> None:
    assert ids(SearchQuery("h")) == []


def test_stopwords_alone_do_not_match_everything() -> None:
    assert ids(SearchQuery("for the")) == []
    assert ids(SearchQuery("the kettle")) == ids(SearchQuery("kettle"))


def test_filters_narrow_the_matches() -> None:
    assert ids(SearchQuery("", category="home & KITCHEN", sort=Sort.NAME)) == ["P6", "P4", "P5"]
    assert ids(SearchQuery("headphones", in_stock=False)) == ["P2"]
    assert ids(SearchQuery("", min_cents=2500, max_cents=4500, sort=Sort.PRICE_ASC)) == [
        "P3",
        "P4",
        "P6",
        "P5",
    ]
    assert ids(SearchQuery("", category="Garden")) == []


def test_equal_prices_are_ordered_by_name_in_both_directions() -> None:
    cheap_first = ids(SearchQuery("", sort=Sort.PRICE_ASC))
    dear_first = ids(SearchQuery("", sort=Sort.PRICE_DESC))
    assert cheap_first == ["P7", "P3", "P4", "P6", "P5", "P2", "P1"]
    assert dear_first == ["P1", "P2", "P6", "P5", "P4", "P3", "P7"]


def test_pages_cover_every_match_once_and_report_the_total() -> None:
    seen: list[str] = []
    for page in (1, 2, 3, 4):
        result = search(index_of(CATALOG), SearchQuery("", per_page=2, page=page))
        assert result.total == len(CATALOG)
        seen += [p.productID for p in result.items]
    assert sorted(seen) == sorted(p.productID for p in CATALOG)
    assert len(seen) == len(set(seen))


def test_a_page_past_the_end_is_empty_but_keeps_the_total() -> None:
    result = search(index_of(CATALOG), SearchQuery("headphones", page=9))
    assert (result.items, result.total) == ([], 2)


def test_a_changed_product_is_found_by_its_new_words_only() -> None:
    index = index_of(CATALOG)
    index.upsert(product("P5", "Copper Kettle", category="Home & Kitchen"))
    assert [p.productID for p in search(index, SearchQuery("copper")).items] == ["P5"]
    assert search(index, SearchQuery("oak")).total == 0


def test_a_removed_product_is_no_longer_found() -> None:
    index = index_of(CATALOG)
    index.remove("P1")
    assert "P1" not in [p.productID for p in search(index, SearchQuery("headphones")).items]
    assert index.get("P1") is None


def test_categories_are_counted_under_their_label() -> None:
    index = index_of(CATALOG)
    assert index.categories() == [("Audio", 2), ("Computers", 2), ("Home & Kitchen", 3)]
    index.remove("P7")
    index.remove("P3")
    assert index.categories() == [("Audio", 2), ("Home & Kitchen", 3)]


def test_stock_changes_move_a_product_between_the_stock_filters() -> None:
    index = index_of(CATALOG)
    index.upsert(product("P2", "Studio Speaker", price="89.50", stock=4))
    assert "P2" in [p.productID for p in search(index, SearchQuery("", in_stock=True)).items]
    assert search(index, SearchQuery("", in_stock=False)).total == 0
