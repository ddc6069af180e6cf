"""Rendered search results, kept a moment for every shopper asking the same search."""

from __future__ import annotations

from dataclasses import dataclass

from markupsafe import Markup

from ecomm.roles.web.peers import Category
from ecomm.roles.web.ttl_cache import TtlCache


@dataclass(frozen=True)
class RenderedSearch:
    """A search's filters and results as HTML, the same for every shopper, and its total."""

    content: Markup
    total: int
    last_page: int
    answer: bytes  # lookup's, as sent: the same answer renders the same HTML
    categories: list[Category]


SearchKey = tuple[tuple[str, str], ...]
SearchPages = TtlCache[SearchKey, RenderedSearch]
CategoryList = TtlCache[str, list[Category]]
