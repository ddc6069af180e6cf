"""The search contract: one reading of a search's parameters, for web and lookup alike."""

from __future__ import annotations

import pytest

from ecomm.core.contracts.search import MAX_PAGE, read_search, search_params
from ecomm.core.domain.search import SearchQuery, Sort


def test_defaults_search_everything_by_relevance() -> None:
    assert read_search({}).query == SearchQuery()


def test_every_parameter_is_read() -> None:
    read = read_search(
        {
            "q": "  oak   kettle ",
            "category": "Home & Kitchen",
            "min_price": "10.5",
            "max_price": "99.99",
            "in_stock": "true",
            "sort": "price_desc",
            "page": "3",
            "per_page": "50",
            "utm_source": "ignored",
        }
    )
    assert read.problems == {}
    assert read.query == SearchQuery(
        text="oak kettle",
        category="Home & Kitchen",
        min_cents=1050,
        max_cents=9999,
        in_stock=True,
        sort=Sort.PRICE_DESC,
        page=3,
        per_page=50,
    )


def test_the_parameters_written_back_read_as_the_same_search() -> None:
    query = read_search({"q": "lamp", "min_price": "5", "max_price": "19.90", "page": "2"}).query
    assert search_params(query) == {
        "q": "lamp",
        "min_price": "5",
        "max_price": "19.90",
        "page": "2",
    }
    assert read_search(search_params(query)).query == query


def test_empty_values_count_as_not_given() -> None:
    assert read_search({"min_price": "", "in_stock": " ", "sort": ""}).query == SearchQuery()


@pytest.mark.parametrize(
    ("params", "field", "words"),
    [
        ({"page": "-1"}, "page", f"from 1 to {MAX_PAGE}"),
        ({"page": "two"}, "page", "must be a number"),
        ({"page": "1" * 5000}, "page", "must be a number"),  # past int()'s 4,300 digits
        ({"per_page": "101"}, "per_page", "from 1 to 100"),
        ({"q": "x" * 10_000}, "q", "shorten your search to 200"),
        ({"min_price": "5", "max_price": "4"}, "max_price", "must not be below the lowest"),
        ({"min_price": "NaN"}, "min_price", "must be a number, like 25 or 9.99"),
        ({"min_price": "1e-999999999"}, "min_price", "must be a number"),  # a gigabyte of zeros
        ({"min_price": "1.999"}, "min_price", "must be a number"),
        ({"min_price": "\u0661\u0660"}, "min_price", "must be a number"),  # \\d is not [0-9]
        ({"max_price": "-3"}, "max_price", "must be a number"),
        ({"max_price": "1000000.01"}, "max_price", "between 0 and 1,000,000"),
        ({"in_stock": "maybe"}, "in_stock", "on or off"),
        ({"sort": "random"}, "sort", "offered sort orders"),
        ({"category": "c" * 101}, "category", "no such category"),
    ],
)
def test_nonsense_is_named_and_left_out(params: dict[str, str], field: str, words: str) -> None:
    read = read_search(params)
    assert list(read.problems) == [field]
    assert words in read.problems[field]
    assert read.query == read_search({k: v for k, v in params.items() if k != field}).query
