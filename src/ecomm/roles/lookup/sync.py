"""Loading the index from the Products table, then re-reading it now and then as a safety net.

The first load runs in the background: `/healthz` answers at once, `/readyz` says 503 until it
finished. Its CPU work (indexing 100,000 products takes seconds) runs in the engine writer's
worker thread one scan page at a time, so the event loop keeps answering probes while it runs;
nothing searches the engine until it is marked ready.

After that, events say which products to read again (see `taskqueue.py`); the periodic resync
bounds how stale the engine can get when they cannot: rows written without an event (a `seed`
while the shop runs), events that expired or went to the dead-letter queue, a task that ran
without its own queue. It makes the engine what the scan read, whatever was held before, except
for a product a refresh read meanwhile (`readmodel.py`); it applies only what differs, one page
at a time.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import AsyncIterator
from typing import Protocol

import structlog
from botocore.exceptions import BotoCoreError, ClientError

from ecomm.core.domain.errors import TransientError
from ecomm.core.domain.products import Product
from ecomm.roles.lookup.readmodel import ReadModel

log = structlog.get_logger(__name__)

# A table that is missing or unreachable now may be there later (provisioning, a network blip).
_RETRYABLE = (TransientError, ClientError, BotoCoreError, OSError)

RESYNC_INTERVAL = 600.0
SCAN_SEGMENTS = 4


class ProductScanner(Protocol):
    def scan(self, segments: int = ...) -> AsyncIterator[list[Product]]: ...


class CatalogSync:
    def __init__(
        self,
        products: ProductScanner,
        model: ReadModel,
        *,
        resync_interval: float = RESYNC_INTERVAL,
        segments: int = SCAN_SEGMENTS,
        retry_delay: float = 2.0,
    ) -> None:
        self._products = products
        self._model = model
        self._interval = resync_interval
        self._segments = segments
        self._retry_delay = retry_delay

    async def run(self) -> None:
        """Load until it succeeds, then resync every `resync_interval` seconds, forever."""
        while True:
            try:
                await self.load()
                break
            except _RETRYABLE as exc:
                log.warning("index_load_failed", error=str(exc), retry_in=self._retry_delay)
                await asyncio.sleep(self._retry_delay)
        while True:
            await asyncio.sleep(self._interval)
            try:
                await self.resync()
            except _RETRYABLE as exc:
                log.warning("resync_failed", error=str(exc))

    async def load(self) -> None:
        started = time.perf_counter()
        async for page in self._products.scan(self._segments):
            await self._model.load(page)
        await self._model.finish_load()
        self._model.mark_ready()
        log.info(
            "index_loaded",
            products=len(self._model.engine),
            seconds=round(time.perf_counter() - started, 2),
        )

    async def resync(self) -> None:
        started = time.perf_counter()
        seen: set[str] = set()
        changed = 0
        self._model.begin_sync()
        try:
            async for page in self._products.scan(self._segments):
                seen.update(p.productID for p in page)
                changed += await self._model.synced(page)
        except BaseException:
            self._model.abandon_sync()
            raise
        removed = await self._model.end_sync(seen)
        log.info(
            "index_resynced",
            products=len(seen),
            changed=changed,
            removed=removed,
            seconds=round(time.perf_counter() - started, 2),
        )
