"""Product re-reads, coalesced: many events naming products, one BatchGetItem.

An event never says what a product is, only which products to read again: a confirmed order
the ones whose stock it took, a `ProductChanged` the one an operator changed. Reading the row,
rather than applying what the event carries, makes the result exact and idempotent (a duplicate
or a late delivery reads the same current row again) and leaves nothing for a forged or wrong
event to put in the engine. The consumer hands a batch of up to ten messages to its handler
concurrently; each asks for its products and waits, and after a short window one read covers
them all:

    handler 1 ─ refresh(P1, P2) ─┐
    handler 2 ─ refresh(P2, P7) ─┼─ window ─> get_many(P1, P2, P7) ─> read model ─> all resume
    handler 3 ─ refresh(P9)     ─┘

A handler returns only when its products were read and are searchable as read, so its message
is deleted only then; if the read fails, every waiter raises and their messages come back. One
read runs at a time, so an older read can never land after a newer one (how reads and resync
scans are ordered is in `readmodel.py`).
"""

from __future__ import annotations

import asyncio
from collections.abc import Iterable, Mapping
from typing import Protocol

from ecomm.core.domain.products import Product
from ecomm.core.runtime.tasks import cancel_and_wait
from ecomm.roles.lookup.readmodel import ReadModel


class ProductReader(Protocol):
    async def get_many(self, product_ids: Iterable[str]) -> Mapping[str, Product]: ...


class ProductRefresher:
    def __init__(self, products: ProductReader, model: ReadModel, *, window: float = 0.01) -> None:
        self._products = products
        self._model = model
        self._window = window
        self._waiting: list[tuple[set[str], asyncio.Future[None]]] = []
        self._task: asyncio.Task[None] | None = None

    async def refresh(self, product_ids: Iterable[str]) -> None:
        wanted = set(product_ids)
        if not wanted:
            return
        done: asyncio.Future[None] = asyncio.get_running_loop().create_future()
        self._waiting.append((wanted, done))
        if self._task is None or self._task.done():
            self._task = asyncio.create_task(self._drain(), name="product-refresher")
        await done

    async def close(self) -> None:
        await cancel_and_wait(self._task)
        for _, done in self._waiting:
            done.cancel()
        self._waiting = []

    async def _drain(self) -> None:
        while self._waiting:
            await asyncio.sleep(self._window)  # let the rest of the batch join this read
            batch, self._waiting = self._waiting, []
            asked = set().union(*(ids for ids, _ in batch))
            try:
                with self._model.reading(asked):
                    found = await self._products.get_many(sorted(asked))
                await self._model.refreshed(asked, found)
            except asyncio.CancelledError:
                for _, done in batch:
                    done.cancel()
                raise
            except Exception as exc:  # noqa: BLE001 - not swallowed: every waiter raises it
                for _, done in batch:
                    if not done.done():
                        done.set_exception(exc)
                continue
            for _, done in batch:
                if not done.done():
                    done.set_result(None)
