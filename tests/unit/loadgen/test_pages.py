"""What a shopper reads off a page: the form's hidden fields and the product links."""

from __future__ import annotations

from ecomm.loadgen.pages import form_fields, product_ids

PRODUCT_PAGE = """
<form action="/search" method="get"><input name="q" type="search" value="x"></form>
<form class="add-form" action="/cart/items" method="post">
  <input type="hidden" name="csrf_token" value="tok.en&amp;1">
  <input type="hidden" name="product_id" value="P000042">
  <input id="quantity" name="quantity" type="number" min="1" max="5" value="1" required>
  <button type="submit">Add to cart</button>
</form>
<a href="/products/P000042">self</a><a href="/products/P000007">other</a>
<a href="/products/P000042">again</a><a href="/images/P000001.svg">img</a><a href="/cart">cart</a>
"""


def test_the_hidden_fields_of_the_form_for_an_action_are_read() -> None:
    assert form_fields(PRODUCT_PAGE, "/cart/items") == {
        "csrf_token": "tok.en&1",
        "product_id": "P000042",
        "quantity": "1",
    }


def test_a_form_that_is_not_on_the_page_is_none() -> None:
    assert form_fields("<p>This product is out of stock</p>", "/cart/items") is None


def test_visible_text_inputs_are_not_taken_as_hidden_fields() -> None:
    assert form_fields(PRODUCT_PAGE, "/search") == {}


def test_product_links_are_listed_once_in_page_order() -> None:
    assert product_ids(PRODUCT_PAGE) == ["P000042", "P000007"]
