"""The order role's composition root: consumes OrderQueue, answers the order API.

OrderQueue ─> handlers.order_handler ─┬> placing.place_order ─> Orders/Products (one
                                      │   transaction) ─> settling.settle (capture or void)
                                      │   ─> OrderConfirmed/OrderRejected
                                      └> lifecycle.change_status ─> Orders (/Products when a
                                          cancel restocks, one transaction) ─> OrderCancelled/...
The DynamoDB side of both is core/adapters/orders_table.py.
"""

from __future__ import annotations

from aiohttp import web

from ecomm.core.adapters.orders_table import OrderRepository
from ecomm.core.runtime.bootstrap import Built, Runtime
from ecomm.core.runtime.http import (
    Readiness,
    add_probe_routes,
    baseline_headers,
    json_errors,
    request_context,
)
from ecomm.roles.order.api import add_routes
from ecomm.roles.order.decisions import DecidingStore, Decisions
from ecomm.roles.order.handlers import order_handler


async def build(rt: Runtime) -> Built:
    """The order service's HTTP app and its queue consumer, wired to `rt`."""
    store = OrderRepository(rt.aws.dynamodb, rt.names.orders_table, rt.names.products_table)
    decisions = Decisions()
    handler = order_handler(
        DecidingStore(store, decisions), rt.settings.pricing, rt.metrics, rt.payments
    )
    consumer = rt.consumer(rt.names.order_queue, handler, window=rt.settings.order_receive_window)

    async def queue_ok() -> None:
        if not consumer.state.receiving_ok:
            raise ConnectionError(consumer.state.last_error or "cannot receive")

    async def orders_table_ok() -> None:
        await rt.aws.dynamodb.describe_table(TableName=rt.names.orders_table)

    readiness = Readiness(ttl=1.0)
    readiness.add("queue", queue_ok)
    readiness.add("orders_table", orders_table_ok)
    app = web.Application(middlewares=[request_context, baseline_headers, json_errors])
    add_probe_routes(app, "order", rt.metrics, readiness)
    add_routes(app, store, decisions)
    return Built(app, [consumer])
