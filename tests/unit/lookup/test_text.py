from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from ecomm.roles.lookup.text import (
    fold,
    normalise_query,
    query_terms,
    tokens,
    within_one_edit,
    words,
)


def test_folding_removes_case_and_accents() -> None:
    assert fold("Crème BRÛLÉE") == "creme brulee"
    assert fold("Straße") == "strasse"
    assert fold("ÅNGSTRÖM") == "angstrom"


def test_words_split_on_punctuation_but_keep_possessives_whole() -> None:
    assert words("Chef's Knife, 20-cm (USB-C)") == ["chefs", "knife", "20", "cm", "usb", "c"]
    assert words("Chef\u2019s") == ["chefs"]  # a typographic apostrophe


def test_stopwords_are_not_indexed() -> None:
    assert tokens("The kettle for the kitchen") == {"kettle", "kitchen"}


def test_query_terms_drop_stopwords_and_repeats_but_keep_order() -> None:
    assert query_terms("the OAK kettle oak") == ["oak", "kettle"]
    assert query_terms("  ") == []


def test_a_query_of_stopwords_only_keeps_them() -> None:
    assert query_terms("The") == ["the"]


def test_trending_normalises_case_accents_and_whitespace() -> None:
    assert normalise_query("  Crème   Brûlée\t") == "creme brulee"


@pytest.mark.parametrize(
    ("a", "b", "expected"),
    [
        ("kettle", "kettle", True),
        ("kettle", "ketle", True),  # deletion
        ("kettle", "kettles", True),  # insertion
        ("kettle", "kettxe", True),  # substitution
        ("kettle", "kettel", True),  # two neighbours swapped
        ("kettle", "ktetle", True),
        ("kettle", "kettlexx", False),
        ("kettle", "kxttxe", False),
        ("abcde", "bcdef", False),
        ("abcd", "bacd", True),
        ("abcd", "badc", False),
    ],
)
def test_within_one_edit(a: str, b: str, expected: bool) -> None:
    assert within_one_edit(a, b) is expected
    assert within_one_edit(b, a) is expected


def _osa_distance(a: str, b: str) -> int:
    """Optimal string alignment distance, the textbook dynamic programme."""
    d = [[0] * (len(b) + 1) for _ in range(len(a) + 1)]
    for i in range(len(a) + 1):
        d[i][0] = i
    for j in range(len(b) + 1):
        d[0][j] = j
    for i in range(1, len(a) + 1):
        for j in range(1, len(b) + 1):
            cost = 0 if a[i - 1] == b[j - 1] else 1
            d[i][j] = min(d[i - 1][j] + 1, d[i][j - 1] + 1, d[i - 1][j - 1] + cost)
            if i > 1 and j > 1 and a[i - 1] == b[j - 2] and a[i - 2] == b[j - 1]:
                d[i][j] = min(d[i][j], d[i - 2][j - 2] + 1)
    return d[len(a)][len(b)]


@given(st.text("abc", max_size=6), st.text("abc", max_size=6))
def test_within_one_edit_is_an_osa_distance_of_at_most_one(a: str, b: str) -> None:
    assert within_one_edit(a, b) is (_osa_distance(a, b) <= 1)
