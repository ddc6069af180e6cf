"""Checkout: the form, and the POST that places the order.

The cart cookie is cleared only after SNS has taken the OrderPlaced event; when publishing
fails the shopper sees why, and the cart (and the form as typed) are still there.
"""

from __future__ import annotations

import structlog
from aiohttp import web

from ecomm.core.http import request_id_of
from ecomm.core.publisher import PublishFailed
from ecomm.roles.web.cart import CART_COOKIE
from ecomm.roles.web.checkout import (
    CustomerForm,
    new_order_id,
    order_id_from,
    place_order,
    read_customer,
)
from ecomm.roles.web.cookies import THIRTY_DAYS
from ecomm.roles.web.order_history import ORDERS_COOKIE, remember
from ecomm.roles.web.pages import render, see_other
from ecomm.roles.web.priced_cart import PricedCart, price
from ecomm.roles.web.rate_limit import retry_after_seconds
from ecomm.roles.web.shop import shop_key

log = structlog.get_logger(__name__)

PUBLISH_FAILED = (
    "We couldn't place your order just now. Nothing was charged and your cart is saved; "
    "please try again in a moment."
)


def _form_page(
    request: web.Request,
    cart: PricedCart,
    form: CustomerForm,
    order_id: str,
    *,
    error: str | None = None,
    status: int = 200,
) -> web.Response:
    context = {"cart": cart, "form": form, "order_id": order_id, "error": error}
    return render(request, "checkout.html", context, status=status)


async def checkout_form(request: web.Request) -> web.Response:
    shop = request.app[shop_key]
    cart = shop.cart_of(request)
    if not cart.lines:
        return see_other("/cart")
    products = await shop.lookup.products(list(cart.lines))
    return _form_page(request, price(cart, products), CustomerForm(), new_order_id())


async def place(request: web.Request) -> web.Response:
    shop = request.app[shop_key]
    wait = shop.checkout_limit.take(shop.client_of(request))
    if wait:
        raise web.HTTPTooManyRequests(
            text="Too many checkout attempts in a short time. Please wait a moment and try again.",
            headers={"Retry-After": retry_after_seconds(wait)},
        )
    cart = shop.cart_of(request)
    if not cart.lines:
        return see_other("/cart")
    form = await request.post()
    order_id = order_id_from(form)
    customer_form = read_customer(form)
    # Prices and stock as they are now, not as they were when the cart was filled.
    priced = price(cart, await shop.lookup.products(list(cart.lines)))
    customer = customer_form.customer()
    if customer is None:
        return _form_page(request, priced, customer_form, order_id, status=400)
    if priced.problems:
        error = "Some items in your cart can't be ordered as they are; please adjust them."
        return _form_page(request, priced, customer_form, order_id, error=error, status=409)
    try:
        await place_order(shop.publisher, order_id, cart, customer, request_id_of(request))
    except PublishFailed as exc:
        log.warning("order_not_published", order_id=order_id, error=str(exc))
        return _form_page(
            request, priced, customer_form, order_id, error=PUBLISH_FAILED, status=503
        )
    log.info("order_placed", order_id=order_id, lines=len(cart), items=cart.item_count)
    response = see_other(f"/orders/{order_id}")
    shop.cookies.delete(response, CART_COOKIE)
    history = remember(shop.history_of(request), order_id)
    shop.cookies.set(response, ORDERS_COOKIE, shop.history.encode(history), max_age=THIRTY_DAYS)
    return response
