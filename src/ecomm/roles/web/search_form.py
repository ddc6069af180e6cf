"""A search as the shopper wrote it in the URL: the query it asks, and the links that keep it.

Filters, sort and page all live in the query string, so a result page can be bookmarked,
shared and reloaded, and the pagination links keep every filter. The parameters are read by
the search contract (core/contracts/search.py), the same code lookup reads them with.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from decimal import Decimal
from functools import cached_property
from typing import Any
from urllib.parse import urlencode

from ecomm.core.contracts.search import PER_PAGE, price_text, read_search, search_params
from ecomm.core.domain.search import SearchQuery

_NOT_FILTERS = frozenset({"q", "page", "per_page"})


@dataclass(frozen=True)
class SearchForm:
    query: SearchQuery
    problems: dict[str, str] = field(default_factory=dict)  # by field: shown beside it
    typed: dict[str, str] = field(default_factory=dict)  # what was sent for those fields

    @classmethod
    def read(cls, params: Mapping[str, str]) -> SearchForm:
        read = read_search(params)
        typed = {name: params.get(name, "")[:200] for name in read.problems}
        # Pages of the shop show PER_PAGE results, whatever the URL asks.
        return cls(replace(read.query, per_page=PER_PAGE), read.problems, typed)

    @property
    def q(self) -> str:
        return self.query.text

    @property
    def category(self) -> str:
        return self.query.category or ""

    @property
    def min_price(self) -> str | None:
        cents = self.query.min_cents
        return self.typed.get("min_price") or (None if cents is None else price_text(cents))

    @property
    def max_price(self) -> str | None:
        cents = self.query.max_cents
        return self.typed.get("max_price") or (None if cents is None else price_text(cents))

    @property
    def in_stock(self) -> bool:
        return bool(self.query.in_stock)

    @property
    def sort(self) -> str:
        return self.query.sort.value

    @property
    def page(self) -> int:
        return self.query.page

    @property
    def is_filtered(self) -> bool:
        return self.query.is_filtered

    def filters(self) -> dict[str, str]:
        """The filters and sort in effect, as strings: for the ProductSearched event."""
        return {k: v for k, v in search_params(self.query).items() if k not in _NOT_FILTERS}

    def lookup_params(self) -> dict[str, str]:
        return search_params(self.query)

    def key(self) -> tuple[tuple[str, str], ...]:
        """Equal for searches whose pages are identical."""
        return tuple(sorted(self.lookup_params().items()))

    def url(self, **changes: Any) -> str:
        """This search's URL with some fields changed, e.g. `url(page=3)`; a change to None,
        "", False or page 1 leaves that parameter out."""
        params = {k: v for k, v in search_params(self.query).items() if k != "per_page"}
        for name, value in changes.items():
            if value in (None, "", False) or (name == "page" and value == 1):
                params.pop(name, None)
            elif isinstance(value, bool):
                params[name] = "true"
            else:
                params[name] = str(value) if not isinstance(value, Decimal) else f"{value:f}"
        return "/search?" + urlencode(params)

    def page_url(self, page: int) -> str:
        """`url(page=page)`, its other parameters encoded once: a results page links up to
        nine pages, and `urlencode` cost each link 15 µs. The page comes last in both."""
        base = self._without_page
        if page == 1:
            return "/search?" + base
        return f"/search?{base}&page={page}" if base else f"/search?page={page}"

    @cached_property
    def _without_page(self) -> str:
        params = search_params(self.query)
        return urlencode({k: v for k, v in params.items() if k not in ("page", "per_page")})


def page_numbers(current: int, last: int, around: int = 2) -> list[int | None]:
    """Page links to show: first, last and a window around the current one; None is a gap."""
    shown = sorted({1, last, *range(max(1, current - around), min(last, current + around) + 1)})
    numbers: list[int | None] = []
    for n in shown:
        if numbers and n - (numbers[-1] or 0) > 1:
            numbers.append(None)
        numbers.append(n)
    return numbers
