"""Order pages: the live status page, its JSON for the page's script, and "your orders".

An order the order service does not know yet, but that this browser placed a moment ago, is
PENDING: its OrderPlaced event is on its way through SNS and SQS to the order worker. For a
while only (`order_history.PENDING_FOR`): past that, the page says it cannot find the order.
"""

from __future__ import annotations

import time
from dataclasses import dataclass

from aiohttp import web

from ecomm.core.contracts.identifiers import is_order_id
from ecomm.core.domain.orders import Order, OrderNotFound, OrderStatus
from ecomm.roles.web.error_pages import error_page
from ecomm.roles.web.keys import cookies_key, lookup_key, orders_key
from ecomm.roles.web.order_display import LOST_ORDER, OrderView, view_of
from ecomm.roles.web.order_history import Placed, find
from ecomm.roles.web.pages import render
from ecomm.roles.web.peers import PeerUnavailable, gather_or_raise

CANCEL_ASKED = "requested"  # ?cancel=requested: the page a cancel redirects to
# The status page's script asks while the page shows a pending order: the order service holds
# the answer until it decides the order (no read of the table when it does), at most this long.
STATUS_WAIT = 1.0


class OrderLost(OrderNotFound):
    """Placed from this browser, long enough ago that the order service should know it."""


def placed_here(request: web.Request, order_id: str) -> Placed | None:
    return find(request.app[cookies_key].history_of(request), order_id)


async def recorded_order(request: web.Request, order_id: str, *, wait: float = 0.0) -> Order:
    """The order as recorded, or PENDING while this browser placed it only a moment ago.

    Raises `OrderNotFound`, or `OrderLost` for an order of this browser that is not coming.
    """
    if not is_order_id(order_id):
        raise OrderNotFound(order_id[:128])
    try:
        return await request.app[orders_key].order(order_id, wait=wait)
    except OrderNotFound:
        placed = placed_here(request, order_id)
        if placed is None:
            raise
        if placed.may_be_pending(time.time()):
            return Order(order_id, OrderStatus.PENDING, ())
        raise OrderLost(order_id) from None


async def _view(request: web.Request, order: Order) -> OrderView:
    unnamed = [line.productID for line in order.items if not line.name]
    # Orders recorded before lines kept their names: the catalog's names, when it has them.
    products = await request.app[lookup_key].products(unnamed) if unnamed else {}
    return view_of(
        order,
        products,
        mine=placed_here(request, order.orderID) is not None,
        cancelling=request.query.get("cancel") == CANCEL_ASKED,
    )


async def order_page(request: web.Request) -> web.Response:
    order_id = request.match_info["order_id"]
    placed = placed_here(request, order_id)
    # Just placed from this browser (the checkout redirects here): show its outcome if it comes
    # within the wait, rather than a pending page that asks again.
    fresh = placed is not None and placed.may_be_pending(time.time())
    try:
        order = await recorded_order(request, order_id, wait=STATUS_WAIT if fresh else 0.0)
    except OrderLost:
        return error_page(request, 404, LOST_ORDER)
    return render(request, "order.html", {"order": await _view(request, order)})


async def order_status(request: web.Request) -> web.Response:
    """JSON for the status page's script; errors are JSON too, and the script retries."""
    try:
        order = await recorded_order(request, request.match_info["order_id"], wait=STATUS_WAIT)
        view = await _view(request, order)
    except OrderNotFound:
        return web.json_response({"error": "no such order"}, status=404)
    except PeerUnavailable:
        return web.json_response({"error": "the shop is having trouble"}, status=503)
    return web.json_response(view.as_json(), headers={"Cache-Control": "no-store"})


@dataclass(frozen=True)
class OrderRow:
    order_id: str
    view: OrderView | None  # None: the shop cannot find it


async def _row(request: web.Request, placed: Placed) -> OrderRow:
    try:
        order = await recorded_order(request, placed.order_id)
    except OrderNotFound:
        return OrderRow(placed.order_id, None)
    return OrderRow(placed.order_id, view_of(order, {}, mine=True))


async def your_orders(request: web.Request) -> web.Response:
    history = request.app[cookies_key].history_of(request)
    rows = await gather_or_raise([_row(request, placed) for placed in history])
    return render(request, "orders.html", {"rows": rows})
