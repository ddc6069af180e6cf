"""A search of the catalog: words, filters, an order and a page, prices in whole cents."""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

NO_PRICE_LIMIT = 10**15  # cents: above any price a product can have


class Sort(StrEnum):
    RELEVANCE = "relevance"  # best match first; without words, by name
    PRICE_ASC = "price_asc"
    PRICE_DESC = "price_desc"
    NAME = "name"


@dataclass(frozen=True)
class SearchQuery:
    text: str = ""
    category: str | None = None
    min_cents: int | None = None
    max_cents: int | None = None
    in_stock: bool | None = None
    sort: Sort = Sort.RELEVANCE
    page: int = 1
    per_page: int = 20

    @property
    def offset(self) -> int:
        return (self.page - 1) * self.per_page

    @property
    def is_filtered(self) -> bool:
        return any(
            (self.category, self.min_cents is not None, self.max_cents is not None, self.in_stock)
        )
