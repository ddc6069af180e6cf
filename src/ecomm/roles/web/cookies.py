"""The web role's cookies: how they are set (HttpOnly, SameSite=Lax, Secure behind HTTPS), and
the two a shopper keeps (the cart and the list of their orders), read and written through their
signed codecs."""

from __future__ import annotations

import time
from dataclasses import dataclass

from aiohttp import web

from ecomm.roles.web.cart import CART_COOKIE, Cart, CartCodec
from ecomm.roles.web.order_history import ORDERS_COOKIE, OrderHistoryCodec, Placed, remember

THIRTY_DAYS = 30 * 24 * 3600


@dataclass(frozen=True)
class CookiePolicy:
    secure: bool

    def set(
        self, response: web.StreamResponse, name: str, value: str, *, max_age: int | None = None
    ) -> None:
        response.set_cookie(
            name,
            value,
            max_age=max_age,
            path="/",
            httponly=True,
            samesite="Lax",
            secure=self.secure,
        )

    def delete(self, response: web.StreamResponse, name: str) -> None:
        response.del_cookie(name, path="/", httponly=True, samesite="Lax", secure=self.secure)


@dataclass(frozen=True)
class ShopperCookies:
    """The cart and the order list of the browser asking, and their replacements."""

    policy: CookiePolicy
    carts: CartCodec
    history: OrderHistoryCodec

    @classmethod
    def signed_with(cls, secret: str, *, secure: bool) -> ShopperCookies:
        return cls(CookiePolicy(secure), CartCodec(secret), OrderHistoryCodec(secret))

    def cart_of(self, request: web.Request) -> Cart:
        return self.carts.decode(request.cookies.get(CART_COOKIE))

    def history_of(self, request: web.Request) -> list[Placed]:
        return self.history.decode(request.cookies.get(ORDERS_COOKIE))

    def save_cart(self, response: web.StreamResponse, cart: Cart) -> None:
        if cart.lines:
            self.policy.set(response, CART_COOKIE, self.carts.encode(cart), max_age=THIRTY_DAYS)
        else:
            self.policy.delete(response, CART_COOKIE)

    def remember_order(
        self, request: web.Request, response: web.StreamResponse, order_id: str
    ) -> None:
        history = remember(self.history_of(request), order_id, time.time())
        self.policy.set(response, ORDERS_COOKIE, self.history.encode(history), max_age=THIRTY_DAYS)
