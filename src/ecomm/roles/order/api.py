"""`GET /api/orders/{orderID}`: what the web's status page polls."""

from __future__ import annotations

from aiohttp import web

from ecomm.core.contracts.identifiers import is_order_id
from ecomm.core.contracts.orders import order_json
from ecomm.core.domain.orders import Order, OrderNotFound, OrderStatus
from ecomm.core.domain.settlement import next_step
from ecomm.core.runtime.lru import Lru
from ecomm.roles.order.placing import OrderStore

_FINAL_CACHE_SIZE = 10_000

store_key = web.AppKey("order_store", OrderStore)


FINAL = frozenset({OrderStatus.REJECTED, OrderStatus.CANCELLED, OrderStatus.DELIVERED})


class FinalOrders:
    """Orders that reached a final status never change again: keep the recent ones in memory,
    so a status page polling a finished order costs no DynamoDB read. (A confirmed or shipped
    order may still move: it is read every time.)"""

    def __init__(self, size: int = _FINAL_CACHE_SIZE) -> None:
        self._orders: Lru[str, Order] = Lru(size)

    def get(self, order_id: str) -> Order | None:
        return self._orders.get(order_id)

    def remember(self, order: Order) -> None:
        # A rejected or cancelled order's payment may still be voided or refunded.
        if order.status in FINAL and next_step(order) is None:
            self._orders.put(order.orderID, order)


final_key = web.AppKey("final_orders", FinalOrders)


async def get_order(request: web.Request) -> web.Response:
    order_id = request.match_info["order_id"]
    if not is_order_id(order_id):
        raise web.HTTPBadRequest(text="orderID must be 1-128 letters, digits, '-' or '_'")
    final = request.app[final_key]
    order = final.get(order_id)
    if order is None:
        try:
            order = await request.app[store_key].get(order_id)
        except OrderNotFound as exc:
            raise web.HTTPNotFound(text=f"no order {order_id} (yet)") from exc
        final.remember(order)
    return web.json_response(order_json(order))


def add_routes(app: web.Application, store: OrderStore) -> None:
    app[store_key] = store
    app[final_key] = FinalOrders()
    app.router.add_get("/api/orders/{order_id}", get_order)
