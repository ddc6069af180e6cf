"""How the search engine reads names and words: the name order, and edit distances."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from ecomm.roles.lookup.engine_text import edit_distance, name_order, plural_variants

CHARS = "ab -/9\x01\x7f\u00e9\u4e00"


@st.composite
def name_pairs(draw: st.DrawFn) -> tuple[str, str]:
    """Two names that share a beginning, as names that sort near each other do."""
    shared = draw(st.text(alphabet=CHARS, max_size=14) | st.text(max_size=14))
    return shared + draw(st.text(alphabet=CHARS, max_size=10)), shared + draw(
        st.text(alphabet=CHARS, max_size=10)
    )


@given(name_pairs())
def test_the_name_order_numbers_never_contradict_the_names(pair: tuple[str, str]) -> None:
    a, b = pair
    if name_order(a) < name_order(b):
        assert a < b
    if a <= b:
        assert name_order(a) <= name_order(b)


@pytest.mark.parametrize(
    ("a", "b", "distance"),
    [("kettle", "kettle", 0), ("ketle", "kettle", 1), ("kettel", "kettle", 1),
     ("headfones", "headphones", 2), ("tnet", "tent", 1), ("abc", "xyz", 3)],
)  # fmt: skip
def test_edit_distance_counts_a_swap_as_one_edit(a: str, b: str, distance: int) -> None:
    assert edit_distance(a, b, 3) == distance
    assert edit_distance(a, b, 0) == min(distance, 1)


@pytest.mark.parametrize(
    ("word", "other"),
    [("knives", "knife"), ("knife", "knives"), ("shelves", "shelf"), ("mice", "mouse")],
)
def test_the_plural_forms_the_stemmer_misses_are_named(word: str, other: str) -> None:
    assert other in plural_variants(word)
