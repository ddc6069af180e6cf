"""A search's parameters on the wire, and their limits: the one definition web and lookup use.

The shopper's browser sends them to web in the URL (`/search?q=...`), web sends the same names
to lookup (`GET /api/products?...`). Both read them with `read_search`, which bounds every value
before any arithmetic (a price is plain digits with at most two decimals: "1e-999999999" is 13
bytes that Decimal accepts and plain notation turns into a gigabyte of zeros) and names each
problem in words a shopper understands. Web shows a problem beside its field and searches
without it; lookup's API refuses the request with those words.

Lookup answers with `search_json`, web reads that with `SearchAnswer`: a page of products, how
many match in all, and for a search that found nothing, maybe other words to try ("did you mean").
A caller that also shows the catalog's categories asks for them with the search (`WITH_CATEGORIES`,
`with=categories`): one call to lookup per results page, not two.
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Annotated

from pydantic import BaseModel, ConfigDict, Field

from ecomm.core.contracts.products import CategoryBody, ProductBody, categories_list, items_json
from ecomm.core.domain.search import SearchQuery, Sort

MAX_QUERY_LENGTH = 200
MAX_CATEGORY_LENGTH = 100
MAX_PRICE = Decimal(1_000_000)
MAX_PAGE = 500
MAX_PER_PAGE = 100
PER_PAGE = 20
SORT_LABELS = {
    Sort.RELEVANCE: "Best match",
    Sort.PRICE_ASC: "Price: low to high",
    Sort.PRICE_DESC: "Price: high to low",
    Sort.NAME: "Name",
}
_PRICE = re.compile(r"[0-9]{1,7}(?:\.[0-9]{0,2})?|\.[0-9]{1,2}")
_COUNT = re.compile(r"[0-9]{1,4}")
# Not a search parameter: what else the answer carries. A search's links never hold it.
WITH_CATEGORIES = {"with": "categories"}
_TRUE, _FALSE = frozenset({"true", "1", "on"}), frozenset({"false", "0", "off"})


@dataclass(frozen=True)
class ReadSearch:
    """A search as read from parameters: what could be used, and what could not, by field."""

    query: SearchQuery
    problems: dict[str, str] = field(default_factory=dict)

    def message(self) -> str:
        return " ".join(self.problems.values())


def read_search(params: Mapping[str, str], *, per_page: int = PER_PAGE) -> ReadSearch:
    """Every parameter bounded; one that is not acceptable is left out and named in `problems`."""
    problems: dict[str, str] = {}
    text = " ".join(params.get("q", "").split())
    if len(text) > MAX_QUERY_LENGTH:
        problems["q"] = f"Please shorten your search to {MAX_QUERY_LENGTH} characters."
        text = ""
    category = params.get("category", "").strip()
    if len(category) > MAX_CATEGORY_LENGTH:
        problems["category"] = "There is no such category."
        category = ""
    low = _cents(params.get("min_price", ""), "lowest", "min_price", problems)
    high = _cents(params.get("max_price", ""), "highest", "max_price", problems)
    if low is not None and high is not None and low > high:
        problems["max_price"] = "The highest price must not be below the lowest price."
        high = None
    query = SearchQuery(
        text=text,
        category=category or None,
        min_cents=low,
        max_cents=high,
        in_stock=_flag(params.get("in_stock", ""), problems),
        sort=_sort(params.get("sort", ""), problems),
        page=_count(params.get("page", ""), "page", 1, MAX_PAGE, problems) or 1,
        per_page=_count(params.get("per_page", ""), "per_page", 1, MAX_PER_PAGE, problems)
        or per_page,
    )
    return ReadSearch(query, problems)


def search_params(query: SearchQuery) -> dict[str, str]:
    """The parameters that say `query`, defaults left out: for links, and for calling lookup."""
    params = {
        "q": query.text,
        "category": query.category or "",
        "min_price": "" if query.min_cents is None else price_text(query.min_cents),
        "max_price": "" if query.max_cents is None else price_text(query.max_cents),
        "in_stock": "" if query.in_stock is None else str(query.in_stock).lower(),
        "sort": "" if query.sort is Sort.RELEVANCE else query.sort.value,
        "page": "" if query.page == 1 else str(query.page),
        "per_page": "" if query.per_page == PER_PAGE else str(query.per_page),
    }
    return {k: v for k, v in params.items() if v}


def price_text(cents: int) -> str:
    """Cents as a price in plain notation: 2500 -> "25", 1999 -> "19.99"."""
    whole, part = divmod(cents, 100)
    return str(whole) if part == 0 else f"{whole}.{part:02d}"


def _cents(raw: str, label: str, name: str, problems: dict[str, str]) -> int | None:
    raw = raw.strip()
    if not raw:
        return None
    if not _PRICE.fullmatch(raw):
        problems[name] = f"The {label} price must be a number, like 25 or 9.99."
        return None
    value = Decimal(raw)
    if value > MAX_PRICE:
        problems[name] = f"The {label} price must be between 0 and {MAX_PRICE:,}."
        return None
    return int(value * 100)


def _count(raw: str, name: str, low: int, high: int, problems: dict[str, str]) -> int | None:
    raw = raw.strip()
    if not raw:
        return None
    if not _COUNT.fullmatch(raw) or not low <= int(raw) <= high:
        problems[name] = f"The {name.replace('_', ' ')} must be a number from {low} to {high}."
        return None
    return int(raw)


def _flag(raw: str, problems: dict[str, str]) -> bool | None:
    value = raw.strip().lower()
    if not value:
        return None
    if value in _TRUE or value in _FALSE:
        return value in _TRUE
    problems["in_stock"] = "“In stock only” is either on or off."
    return None


def _sort(raw: str, problems: dict[str, str]) -> Sort:
    try:
        return Sort(raw.strip() or Sort.RELEVANCE)
    except ValueError:
        problems["sort"] = "Please choose one of the offered sort orders."
        return Sort.RELEVANCE


def wants_categories(params: Mapping[str, str]) -> bool:
    return params.get("with") == WITH_CATEGORIES["with"]


def search_json(
    items: list[bytes],
    *,
    total: int,
    page: int,
    per_page: int,
    suggestion: str | None,
    categories: list[tuple[str, int]] | None = None,
) -> bytes:
    """A search's page from its products' JSON bytes: `{"items", "total", "page", "per_page"}`,
    `"suggestion"`, other words to search for, when a search that found nothing has them, and
    `"categories"` (every category and its product count, as `/api/categories` has them) when
    asked for."""
    body = items_json(items, total=total, page=page, per_page=per_page)
    if suggestion is not None:
        body = body[:-1] + b', "suggestion": %s}' % json.dumps(suggestion).encode()
    if categories is not None:
        body = body[:-1] + b', "categories": %s}' % categories_list(categories)
    return body


class SearchAnswer(BaseModel):
    model_config = ConfigDict(extra="ignore", frozen=True)

    items: list[ProductBody]
    total: int
    page: int = 1
    per_page: int = PER_PAGE
    # Lookup's correction of a search that found nothing ("did you mean").
    suggestion: Annotated[str | None, Field(max_length=MAX_QUERY_LENGTH)] = None
    categories: list[CategoryBody] | None = None  # when asked for (`WITH_CATEGORIES`)
