"""What a shopper expects a search to find, and in which order, in a small realistic shop."""

from __future__ import annotations

import pytest

from ecomm.core.domain.search import SearchQuery
from ecomm.roles.lookup.engine import SearchEngine
from tests.unit.lookup.catalogs import product

SHOP = [
    product("P01", "Sleeping Bag", category="Outdoors",
            description="Warm down sleeping bag for three seasons."),
    product("P02", "Duffel Bag", category="Outdoors", description="Waterproof, with a strap."),
    product("P03", "Tote Bag", category="Fashion", description="Canvas tote for the groceries."),
    product("P04", "Chef's Knife", category="Home & Kitchen",
            description="A 20 cm steel blade for everyday cooking."),
    product("P05", "Steak Knives, Set of 4", category="Home & Kitchen",
            description="Serrated, with walnut handles."),
    product("P06", "AA Batteries, 8 Pack", category="Electronics",
            description="Long-lasting alkaline cells."),
    product("P07", "Battery Charger", category="Electronics",
            description="Charges AA and AAA cells overnight."),
    product("P08", "Hiking Boots", category="Outdoors",
            description="Leather boots with a grippy sole."),
    product("P09", "Trail Running Shoes", category="Sports",
            description="Light shoes for running on trails."),
    product("P10", "Dome Tent", category="Outdoors", description="Two-person, quick to pitch."),
    product("P11", "Wireless Headphones", category="Audio", description="Noise-cancelling."),
    product("P12", "Headphone Case", category="Audio", description="Hard shell, for over-ear."),
    product("P13", "Oak Kettle", category="Home & Kitchen", description="With an oak handle."),
    product("P14", "Antique Oak Kettle Set", category="Home & Kitchen",
            description="A kettle and two cups."),
    product("P15", "Steel Kettle", category="Home & Kitchen", description="Brushed, 1.7 litres."),
    product("P16", "Brushed Steel Electric Kettle", category="Home & Kitchen",
            description="Boils in three minutes."),
    product("P17", "Steel Kettle Descaler Tablets", category="Home & Kitchen",
            description="Keeps a kettle clean."),
    product("P18", "Water Bottle", category="Outdoors", description="Keeps water cold all day."),
    product("P19", "Watering Can", category="Garden", description="Galvanised, five litres."),
    product("P20", "Wool Scarf", category="Fashion", description="Soft and warm."),
    product("P21", "Cashmere Scarf", category="Fashion", description="As warm as wool, lighter."),
    product("P22", "Wool Socks", category="Fashion", description="Thick socks for hiking."),
    product("P23", "Board Game", category="Toys", description="For the whole family."),
    product("P24", "Plush Bear", category="Toys", description="Soft, for toddlers."),
    product("P25", "Stunt Kite", category="Toys", description="Two lines, easy to fly."),
    product("P26", "Jigsaw Puzzle", category="Toys", description="A thousand pieces."),
    product("P27", "Coffee Grinder", category="Home & Kitchen", description="Burr grinder."),
    product("P28", "Coffee Mug", category="Home & Kitchen", description="Stoneware."),
    product("P29", "Leaf Blower", category="Garden", description="Cordless, for autumn leaves."),
    product("P30", "Garden Hose", category="Garden", description="Thirty metres, kink-free."),
    product("P31", "Pruning Shears", category="Garden", description="Bypass blades."),
    product("P32", "Kneeling Pad", category="Outdoors", description="Foam, for garden work."),
]  # fmt: skip
NAMES = {p.productID: p.name for p in SHOP}


@pytest.fixture(scope="module")
def shop() -> SearchEngine:
    engine = SearchEngine()
    engine.load(SHOP)
    engine.finish_load()
    return engine


def found(shop: SearchEngine, text: str) -> list[str]:
    """The names a search shows, best first."""
    return [p.name for p in shop.search(SearchQuery(text, per_page=50))[0]]


def names(*ids: str) -> list[str]:
    return [NAMES[i] for i in ids]


# -- plurals and stems -------------------------------------------------------------------------


def test_a_plural_finds_what_its_singular_finds(shop: SearchEngine) -> None:
    assert (
        sorted(found(shop, "bags"))
        == sorted(found(shop, "bag"))
        == sorted(names("P01", "P02", "P03"))
    )


@pytest.mark.parametrize("typed", ["battery", "batteries"])
def test_singular_and_plural_find_each_other(shop: SearchEngine, typed: str) -> None:
    assert sorted(found(shop, typed)) == sorted(names("P06", "P07"))


def test_an_irregular_plural_finds_the_singular_and_back_the_form_typed_first(
    shop: SearchEngine,
) -> None:
    assert found(shop, "knives") == names("P05", "P04")
    assert found(shop, "knife") == names("P04", "P05")


def test_a_word_finds_other_forms_of_it(shop: SearchEngine) -> None:
    assert found(shop, "hike") == names("P08", "P22")  # "Hiking Boots", then a description
    assert found(shop, "running shoe") == names("P09")


def test_the_word_as_typed_ranks_above_a_word_sharing_only_its_stem(shop: SearchEngine) -> None:
    # "watering" stems to "water": the Watering Can is found, after the Water Bottle.
    assert found(shop, "water")[:2] == names("P18", "P19")


# -- typos and prefixes ------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("typed", "meant"),
    [
        ("tnet", "P10"),  # two letters swapped in a short word
        ("sleping bag", "P01"),  # a letter missing
        ("kettel", "P13"),
        ("headfones", "P11"),  # two edits in a long word
        ("wirelss headphnoes", "P11"),
    ],
)
def test_a_typo_still_finds_what_was_meant(shop: SearchEngine, typed: str, meant: str) -> None:
    assert NAMES[meant] in found(shop, typed)


def test_a_short_word_is_not_guessed_at(shop: SearchEngine) -> None:
    assert found(shop, "oat") == []  # "oak" is one letter away, but "oat" is a word too


def test_the_last_word_is_matched_as_a_prefix_while_the_shopper_types(shop: SearchEngine) -> None:
    assert found(shop, "wireless head") == names("P11")
    assert found(shop, "coff") == names("P27", "P28")
    assert found(shop, "c") == []  # one letter is not yet a prefix


# -- several words, names, categories ----------------------------------------------------------


def test_every_word_must_match_and_names_with_all_of_them_come_first(shop: SearchEngine) -> None:
    assert found(shop, "wool scarf") == names("P20", "P21")  # not the Wool Socks
    assert found(shop, "wool kettle") == []


@pytest.mark.parametrize(
    ("typed", "first"), [("steel kettle", "P15"), ("oak kettle", "P13"), ("tote", "P03")]
)
def test_the_product_named_exactly_as_typed_comes_first(
    shop: SearchEngine, typed: str, first: str
) -> None:
    assert found(shop, typed)[0] == NAMES[first]


def test_a_category_word_finds_the_category(shop: SearchEngine) -> None:
    assert sorted(found(shop, "toys")) == sorted(names("P23", "P24", "P25", "P26"))
    assert found(shop, "kitchen knives") == names("P05", "P04")


def test_a_word_in_a_name_ranks_above_a_category_above_a_description(shop: SearchEngine) -> None:
    garden = found(shop, "garden")
    assert garden[0] == NAMES["P30"]  # Garden Hose
    assert garden[-1] == NAMES["P32"]  # only its description says garden
    assert sorted(garden[1:-1]) == sorted(names("P19", "P29", "P31"))


# -- did you mean ------------------------------------------------------------------------------


def test_a_search_that_finds_nothing_offers_a_correction_that_finds_something(
    shop: SearchEngine,
) -> None:
    assert found(shop, "cofee mgu") == []
    assert shop.suggest(SearchQuery("cofee mgu")) == "coffee mug"
    assert found(shop, "coffee mug") == names("P28")


def test_no_correction_is_offered_when_there_is_none_to_make(shop: SearchEngine) -> None:
    # Every word is known; they just never meet.
    assert shop.suggest(SearchQuery("wool kettle")) is None
    assert shop.suggest(SearchQuery("blorp")) is None
    assert shop.suggest(SearchQuery("the")) is None
