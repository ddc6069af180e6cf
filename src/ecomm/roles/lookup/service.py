"""The lookup role's composition root: build everything once, serve, shut down cleanly.

    own queue (sweep leftovers, create, subscribe) ─> start loading the index in the background
    ─> serve HTTP and consume the shared LookupQueue and the own queue ─> stop
    ─> stop the sync, finish refreshes ─> delete the own queue ─> close the AWS clients

The own queue is subscribed before the scan starts, so no change falls between the two.
"""

from __future__ import annotations

import asyncio
import contextlib
import gc

import structlog
from prometheus_client import Gauge

from ecomm.core.bootstrap import Runtime, open_runtime, run_service
from ecomm.core.consumer import QueueConsumer, resolve_queue_url
from ecomm.core.domain import ProductNotFound
from ecomm.core.http import Readiness
from ecomm.core.products import ProductRepository
from ecomm.core.publisher import resolve_topic_arn
from ecomm.core.settings import Settings
from ecomm.roles.lookup.app import create_app
from ecomm.roles.lookup.handlers import LookupHandlers
from ecomm.roles.lookup.readmodel import ReadModel
from ecomm.roles.lookup.refresher import ProductRefresher
from ecomm.roles.lookup.sync import RESYNC_INTERVAL, CatalogSync
from ecomm.roles.lookup.taskqueue import TaskQueues, own_queue
from ecomm.roles.lookup.trending import Trending

log = structlog.get_logger(__name__)

# A key no product has: reading it proves the table answers, with the permission we use anyway.
_PROBE_ID = "__readiness_probe__"


async def serve(
    settings: Settings, stop: asyncio.Event, *, resync_interval: float = RESYNC_INTERVAL
) -> None:
    async with open_runtime(settings, "lookup") as rt:
        await _serve(rt, stop, resync_interval)


async def _serve(rt: Runtime, stop: asyncio.Event, resync_interval: float) -> None:
    settings = rt.settings
    products = ProductRepository(rt.aws.dynamodb, rt.names.products_table)
    model = ReadModel()
    trending = Trending()
    refresher = ProductRefresher(products, model)
    handlers = LookupHandlers(model, trending, refresher)

    def consumer(url: str, name: str) -> QueueConsumer:
        return QueueConsumer(
            rt.aws.sqs,
            url,
            queue_name=name,
            handler=handlers.handle,
            publisher=rt.publisher,
            metrics=rt.metrics,
            settings=settings,
        )

    consumers = [consumer(await resolve_queue_url(rt.aws.sqs, rt.names.lookup_queue), "lookup")]
    topic_arn = await resolve_topic_arn(rt.aws.sns, settings)
    async with own_queue(TaskQueues(rt.aws, settings, topic_arn)) as own:
        if own is not None:
            consumers.append(consumer(own.url, "lookup-task"))
        _export_gauges(rt, model, has_own_queue=own is not None)

        async def queues_answer() -> None:
            failing = [c.state.last_error for c in consumers if not c.state.receiving_ok]
            if failing:
                raise ConnectionError(f"cannot receive: {failing[0]}")

        async def table_answers() -> None:
            with contextlib.suppress(ProductNotFound):
                await products.get(_PROBE_ID)

        readiness = Readiness(ttl=1.0)
        readiness.add("index", model.check_ready)
        readiness.add("queues", queues_answer)
        readiness.add("products_table", table_answers)
        app = create_app(
            model=model,
            trending=trending,
            products=products,
            metrics=rt.metrics,
            readiness=readiness,
        )
        sync = CatalogSync(products, model, resync_interval=resync_interval)
        syncing = asyncio.create_task(sync.run(), name="catalog-sync")
        syncing.add_done_callback(_report_crash)
        freezing = asyncio.create_task(_freeze_when_loaded(model))
        try:
            await run_service(app, settings.lookup_port, consumers, settings, stop)
        finally:
            freezing.cancel()
            syncing.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await syncing
            await refresher.close()


def _export_gauges(rt: Runtime, model: ReadModel, *, has_own_queue: bool) -> None:
    registry = rt.metrics.registry
    Gauge(
        "ecomm_lookup_index_products", "Products in this task's search index.", registry=registry
    ).set_function(lambda: len(model.index))
    # 0 means degraded: this task sees only its share of the shared queue's events (see
    # taskqueue.py), so its search results may show stale stock until the next resync.
    Gauge(
        "ecomm_lookup_own_queue",
        "1 when this task has its own queue on the topic.",
        registry=registry,
    ).set(1 if has_own_queue else 0)


async def _freeze_when_loaded(model: ReadModel) -> None:
    await model.ready.wait()
    # The index is a million long-lived objects: moved out of the collector's generations,
    # full collections stop walking them (a ~100 ms pause each at 100,000 products).
    gc.freeze()


def _report_crash(task: asyncio.Task[None]) -> None:
    if not task.cancelled() and task.exception() is not None:
        # A bug: the index stops loading or resyncing; /readyz stays 503 if it never loaded.
        log.error("catalog_sync_crashed", error=repr(task.exception()))
