"""What the shop sells: its categories and their kinds, and the kind a product's name speaks of.

The generated catalog is drawn from these (ops/catalog.py); a product's picture shows its kind.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

from ecomm.core.domain.kinds import Category, Kind
from ecomm.core.domain.kinds_home import AUDIO, COMPUTERS, GARDEN, HOME, LIGHTING
from ecomm.core.domain.kinds_leisure import BEAUTY, BOOKS, FASHION, OUTDOORS, SPORTS, TOYS

CATEGORIES: tuple[Category, ...] = (
    AUDIO, BEAUTY, BOOKS, COMPUTERS, FASHION, GARDEN, HOME, LIGHTING, OUTDOORS, SPORTS, TOYS,
)  # fmt: skip
_KIND_NAMES = {k.name.lower(): k.name for c in CATEGORIES for k in c.kinds}


def _kind_pattern(kinds: Iterable[Kind]) -> re.Pattern[str]:
    names = sorted((k.name for k in kinds), key=len, reverse=True)
    return re.compile(r"\b(?:" + "|".join(map(re.escape, names)) + r")\b", re.IGNORECASE)


_KIND_PATTERNS = {c.name: _kind_pattern(c.kinds) for c in CATEGORIES}
_ANY_KIND = _kind_pattern(k for c in CATEGORIES for k in c.kinds)


def kind_of(name: str, category: str) -> str | None:
    """The kind of product a name speaks of ("Desk Lamp"), among its category's kinds (all
    kinds for a category we do not generate); None when it names none, as an operator's
    product may."""
    found = _KIND_PATTERNS.get(category, _ANY_KIND).search(name)
    return _KIND_NAMES[found.group(0).lower()] if found else None
