"""The one task that changes the search engine: changes are queued, and applied in batches.

Tantivy allows one writer per index, used by one thread at a time, and a commit costs a few
milliseconds whatever its size. So every change to the engine is queued here (the first load's
pages, a refresh's rows, a scan's pages, the products a scan found gone), and one task applies
whatever is queued, in a worker thread so the event loop keeps answering:

    refresher ─ rows ──────┐
    resync ──── page ──────┼─ queue ─> drain task ─> to_thread(engine.apply(merged)) ─> resume
    resync ──── keep only ─┘                            (one commit)

Changes apply in the order they were queued, as if one by one: a later change to a product
overrides an earlier one in the same batch. Each caller resumes once its change is searchable,
told how many products it actually changed (counted against what the engine holds plus what
was queued before it). `applied` sees every product put or removed, after its batch.

At most one drain task runs at a time, and it waits for its thread to finish, so the engine's
writer is never used by two threads at once, not even after a cancellation: `close` waits for
the thread a cancelled drain left running.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from ecomm.core.domain.products import Product
from ecomm.core.runtime.tasks import cancel_and_wait
from ecomm.roles.lookup.engine import SearchEngine

# What a batch does to each product it names: the row to hold, or None to remove it.
Changes = dict[str, Product | None]


@dataclass
class _Change:
    put: list[Product] = field(default_factory=list)
    remove: list[str] = field(default_factory=list)
    keep_only: set[str] | None = None  # every product not named here goes
    load: list[Product] | None = None  # a page of the first load (committed by `finish`)
    finish: bool = False
    done: asyncio.Future[int] = field(
        default_factory=lambda: asyncio.get_running_loop().create_future()
    )


class EngineWriter:
    def __init__(
        self, engine: SearchEngine, applied: Callable[[Mapping[str, Product | None]], None]
    ) -> None:
        self._engine = engine
        self._applied = applied
        self._queue: list[_Change] = []
        self._task: asyncio.Task[None] | None = None
        self._thread: asyncio.Future[Any] | None = None

    async def load(self, products: Iterable[Product]) -> None:
        """A page of the first load: held, but searchable only after `finish_load`."""
        await self._submit(_Change(load=list(products)))

    async def finish_load(self) -> None:
        await self._submit(_Change(finish=True))

    async def put(self, products: Iterable[Product]) -> int:
        """Hold these rows as given; returns how many differed from what was held."""
        return await self._submit(_Change(put=list(products)))

    async def change(self, rows: Mapping[str, Product | None]) -> int:
        """Hold each row given, remove each product given None; returns how many changed."""
        put = [p for p in rows.values() if p is not None]
        remove = [pid for pid, p in rows.items() if p is None]
        return await self._submit(_Change(put=put, remove=remove))

    async def keep_only(self, product_ids: set[str]) -> int:
        """Remove every product not in `product_ids`; returns how many went."""
        return await self._submit(_Change(keep_only=product_ids))

    async def close(self) -> None:
        await cancel_and_wait(self._task)
        for change in self._queue:
            change.done.cancel()
        self._queue = []
        if self._thread is not None:
            with contextlib.suppress(BaseException):
                await self._thread

    async def _submit(self, change: _Change) -> int:
        self._queue.append(change)
        if self._task is None or self._task.done():
            self._task = asyncio.create_task(self._drain(), name="engine-writer")
        return await change.done

    async def _drain(self) -> None:
        if self._thread is not None:  # left running by a cancelled drain: still the writer's
            await asyncio.wait([self._thread])
        while self._queue:
            batch, self._queue = self._queue, []
            try:
                await self._apply(batch)
            except asyncio.CancelledError:
                for change in batch:
                    change.done.cancel()
                raise
            except Exception as exc:  # noqa: BLE001 - not swallowed: every caller raises it
                for change in batch:
                    if not change.done.done():
                        change.done.set_exception(exc)

    async def _apply(self, batch: list[_Change]) -> None:
        merged: Changes = {}
        counts: list[tuple[_Change, int]] = []
        for change in batch:
            if change.load is not None or change.finish:
                # The first load runs before anything else is queued; keep its order anyway.
                await self._commit(merged)
                merged = {}
                if change.load is not None:
                    await self._in_thread(self._engine.load, change.load)
                    self._applied({p.productID: p for p in change.load})
                else:
                    await self._in_thread(self._engine.finish_load)
                counts.append((change, 0))
            else:
                counts.append((change, self._merge(merged, change)))
        await self._commit(merged)
        for change, count in counts:
            if not change.done.done():
                change.done.set_result(count)

    def _merge(self, merged: Changes, change: _Change) -> int:
        """Fold `change` into `merged`; how many products it changes, after what came before."""

        def held(product_id: str) -> Product | None:
            return merged[product_id] if product_id in merged else self._engine.get(product_id)

        changed = 0
        for product in change.put:
            if held(product.productID) != product:
                merged[product.productID] = product
                changed += 1
        for product_id in change.remove:
            if held(product_id) is not None:
                merged[product_id] = None
                changed += 1
        if change.keep_only is not None:
            present = self._engine.product_ids() | {i for i, p in merged.items() if p is not None}
            for product_id in present - change.keep_only:
                if held(product_id) is not None:
                    merged[product_id] = None
                    changed += 1
        return changed

    async def _commit(self, merged: Changes) -> None:
        if not merged:
            return
        upserts = [p for p in merged.values() if p is not None]
        removals = [pid for pid, p in merged.items() if p is None]
        await self._in_thread(self._engine.apply, upserts, removals)
        self._applied(merged)

    async def _in_thread(self, work: Callable[..., Any], *args: Any) -> Any:
        # Shielded: a cancelled drain must not lose track of a thread still using the writer.
        self._thread = asyncio.ensure_future(asyncio.to_thread(work, *args))
        try:
            return await asyncio.shield(self._thread)
        finally:
            if self._thread.done():
                self._thread = None
