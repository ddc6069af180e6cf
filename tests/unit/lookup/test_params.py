from __future__ import annotations

import pytest

from ecomm.roles.lookup.params import InvalidParameters, SearchParams
from ecomm.roles.lookup.search import SearchQuery, Sort


def test_defaults_search_everything_by_relevance() -> None:
    assert SearchParams.parse({}).to_query() == SearchQuery()


def test_every_parameter_is_read() -> None:
    query = SearchParams.parse(
        {
            "q": "oak kettle",
            "category": "Home & Kitchen",
            "min_price": "10.005",
            "max_price": "99.999",
            "in_stock": "true",
            "sort": "price_desc",
            "page": "3",
            "per_page": "50",
            "utm_source": "ignored",
        }
    ).to_query()
    assert query == SearchQuery(
        text="oak kettle",
        category="Home & Kitchen",
        min_cents=1001,  # a minimum rounds up to the cent...
        max_cents=9999,  # ...and a maximum down
        in_stock=True,
        sort=Sort.PRICE_DESC,
        page=3,
        per_page=50,
    )


def test_empty_values_count_as_not_given() -> None:
    assert SearchParams.parse({"min_price": "", "in_stock": " ", "sort": ""}).to_query() == (
        SearchQuery()
    )


@pytest.mark.parametrize(
    ("params", "complaint"),
    [
        ({"page": "-1"}, "page: Input should be greater than or equal to 1"),
        ({"page": "two"}, "page: Input should be a valid integer"),
        ({"per_page": "101"}, "per_page: Input should be less than or equal to 100"),
        ({"q": "x" * 10_000}, "q: must be at most 200 characters"),
        ({"min_price": "5", "max_price": "4"}, "min_price must not be greater than max_price"),
        ({"min_price": "NaN"}, "min_price: Input should be a finite number"),
        ({"max_price": "-3"}, "max_price: Input should be greater than or equal to 0"),
        ({"in_stock": "maybe"}, "in_stock: Input should be a valid boolean"),
        ({"sort": "random"}, "sort: must be one of relevance, price_asc, price_desc, name"),
    ],
)
def test_nonsense_is_refused_with_a_reason(params: dict[str, str], complaint: str) -> None:
    with pytest.raises(InvalidParameters, match="invalid parameters") as refused:
        SearchParams.parse(params)
    assert complaint in str(refused.value)
