"""The order role: consumes `OrderQueue`, reserves stock, records and announces outcomes."""

from __future__ import annotations

import asyncio

from aiohttp import web

from ecomm.core.bootstrap import Runtime, open_runtime, run_service
from ecomm.core.consumer import QueueConsumer, resolve_queue_url
from ecomm.core.http import (
    Readiness,
    add_probe_routes,
    baseline_headers,
    json_errors,
    request_context,
)
from ecomm.core.orders import OrderRepository
from ecomm.core.settings import Settings
from ecomm.roles.order.api import add_routes
from ecomm.roles.order.handlers import order_placed_handler


async def build(rt: Runtime) -> tuple[web.Application, QueueConsumer]:
    """The order service's HTTP app and its queue consumer, wired to `rt`."""
    store = OrderRepository(rt.aws.dynamodb, rt.names.orders_table, rt.names.products_table)
    consumer = QueueConsumer(
        rt.aws.sqs,
        await resolve_queue_url(rt.aws.sqs, rt.names.order_queue),
        queue_name=rt.names.order_queue,
        handler=order_placed_handler(store, rt.metrics),
        publisher=rt.publisher,
        metrics=rt.metrics,
        settings=rt.settings,
    )

    async def queue_ok() -> None:
        if not consumer.state.receiving_ok:
            raise ConnectionError(consumer.state.last_error or "cannot receive")

    async def orders_table_ok() -> None:
        await rt.aws.dynamodb.describe_table(TableName=rt.names.orders_table)

    readiness = Readiness(ttl=1.0)
    readiness.add("queue", queue_ok)
    readiness.add("orders_table", orders_table_ok)
    app = web.Application(middlewares=[request_context, baseline_headers, json_errors])
    add_probe_routes(app, rt.metrics, readiness)
    add_routes(app, store)
    return app, consumer


async def serve(settings: Settings, stop: asyncio.Event) -> None:
    async with open_runtime(settings, "order") as rt:
        app, consumer = await build(rt)
        await run_service(app, settings.order_port, [consumer], settings, stop)
