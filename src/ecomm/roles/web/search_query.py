"""A search as the shopper wrote it in the URL: parsed, bounded, and written back into links.

Filters, sort and page all live in the query string, so a result page can be bookmarked,
shared and reloaded, and the pagination links keep every filter.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, replace
from decimal import Decimal
from typing import Any
from urllib.parse import urlencode

MAX_QUERY = 200
MAX_PAGE = 500
PER_PAGE = 20
MAX_PRICE = Decimal(1_000_000)
SORTS = {
    "relevance": "Best match",
    "price_asc": "Price: low to high",
    "price_desc": "Price: high to low",
    "name": "Name",
}


class BadSearch(ValueError):
    """A search parameter a person can fix; the message says how."""


# Plain notation only, matched before any arithmetic: "1e-999999999" is 13 bytes that Decimal
# accepts and that formatting in plain notation turns into a gigabyte of zeros.
_PRICE = re.compile(r"[0-9]{1,7}(?:\.[0-9]{0,2})?|\.[0-9]{1,2}")
_PAGE = re.compile(r"[0-9]{1,4}")


def _price(raw: str, label: str) -> Decimal | None:
    if not raw:
        return None
    if not _PRICE.fullmatch(raw):
        raise BadSearch(f"The {label} price must be a number, like 25 or 9.99.")
    value = Decimal(raw)
    if value > MAX_PRICE:
        raise BadSearch(f"The {label} price must be between 0 and {MAX_PRICE:,}.")
    return value


@dataclass(frozen=True)
class SearchQuery:
    q: str = ""
    category: str = ""
    min_price: Decimal | None = None
    max_price: Decimal | None = None
    in_stock: bool = False
    sort: str = "relevance"
    page: int = 1

    @classmethod
    def parse(cls, query: Mapping[str, str]) -> SearchQuery:
        """Raises `BadSearch` for input no page could answer."""
        q = " ".join(query.get("q", "").split())
        if len(q) > MAX_QUERY:
            raise BadSearch(f"Please shorten your search to {MAX_QUERY} characters.")
        category = query.get("category", "").strip()[:100]
        low = _price(query.get("min_price", "").strip(), "lowest")
        high = _price(query.get("max_price", "").strip(), "highest")
        if low is not None and high is not None and low > high:
            raise BadSearch("The lowest price must not be above the highest price.")
        sort = query.get("sort", "") or "relevance"
        if sort not in SORTS:
            raise BadSearch("Please choose one of the offered sort orders.")
        raw_page = query.get("page", "1").strip() or "1"
        if not _PAGE.fullmatch(raw_page) or not 1 <= int(raw_page) <= MAX_PAGE:
            raise BadSearch(f"The page must be a number from 1 to {MAX_PAGE}.")
        in_stock = query.get("in_stock", "") in {"1", "true", "on"}
        return cls(q, category, low, high, in_stock, sort, int(raw_page))

    def filters(self) -> dict[str, str]:
        """The filters in effect, as strings: for links and for the ProductSearched event."""
        chosen: dict[str, Any] = {
            "category": self.category,
            "min_price": self.min_price,
            "max_price": self.max_price,
            "in_stock": "true" if self.in_stock else "",
            "sort": "" if self.sort == "relevance" else self.sort,
        }
        return {k: str(v) for k, v in chosen.items() if v not in (None, "")}

    def lookup_params(self) -> dict[str, str]:
        params = {"q": self.q, **self.filters(), "page": str(self.page), "per_page": str(PER_PAGE)}
        params.setdefault("sort", self.sort)
        return {k: v for k, v in params.items() if v}

    def key(self) -> tuple[tuple[str, str], ...]:
        """Equal for searches whose pages are identical: the parameters exactly as shown."""
        return tuple(sorted(self.lookup_params().items()))

    def url(self, **changes: Any) -> str:
        """This search's URL with some fields changed, e.g. `url(page=3)`."""
        changed = replace(self, **changes)
        params = {"q": changed.q, **changed.filters()}
        if changed.page > 1:
            params["page"] = str(changed.page)
        return "/search?" + urlencode({k: v for k, v in params.items() if v})

    @property
    def is_filtered(self) -> bool:
        return bool(self.filters().keys() - {"sort"})


def page_numbers(current: int, last: int, around: int = 2) -> list[int | None]:
    """Page links to show: first, last and a window around the current one; None is a gap."""
    shown = sorted({1, last, *range(max(1, current - around), min(last, current + around) + 1)})
    numbers: list[int | None] = []
    for n in shown:
        if numbers and n - (numbers[-1] or 0) > 1:
            numbers.append(None)
        numbers.append(n)
    return numbers
