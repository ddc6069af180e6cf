"""Search terms that match the generated catalog, so searches find what shoppers would."""

from __future__ import annotations

import random
import re

from ecomm.ops.catalog import generate

_WORD = re.compile(r"[A-Za-z]+")
SAMPLE_PRODUCTS = 400


def catalog_words(sample: int = SAMPLE_PRODUCTS) -> list[str]:
    """The words of the first `sample` product names and categories, lowercased, sorted."""
    found: set[str] = set()
    for product in generate(sample):
        for text in (product.name, product.category):
            found.update(w.lower() for w in _WORD.findall(text) if len(w) > 2)
    return sorted(found)


def search_term(words: list[str], rng: random.Random) -> str:
    """Mostly one word; sometimes two, or the start of one (as people type while thinking)."""
    roll = rng.random()
    word = rng.choice(words)
    if roll < 0.15:
        return f"{word} {rng.choice(words)}"
    if roll < 0.25 and len(word) > 4:
        return word[:4]
    return word
