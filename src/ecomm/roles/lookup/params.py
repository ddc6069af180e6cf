"""Search parameters as they arrive over HTTP, validated at the edge into a `SearchQuery`.

Bad input is answered with a 400 that names the parameter, before any work is done: a 10 KB
query, a negative page, a hundred thousand results per page, a price range that is backwards.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from decimal import Decimal
from typing import Annotated, Self

from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator

from ecomm.roles.lookup.search import SearchQuery, Sort

MAX_QUERY_LENGTH = 200
MAX_PER_PAGE = 100
MAX_PAGE = 10_000
MAX_PRICE = Decimal(10**9)

Price = Annotated[Decimal, Field(ge=0, le=MAX_PRICE)]


class InvalidParameters(ValueError):
    """The request's parameters cannot be searched with; the message says why."""


class SearchParams(BaseModel):
    model_config = ConfigDict(extra="ignore", frozen=True)

    q: Annotated[str, Field(max_length=MAX_QUERY_LENGTH)] = ""
    category: Annotated[str, Field(max_length=100)] | None = None
    min_price: Price | None = None
    max_price: Price | None = None
    in_stock: bool | None = None
    sort: Sort = Sort.RELEVANCE
    page: Annotated[int, Field(ge=1, le=MAX_PAGE)] = 1
    per_page: Annotated[int, Field(ge=1, le=MAX_PER_PAGE)] = 20

    @model_validator(mode="after")
    def _range_is_forwards(self) -> Self:
        if (
            self.min_price is not None
            and self.max_price is not None
            and self.min_price > self.max_price
        ):
            raise ValueError("min_price must not be greater than max_price")
        return self

    @classmethod
    def parse(cls, query: Mapping[str, str]) -> SearchParams:
        """From a request's query string; an empty value means the parameter was not given."""
        values = {k: v for k, v in query.items() if v.strip()}
        try:
            return cls.model_validate(values)
        except ValidationError as exc:
            raise InvalidParameters(_describe(exc)) from exc

    def to_query(self) -> SearchQuery:
        return SearchQuery(
            text=self.q,
            category=self.category,
            # Prices are compared in cents: a minimum rounds up, a maximum rounds down.
            min_cents=None if self.min_price is None else math.ceil(self.min_price * 100),
            max_cents=None if self.max_price is None else math.floor(self.max_price * 100),
            in_stock=self.in_stock,
            sort=self.sort,
            page=self.page,
            per_page=self.per_page,
        )


def _describe(exc: ValidationError) -> str:
    problems = []
    for error in exc.errors(include_url=False)[:3]:
        where = ".".join(str(part) for part in error["loc"])
        message = error["msg"].removeprefix("Value error, ")
        if error["type"] == "string_too_long":
            message = f"must be at most {error['ctx']['max_length']} characters"
        elif error["type"] == "enum":
            message = f"must be one of {', '.join(s.value for s in Sort)}"
        problems.append(f"{where}: {message}" if where else message)
    return "invalid parameters: " + "; ".join(problems)
