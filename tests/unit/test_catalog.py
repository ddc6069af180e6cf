"""The generated catalog reads like a shop: kinds, materials, prices and words that fit."""

from __future__ import annotations

import re
from collections import defaultdict
from decimal import Decimal

import pytest

from ecomm.core.domain.products import Product
from ecomm.ops.catalog import CATEGORIES, generate, kind_of

SAMPLE = list(generate(20_000))
KINDS = {kind.name: kind for category in CATEGORIES for kind in category.kinds}
CATEGORY_OF = {kind.name: category.name for category in CATEGORIES for kind in category.kinds}

# Pairs a shopper laughs at: a kind, and words its name or description must never carry.
FORBIDDEN = {
    "Headphones": ("walnut", "bamboo", "wool", "granite", "ceramic", "linen"),
    "Earbuds": ("oak", "granite", "cotton", "maple"),
    "Coffee Grinder": ("cotton", "wool", "linen", "velvet"),
    "Turntable": ("wool", "cotton", "linen", "velvet"),
    "USB-C Hub": ("bamboo", "walnut", "wool", "cotton", "oak"),
    "Kettle": ("cotton", "wool", "linen", "bamboo", "granite"),
    "Monitor": ("wool", "linen", "oak", "cotton"),
    "Tent": ("granite", "ceramic", "walnut", "copper"),
    "T-Shirt": ("granite", "steel", "ceramic", "walnut"),
    "Novel": ("steel", "bamboo", "wireless", "waterproof"),
    "Perfume": ("granite", "wool", "cotton"),
}


def _kind(product: Product) -> str:
    found = kind_of(product.name, product.category)
    assert found is not None, product.name
    return found


def _words(text: str) -> set[str]:
    return set(re.findall(r"[a-z]+", text.lower()))


def test_every_product_is_of_a_kind_of_its_own_category() -> None:
    for product in SAMPLE:
        assert CATEGORY_OF[_kind(product)] == product.category, product


@pytest.mark.parametrize("kind", sorted(FORBIDDEN))
def test_no_kind_is_paired_with_what_it_cannot_be(kind: str) -> None:
    products = [p for p in SAMPLE if _kind(p) == kind]
    assert len(products) > 100
    for product in products:
        clash = _words(f"{product.name} {product.description}") & set(FORBIDDEN[kind])
        assert not clash, f"{product.name}: {product.description}"


def test_names_are_unique() -> None:
    names = [p.name for p in SAMPLE]
    assert len(set(names)) == len(names)


@pytest.mark.slow
def test_names_stay_unique_once_every_combination_of_words_has_been_used() -> None:
    # Large enough for every kind to run out of combinations and start its second round.
    names = [p.name for p in generate(130_000)]
    assert len(set(names)) == len(names)
    assert any(" Mk II," in name for name in names)
    assert any(" (2nd Edition)," in name for name in names)


def test_prices_are_plausible_for_the_kind_and_end_like_shelf_prices() -> None:
    for product in SAMPLE:
        low, high = KINDS[_kind(product)].price
        assert Decimal(low) <= product.price < Decimal(high), product
        assert str(product.price)[-3:] in {".99", ".49", ".00"}, product.price


def test_a_larger_size_costs_more() -> None:
    prices: dict[str, list[Decimal]] = defaultdict(list)
    for product in SAMPLE:
        if _kind(product) == "Tent":
            prices[product.name.rsplit(", ", 1)[1]].append(product.price)
    means = [sum(prices[size]) / len(prices[size]) for size in KINDS["Tent"].finishes]
    assert means == sorted(means)


def test_stock_is_mostly_there_and_sometimes_sold_out() -> None:
    sold_out = sum(p.stock == 0 for p in SAMPLE)
    assert 0.02 < sold_out / len(SAMPLE) < 0.1
    assert all(p.stock >= 0 for p in SAMPLE)


def test_product_i_is_the_same_whatever_the_count() -> None:
    assert list(generate(40)) == SAMPLE[:40]
    assert list(generate(5_000))[4_321] == SAMPLE[4_321]
    assert [p.productID for p in SAMPLE[:3]] == ["P000001", "P000002", "P000003"]
    assert list(generate(40, seed=7)) != SAMPLE[:40]


def test_descriptions_speak_of_the_kind() -> None:
    for product in SAMPLE:
        assert _kind(product).lower() in product.description.lower(), product


def test_the_words_shoppers_search_for_are_in_a_default_catalog() -> None:
    words = set().union(*(_words(f"{p.name} {p.description}") for p in SAMPLE[:2000]))
    wanted = {"lamp", "coffee", "kettle", "bag", "headphones", "mug", "tent", "shoes", "book"}
    assert wanted <= words


def test_every_category_offers_several_kinds() -> None:
    seen: dict[str, set[str]] = defaultdict(set)
    for product in SAMPLE[:2000]:
        seen[product.category].add(_kind(product))
    assert set(seen) == {category.name for category in CATEGORIES}
    assert all(len(kinds) >= 5 for kinds in seen.values())


@pytest.mark.parametrize(
    ("name", "category", "kind"),
    [
        ("Wireless Headphones", "Audio", "Headphones"),
        ("copper kettle", "Home & Kitchen", "Kettle"),
        ("Brass Desk Lamp", "Lighting", "Desk Lamp"),
        ("Oak Kettle", "Somewhere Else", "Kettle"),  # an operator's own category
        ("Kettlebell Rack", "Home & Kitchen", None),
        ("Gift Voucher", "Gifts", None),
        ("", "Audio", None),
    ],
)
def test_the_kind_is_read_from_the_name(name: str, category: str, kind: str | None) -> None:
    assert kind_of(name, category) == kind
