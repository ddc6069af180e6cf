"""What a shopper can do with an order of theirs: cancel it, or put a rejected order's items back
in the cart.

Cancelling publishes `CancelOrder` and nothing else: the order worker is the only writer of the
Orders table, and it cancels (and gives the stock back) once, however often the command
arrives. Only the browser that placed the order may ask, while the order is CONFIRMED, and each
ask spends the same per-client budget as placing an order.
"""

from __future__ import annotations

import structlog
from aiohttp import web

from ecomm.core.adapters.publisher import PublishFailed
from ecomm.core.contracts.events import Envelope, EventType, OrderCommandData
from ecomm.core.domain.lifecycle import Action, can
from ecomm.core.domain.orders import OrderNotFound, OrderStatus
from ecomm.core.runtime.http import request_id_of
from ecomm.roles.web.cart import CartError
from ecomm.roles.web.error_pages import error_page
from ecomm.roles.web.keys import checkout_limit_key, cookies_key, publisher_key
from ecomm.roles.web.order_views import CANCEL_ASKED, placed_here, recorded_order
from ecomm.roles.web.pages import see_other
from ecomm.roles.web.rate_limit import retry_after_seconds

log = structlog.get_logger(__name__)

CANCEL_FAILED = (
    "We couldn't cancel your order just now; it is unchanged. Please try again in a moment."
)


async def cancel_order(request: web.Request) -> web.Response:
    order_id = request.match_info["order_id"]
    if placed_here(request, order_id) is None:
        raise OrderNotFound(order_id[:128])  # only its own browser may cancel an order
    order = await recorded_order(request, order_id)
    page = f"/orders/{order_id}"
    if not can(order, Action.CANCEL):
        return see_other(page)  # shipped or cancelled meanwhile: the page says which
    wait = request.app[checkout_limit_key].wait(request)
    if wait:
        message = "Too many requests in a short time. Please wait a moment and try again."
        return error_page(request, 429, message, {"Retry-After": retry_after_seconds(wait)})
    command = OrderCommandData(orderID=order_id)
    try:
        await request.app[publisher_key].publish(
            Envelope.wrap(EventType.CANCEL_ORDER, command, request_id_of(request))
        )
    except PublishFailed as exc:
        log.warning("cancel_not_published", order_id=order_id, error=str(exc))
        return error_page(request, 503, CANCEL_FAILED, {"Retry-After": "5"})
    log.info("cancel_requested", order_id=order_id)
    return see_other(f"{page}?cancel={CANCEL_ASKED}")


async def return_to_cart(request: web.Request) -> web.Response:
    """A rejected order's lines back in the cart (which then shows today's prices and stock)."""
    order_id = request.match_info["order_id"]
    if placed_here(request, order_id) is None:
        raise OrderNotFound(order_id[:128])
    order = await recorded_order(request, order_id)
    if order.status is not OrderStatus.REJECTED:
        return see_other(f"/orders/{order_id}")
    cookies = request.app[cookies_key]
    cart = cookies.cart_of(request)
    for line in order.items:
        wanted = max(line.quantity, cart.quantity_of(line.productID))
        try:
            cart = cart.with_quantity(line.productID, wanted)
        except CartError:
            continue  # past the cart's limits: the rest still goes back
    response = see_other("/cart")
    try:
        cookies.save_cart(response, cart)
    except CartError as exc:
        return error_page(request, 400, str(exc))
    return response
