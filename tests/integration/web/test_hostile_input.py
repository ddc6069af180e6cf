"""The storefront answers hostile input with a readable 4xx page, never a 500.

Each case once answered 500 (or 200 after a gigabyte allocation, or aiohttp's bare page):
a number past int()'s digit limit, a price in scientific notation, a form that is not
urlencoded UTF-8, a cookie with a non-ASCII signature, an id with a trailing newline.
"""

from __future__ import annotations

from typing import Any

import pytest
from aiohttp.test_utils import TestClient

from ecomm.roles.web.security_headers import CONTENT_SECURITY_POLICY
from tests.integration.web.storefront_fakes import FakePublisher
from tests.integration.web.web_forms import ADDRESS, csrf_token, hidden_fields, post_form

Client = TestClient[Any, Any]
FORM = {"Content-Type": "application/x-www-form-urlencoded"}


def _is_a_shop_page(response: Any, status: int) -> None:
    assert response.status == status
    assert response.headers["Content-Security-Policy"] == CONTENT_SECURITY_POLICY
    assert response.content_type == "text/html"


@pytest.mark.parametrize(
    ("path", "status"),
    [
        ("/search?q=a&page=" + "1" * 5000, 200),  # int() refuses over 4,300 digits: was a 500
        ("/search?q=a&min_price=1e-999999999", 200),  # plain notation: a gigabyte of zeros
        ("/search?q=a&max_price=NaN", 200),  # each named beside its field, searched without
        ("/products/p001%0A", 404),
        ("/products/" + "x" * 300, 404),
        ("/images/p001%0A.svg", 404),
        ("/orders/" + "a" * 32 + "%0A", 404),
        ("/static/nope.css", 404),  # was aiohttp's empty body
        ("/static/../templates/base.html", 404),
        ("/no/such/page", 404),
    ],
)
async def test_a_bad_address_is_a_readable_page(web_client: Client, path: str, status: int) -> None:
    response = await web_client.get(path, allow_redirects=False)
    _is_a_shop_page(response, status)


@pytest.mark.parametrize(
    "cookie",
    [
        "cart=abc.\u00e9",  # a non-ASCII signature: compare_digest raised, every page was a 500
        "orders=abc.\u00e9",
        "csrf=abc.\u00e9",
        "cart=" + "A" * 4000 + ".x",
        'cart="unterminated',
        "cart=a.b.c; orders=%ff; csrf=",
    ],
)
@pytest.mark.parametrize("path", ["/", "/cart", "/no/such/page", "/checkout"])
async def test_a_malformed_cookie_is_absent_and_replaced_on_every_page(
    web_client: Client, cookie: str, path: str
) -> None:
    response = await web_client.get(path, headers={"Cookie": cookie}, allow_redirects=False)
    assert response.status in {200, 303, 404}
    assert response.headers["Content-Security-Policy"] == CONTENT_SECURITY_POLICY
    name = cookie.split("=", 1)[0]
    if name in {"cart", "orders"}:
        replaced = response.cookies.get(name)
        assert replaced is not None, f"the broken {name} cookie was kept"
        assert replaced.value == ""


@pytest.mark.parametrize(
    ("headers", "body"),
    [
        ({"Content-Type": "multipart/form-data"}, b"garbage"),
        (
            {"Content-Type": "multipart/form-data; boundary=xx"},
            b'--xx\r\nContent-Disposition: form-data; name="a"\r\n\r\nb\r\n',
        ),
        (FORM, b"csrf_token=%ff%fe&x=%zz"),  # not UTF-8 once decoded: was a 500
        (FORM, "csrf_token=\u00e9\u00e9".encode()),  # not ASCII on the wire: was a 500
        (FORM, b"\xff\xfe=1"),
        (FORM, b"&".join(b"f%d=1" % n for n in range(100))),
        (FORM, b"csrf_token=" + b"x" * 10_000),
        ({"Content-Type": "text/plain"}, b"hello"),
    ],
)
async def test_an_unreadable_form_is_a_400_page(
    web_client: Client, headers: dict[str, str], body: bytes
) -> None:
    await csrf_token(web_client)
    for path in ("/cart/items", "/checkout", "/cart/items/p001"):
        response = await web_client.post(path, headers=headers, data=body, allow_redirects=False)
        _is_a_shop_page(response, 400)


async def test_a_product_id_with_a_trailing_newline_is_refused_before_it_reaches_anything(
    web_client: Client,
) -> None:
    response = await post_form(web_client, "/cart/items", {"product_id": "p001\n", "quantity": "1"})
    _is_a_shop_page(response, 400)


async def test_an_order_id_with_a_trailing_newline_gets_a_fresh_id_not_a_500(
    web_client: Client, publisher: FakePublisher
) -> None:
    await post_form(web_client, "/cart/items", {"product_id": "p001", "quantity": "1"})
    fields = await hidden_fields(web_client, "/checkout")
    form = {
        **fields,
        **ADDRESS,
        "order_id": fields["order_id"] + "\n",
        "name": "A B",
        "email": "a@b.co",
    }
    response = await web_client.post("/checkout", data=form, allow_redirects=False)
    assert response.status == 303
    [event] = publisher.published
    assert event.data["orderID"] != form["order_id"]
    assert response.headers["Location"] == f"/orders/{event.data['orderID']}"


@pytest.mark.parametrize(
    "name", ["Ada\u202eecalevol", "Ada\x00", "Ada\u2066x\u2069", "Ada\u200b", "\x1b[31mAda"]
)
async def test_control_and_bidi_characters_are_refused_in_a_customers_name(
    web_client: Client, publisher: FakePublisher, name: str
) -> None:
    await post_form(web_client, "/cart/items", {"product_id": "p001", "quantity": "1"})
    form = {**ADDRESS, "name": name, "email": "a@b.co"}
    response = await post_form(web_client, "/checkout", form)
    assert response.status == 400
    assert "Please use only letters" in await response.text()
    assert publisher.published == []
