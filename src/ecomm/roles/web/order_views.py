"""Order status: the live status page, its JSON for the page's script, and "your orders".

An order the order service does not know yet, but that this browser placed, is PENDING: its
OrderPlaced event is on its way through SNS and SQS to the order worker.
"""

from __future__ import annotations

from dataclasses import dataclass

from aiohttp import web

from ecomm.core.contracts.identifiers import is_order_id
from ecomm.core.domain.orders import Order, OrderNotFound, OrderStatus
from ecomm.roles.web.keys import cookies_key, lookup_key, orders_key
from ecomm.roles.web.pages import render
from ecomm.roles.web.peers import PeerUnavailable, gather_or_raise

STATUS_TEXT = {
    OrderStatus.PENDING: "We're checking stock and reserving your items…",
    OrderStatus.CONFIRMED: "Your order is confirmed. Thank you!",
    OrderStatus.REJECTED: "Sorry, we couldn't accept your order.",
}


@dataclass(frozen=True)
class ItemView:
    name: str
    product_id: str
    quantity: int


@dataclass(frozen=True)
class OrderView:
    order_id: str
    status: OrderStatus
    reason: str | None
    items: list[ItemView]

    @property
    def final(self) -> bool:
        return self.status is not OrderStatus.PENDING

    @property
    def text(self) -> str:
        return STATUS_TEXT[self.status]

    def as_json(self) -> dict[str, object]:
        return {
            "orderID": self.order_id,
            "status": self.status.value,
            "final": self.final,
            "text": self.text,
            "reason": self.reason,
            "items": [
                {"name": i.name, "productID": i.product_id, "quantity": i.quantity}
                for i in self.items
            ],
        }


async def _order(request: web.Request, order_id: str) -> Order:
    """The order as recorded, or PENDING when only this browser knows of it yet."""
    if not is_order_id(order_id):
        raise OrderNotFound(order_id)
    try:
        return await request.app[orders_key].order(order_id)
    except OrderNotFound:
        if order_id in request.app[cookies_key].history_of(request):
            return Order(order_id, OrderStatus.PENDING, ())
        raise


async def _view(request: web.Request, order: Order) -> OrderView:
    products = await request.app[lookup_key].products([line.productID for line in order.items])
    items = [
        ItemView(
            products[line.productID].name if line.productID in products else line.productID,
            line.productID,
            line.quantity,
        )
        for line in order.items
    ]
    return OrderView(order.orderID, order.status, order.reason, items)


async def order_page(request: web.Request) -> web.Response:
    order = await _order(request, request.match_info["order_id"])
    return render(request, "order.html", {"order": await _view(request, order)})


async def order_status(request: web.Request) -> web.Response:
    """JSON for the status page's script; errors are JSON too, and the script retries."""
    try:
        order = await _order(request, request.match_info["order_id"])
        view = await _view(request, order)
    except OrderNotFound:
        return web.json_response({"error": "no such order"}, status=404)
    except PeerUnavailable:
        return web.json_response({"error": "the shop is having trouble"}, status=503)
    return web.json_response(view.as_json(), headers={"Cache-Control": "no-store"})


async def your_orders(request: web.Request) -> web.Response:
    ids = request.app[cookies_key].history_of(request)
    orders = await gather_or_raise([_order(request, order_id) for order_id in ids])
    return render(request, "orders.html", {"orders": orders, "status_text": STATUS_TEXT})
