"""What the web role does to keep shoppers safe: CSRF, escaping, headers, signed cookies."""

from __future__ import annotations

from typing import Any

from aiohttp.test_utils import TestClient

from ecomm.roles.web.cart import Cart, CartCodec
from ecomm.roles.web.security_headers import CONTENT_SECURITY_POLICY
from tests.integration.web.conftest import WebFactory
from tests.integration.web.web_forms import SIGNING_KEY, csrf_token, post_form

Client = TestClient[Any, Any]


async def _cart_cookie(client: Client) -> str | None:
    cookie = client.session.cookie_jar.filter_cookies(client.make_url("/")).get("cart")
    return cookie.value if cookie else None


async def test_a_post_without_a_csrf_token_is_refused(web_client: Client) -> None:
    await csrf_token(web_client)  # the browser has its cookie, but the form omits the token
    response = await web_client.post(
        "/cart/items", data={"product_id": "p001", "quantity": "1"}, allow_redirects=False
    )
    assert response.status == 403
    assert "This form has expired" in await response.text()
    assert await _cart_cookie(web_client) is None


async def test_a_post_with_another_browsers_token_is_refused(make_web: WebFactory) -> None:
    mallory, alice = await make_web(), await make_web()
    token_of_mallory = await csrf_token(mallory)
    await csrf_token(alice)
    response = await alice.post(
        "/cart/items",
        data={"csrf_token": token_of_mallory, "product_id": "p001", "quantity": "1"},
        allow_redirects=False,
    )
    # Both tokens are validly signed, but the form's does not match this browser's cookie.
    assert response.status == 403


async def test_a_post_with_a_forged_csrf_cookie_is_refused(web_client: Client) -> None:
    web_client.session.cookie_jar.update_cookies({"csrf": "forged.token"})
    response = await web_client.post(
        "/cart/items",
        data={"csrf_token": "forged.token", "product_id": "p001", "quantity": "1"},
        allow_redirects=False,
    )
    assert response.status == 403


async def test_the_token_and_its_cookie_come_with_the_first_page_that_has_a_form(
    web_client: Client,
) -> None:
    for path in ("/", "/search?q=lamp"):  # no form to protect: no token, no cookie
        response = await web_client.get(path)
        assert response.status == 200
        assert "csrf" not in response.cookies
    token = await csrf_token(web_client, "/products/p001")
    cookie = web_client.session.cookie_jar.filter_cookies(web_client.make_url("/")).get("csrf")
    assert cookie is not None
    assert cookie.value == token
    assert await csrf_token(web_client, "/products/p002") == token  # kept, not made anew
    response = await post_form(web_client, "/cart/items", {"product_id": "p001", "quantity": "1"})
    assert response.status == 303


async def test_a_script_in_the_search_box_comes_back_escaped(web_client: Client) -> None:
    attack = '<script>alert("x")</script>'
    response = await web_client.get("/search", params={"q": attack})
    assert response.status == 200
    page = await response.text()
    assert attack not in page
    assert "&lt;script&gt;alert(&#34;x&#34;)&lt;/script&gt;" in page


async def test_every_answer_carries_the_security_headers(web_client: Client) -> None:
    for path in ["/", "/search?q=lamp", "/products/p001", "/cart", "/no-such-page", "/healthz"]:
        response = await web_client.get(path)
        headers = response.headers
        assert headers["Content-Security-Policy"] == CONTENT_SECURITY_POLICY, path
        assert "script-src 'self'" in CONTENT_SECURITY_POLICY
        assert "unsafe-inline" not in CONTENT_SECURITY_POLICY
        assert "frame-ancestors 'none'" in CONTENT_SECURITY_POLICY
        assert headers["X-Content-Type-Options"] == "nosniff", path
        assert headers["Referrer-Policy"] == "strict-origin-when-cross-origin", path
        assert headers["X-Frame-Options"] == "DENY", path
        assert "camera=()" in headers["Permissions-Policy"], path
        assert "Strict-Transport-Security" not in headers, path


async def test_pages_have_no_inline_script_or_style(web_client: Client) -> None:
    for path in ["/", "/search?q=lamp", "/products/p001", "/cart", "/orders"]:
        page = await (await web_client.get(path)).text()
        assert "<script>" not in page, path
        assert "<script src=" in page, path
        assert " style=" not in page, path
        assert " onclick=" not in page, path


async def test_secure_cookies_add_hsts_and_the_secure_flag(make_web: WebFactory) -> None:
    client = await make_web(secure_cookies=True)
    response = await client.get("/products/p001")
    assert response.headers["Strict-Transport-Security"].startswith("max-age=31536000")
    set_cookie = response.headers["Set-Cookie"]
    assert "Secure" in set_cookie
    assert "HttpOnly" in set_cookie
    assert "SameSite=Lax" in set_cookie


async def test_cart_cookie_is_httponly_lax_and_holds_no_prices(web_client: Client) -> None:
    response = await post_form(web_client, "/cart/items", {"product_id": "p001", "quantity": "2"})
    assert response.status == 303
    set_cookie = response.headers["Set-Cookie"]
    assert "HttpOnly" in set_cookie
    assert "SameSite=Lax" in set_cookie
    assert "Secure" not in set_cookie
    value = await _cart_cookie(web_client)
    assert CartCodec(SIGNING_KEY).decode(value) == Cart({"p001": 2})


async def test_a_tampered_cart_cookie_is_ignored(web_client: Client) -> None:
    genuine = CartCodec(SIGNING_KEY).encode(Cart({"p001": 2}))
    body, mac = genuine.split(".")
    forged_by_another_key = CartCodec("not-our-secret").encode(Cart({"p002": 5}))
    for cookie in [f"{body}x.{mac}", f"{body}.{mac[:-2]}AA", forged_by_another_key, "junk"]:
        web_client.session.cookie_jar.update_cookies({"cart": cookie})
        page = await (await web_client.get("/cart")).text()
        assert "Your cart is empty" in page, cookie


async def test_a_genuine_cart_cookie_is_honoured(web_client: Client) -> None:
    web_client.session.cookie_jar.update_cookies(
        {"cart": CartCodec(SIGNING_KEY).encode(Cart({"p001": 2}))}
    )
    page = await (await web_client.get("/cart")).text()
    assert "Copper Kettle" in page
    assert 'value="2"' in page
