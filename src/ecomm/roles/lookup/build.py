"""The lookup role's composition root: build everything once; the app's cleanup_ctx runs it.

    startup:  own queue (sweep leftovers, create, subscribe) ─> load the engine in the background
    running:  HTTP from memory; consumers of the shared LookupQueue and of the own queue
    cleanup:  finish refreshes ─> stop the sync ─> stop the engine's writer ─> delete the own queue

The own queue is subscribed before the scan starts, so no change falls between the two.
"""

from __future__ import annotations

import asyncio
import gc
from collections.abc import AsyncIterator

import structlog
from aiohttp import web
from prometheus_client import Gauge

from ecomm.core.adapters.products_table import ProductRepository
from ecomm.core.runtime.bootstrap import Built, Runtime
from ecomm.core.runtime.http import Readiness
from ecomm.core.runtime.tasks import cancel_and_wait
from ecomm.roles.lookup.app import create_app
from ecomm.roles.lookup.handlers import LookupHandlers
from ecomm.roles.lookup.readmodel import ReadModel
from ecomm.roles.lookup.refresher import ProductRefresher
from ecomm.roles.lookup.sync import RESYNC_INTERVAL, CatalogSync
from ecomm.roles.lookup.taskqueue import OwnQueue, TaskQueues
from ecomm.roles.lookup.trending import Trending

log = structlog.get_logger(__name__)

# A key no product has: reading it proves the table answers, with the one read lookup makes
# anyway (the refresher's BatchGetItem).
_PROBE_ID = "__readiness_probe__"


async def build(rt: Runtime, *, resync_interval: float = RESYNC_INTERVAL) -> Built:
    products = ProductRepository(rt.aws.dynamodb, rt.names.products_table)
    model = ReadModel()
    trending = Trending()
    refresher = ProductRefresher(products, model)
    handlers = LookupHandlers(model, trending, refresher)
    own = OwnQueue(TaskQueues(rt.aws, rt.settings, rt.topic_arn))
    window = rt.settings.lookup_receive_window  # the read model's lag (see readmodel.py)
    consumers = [
        rt.consumer(rt.names.lookup_queue, handlers.handle, window=window),
        rt.consumer(
            f"{rt.names.lookup_queue}-task", handlers.handle, locate=own.locate, window=window
        ),
    ]

    async def queues_answer() -> None:
        failing = [c.state.last_error for c in consumers if not c.state.receiving_ok]
        if failing:
            raise ConnectionError(f"cannot receive: {failing[0]}")

    async def table_answers() -> None:
        await products.get_many([_PROBE_ID])

    readiness = Readiness(ttl=1.0)
    readiness.add("index", model.check_ready)
    readiness.add("queues", queues_answer)
    readiness.add("products_table", table_answers)
    app = create_app(model=model, trending=trending, metrics=rt.metrics, readiness=readiness)
    sync = CatalogSync(products, model, resync_interval=resync_interval)

    async def syncing(_: web.Application) -> AsyncIterator[None]:
        task = asyncio.create_task(sync.run(), name="catalog-sync")
        task.add_done_callback(_report_crash)
        freezing = asyncio.create_task(_freeze_when_loaded(model))
        yield
        await cancel_and_wait(freezing)
        await cancel_and_wait(task)
        await model.close()

    async def refreshing(_: web.Application) -> AsyncIterator[None]:
        yield
        await refresher.close()

    # Entered in this order at startup, left in the reverse order at cleanup.
    app.cleanup_ctx.extend([own.lifetime, syncing, refreshing])
    _export_gauges(rt, model, own)
    return Built(app, consumers)


def _export_gauges(rt: Runtime, model: ReadModel, own: OwnQueue) -> None:
    registry = rt.metrics.registry
    Gauge(
        "ecomm_lookup_index_products", "Products in this task's search index.", registry=registry
    ).set_function(lambda: len(model.engine))
    # 0 means degraded: this task sees only its share of the shared queue's events (see
    # taskqueue.py), so its search results may show stale stock until the next resync.
    Gauge(
        "ecomm_lookup_own_queue",
        "1 when this task has its own queue on the topic.",
        registry=registry,
    ).set_function(lambda: 0 if own.queue is None else 1)


async def _freeze_when_loaded(model: ReadModel) -> None:
    await model.ready.wait()
    # The products are a million long-lived objects: moved out of the collector's generations,
    # full collections stop walking them.
    gc.freeze()


def _report_crash(task: asyncio.Task[None]) -> None:
    if not task.cancelled() and task.exception() is not None:
        # A bug: the engine stops loading or resyncing; /readyz stays 503 if it never loaded.
        log.error("catalog_sync_crashed", error=repr(task.exception()))
