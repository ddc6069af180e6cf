"""Broken cookies are replaced, not trusted and not kept.

The shop's cookies are signed values it wrote itself. One that is malformed, foreign, oversized,
non-ASCII or signed for another purpose is already read as absent (an empty cart, no orders, no
token); this middleware also tells the browser to drop it, on every answer including the error
pages, so it does not come back on every request. A cookie the answer sets anew is left alone.
"""

from __future__ import annotations

from collections.abc import Callable

from aiohttp import web
from aiohttp.typedefs import Middleware

from ecomm.core.runtime.http import Handler
from ecomm.roles.web.cart import CART_COOKIE
from ecomm.roles.web.cookies import CookiePolicy
from ecomm.roles.web.csrf import CSRF_COOKIE
from ecomm.roles.web.order_history import ORDERS_COOKIE

Check = Callable[[str], bool]


def cookie_hygiene(checks: dict[str, Check], cookies: CookiePolicy) -> Middleware:
    """`checks` maps a cookie's name to "is this value one of ours?"."""

    @web.middleware
    async def middleware(request: web.Request, handler: Handler) -> web.StreamResponse:
        present = {name: request.cookies[name] for name in checks if name in request.cookies}
        response = await handler(request)
        for name, value in present.items():
            if name not in response.cookies and not checks[name](value):
                cookies.delete(response, name)
        return response

    return middleware


def shop_cookie_checks(cart_ok: Check, orders_ok: Check, csrf_ok: Check) -> dict[str, Check]:
    return {CART_COOKIE: cart_ok, ORDERS_COOKIE: orders_ok, CSRF_COOKIE: csrf_ok}
