"""`GET /api/orders/{orderID}[?wait=S]`: what the web's status page polls.

`wait` (0 to `MAX_WAIT` seconds) holds the answer for a pending or unknown order until this task
decides it (answered from memory, see `decisions.py`), then reads the table as without it.
"""

from __future__ import annotations

from aiohttp import web

from ecomm.core.contracts.identifiers import is_order_id
from ecomm.core.contracts.orders import order_json
from ecomm.core.domain.orders import Order, OrderNotFound, OrderStatus
from ecomm.core.domain.settlement import next_step
from ecomm.core.runtime.lru import Lru
from ecomm.roles.order.decisions import Decisions
from ecomm.roles.order.placing import OrderStore

_FINAL_CACHE_SIZE = 10_000
MAX_WAIT = 10.0

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
decisions_key = web.AppKey("decisions", Decisions)


def _wait_seconds(request: web.Request) -> float:
    raw = request.query.get("wait", "0")
    try:
        seconds = float(raw) if len(raw) <= 8 else -1.0
    except ValueError:
        seconds = -1.0
    if not 0 <= seconds <= MAX_WAIT:  # NaN fails this too
        raise web.HTTPBadRequest(text=f"wait is a number of seconds from 0 to {MAX_WAIT:g}")
    return seconds


async def get_order(request: web.Request) -> web.Response:
    order_id = request.match_info["order_id"]
    if not is_order_id(order_id):
        raise web.HTTPBadRequest(text="orderID must be 1-128 letters, digits, '-' or '_'")
    wait = _wait_seconds(request)
    final = request.app[final_key]
    order = final.get(order_id)
    if order is None and wait:
        order = await request.app[decisions_key].wait(order_id, wait)
    if order is None:
        try:
            order = await request.app[store_key].get(order_id)
        except OrderNotFound as exc:
            raise web.HTTPNotFound(text=f"no order {order_id} (yet)") from exc
        final.remember(order)
    return web.json_response(order_json(order))


def add_routes(app: web.Application, store: OrderStore, decisions: Decisions | None = None) -> None:
    app[store_key] = store
    app[final_key] = FinalOrders()
    app[decisions_key] = decisions if decisions is not None else Decisions()
    app.router.add_get("/api/orders/{order_id}", get_order)
