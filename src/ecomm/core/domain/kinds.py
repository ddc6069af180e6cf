"""What the generated catalog sells: per category, the kinds of product and what fits each.

A kind carries only the variants (materials, types), finishes (colours, sizes, editions),
price range and sentences that belong to it, so a generated name or description never pairs
a kind with something it cannot be made of. Placeholders in `intro`: {v} is the variant in
lower case, {f} the finish in lower case.
"""

from __future__ import annotations

from dataclasses import dataclass

DEFAULT_NAME = "{brand} {adjective} {variant} {kind}{again}, {finish}"
BOOK_EDITION = " ({ordinal} Edition)"
MODEL_MARK = " Mk {roman}"


@dataclass(frozen=True)
class Kind:
    name: str
    price: tuple[int, int]  # whole units: from the first, below the second
    variants: tuple[str, ...]
    finishes: tuple[str, ...]
    intro: str
    features: tuple[str, ...]
    template: str = DEFAULT_NAME  # names the kind word for word: kind_of() reads it back
    adjectives: tuple[str, ...] = ()  # empty: the category's
    sized: bool = False  # finishes run from small to large, and the price follows them
    again: str = MODEL_MARK  # marks a name's next round once its combinations run out


@dataclass(frozen=True)
class Category:
    name: str
    brands: tuple[str, ...]
    adjectives: tuple[str, ...]
    closings: tuple[str, ...]
    kinds: tuple[Kind, ...]


RETURNS = "Free returns within 30 days."
WARRANTY = "Covered by a two-year warranty."
