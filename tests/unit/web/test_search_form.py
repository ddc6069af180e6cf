"""The search form: the contract's reading of the URL, shown back, and written into links."""

from __future__ import annotations

import pytest

from ecomm.roles.web.search_form import SearchForm, page_numbers


def test_a_full_search_is_shown_as_typed_and_sent_to_lookup_as_read() -> None:
    form = SearchForm.read(
        {
            "q": "  desk   lamp ",
            "category": "Lighting",
            "min_price": "5",
            "max_price": "99.50",
            "in_stock": "true",
            "sort": "price_asc",
            "page": "3",
            "per_page": "100",  # a page of the shop shows twenty, whatever the URL asks
        }
    )
    assert (form.q, form.category, form.min_price, form.max_price) == (
        "desk lamp",
        "Lighting",
        "5",
        "99.50",
    )
    assert (form.in_stock, form.sort, form.page, form.problems) == (True, "price_asc", 3, {})
    assert form.lookup_params() == {
        "q": "desk lamp",
        "category": "Lighting",
        "min_price": "5",
        "max_price": "99.50",
        "in_stock": "true",
        "sort": "price_asc",
        "page": "3",
    }
    assert form.filters() == {
        "category": "Lighting",
        "min_price": "5",
        "max_price": "99.50",
        "in_stock": "true",
        "sort": "price_asc",
    }


def test_a_mistyped_filter_is_kept_as_typed_named_and_left_out_of_the_search() -> None:
    form = SearchForm.read({"q": "lamp", "min_price": "1e-999999999", "max_price": "20"})
    assert form.problems == {"min_price": "The lowest price must be a number, like 25 or 9.99."}
    assert form.min_price == "1e-999999999"  # shown back in its field, beside the message
    assert form.lookup_params() == {"q": "lamp", "max_price": "20"}


def test_an_empty_search_is_every_product_by_relevance() -> None:
    form = SearchForm.read({})
    assert form.filters() == {}
    assert form.lookup_params() == {}
    assert form.url() == "/search?"


def test_page_links_keep_every_filter() -> None:
    form = SearchForm.read({"q": "a&b", "category": "Books", "sort": "name"})
    assert form.url(page=2) == "/search?q=a%26b&category=Books&sort=name&page=2"
    assert form.url(page=1) == "/search?q=a%26b&category=Books&sort=name"
    cleared = form.url(category="", min_price=None, max_price=None, in_stock=False, page=1)
    assert cleared == "/search?q=a%26b&sort=name"


@pytest.mark.parametrize(
    "params",
    [
        {},
        {"page": "3"},
        {"q": "a&b", "category": "Books", "sort": "name", "page": "2"},
        {"q": "lamp", "min_price": "5", "max_price": "9.5", "in_stock": "true", "per_page": "50"},
    ],
)
@pytest.mark.parametrize("page", [1, 2, 7])
def test_a_page_link_is_the_search_url_with_that_page(params: dict[str, str], page: int) -> None:
    form = SearchForm.read(params)
    assert form.page_url(page) == form.url(page=page)


def test_page_numbers_show_the_ends_and_a_window() -> None:
    assert page_numbers(1, 1) == [1]
    assert page_numbers(1, 5) == [1, 2, 3, None, 5]
    assert page_numbers(10, 20) == [1, None, 8, 9, 10, 11, 12, None, 20]
