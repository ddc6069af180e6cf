"""The search engine plus the rules that decide which version of a product it keeps.

Only the Products table says what a product is. Events name the products to read again, never
their contents, so what the engine holds is always a row some read returned. Two kinds of reads
land, and the only question is their order:

    refreshed(ids, rows)  a consistent BatchGetItem  applied as read: the row, or its absence
    synced(rows)          one page of a full scan     applied unless that product was being
                                                      refreshed at some moment of the scan

Refreshes are serialised by the refresher, so a later one always started after an earlier one
landed. A scan page and a refresh of the same product can overlap, and nothing tells which read
the newer row; so a product with a refresh in flight at any moment of a scan belongs to the
refresh, and that scan neither replaces nor removes it:

    scan:     begin ────── page with P read ─────── page with P applied ────── end
    refresh:        P read ─────────────────── lands     skipped: P was being read

The product comes back to the table's row at its next refresh or at the end of the next scan
that no refresh of it overlaps. `updatedAt` plays no part: a row that claims a time ahead of the
clock would otherwise outrank the table for as long as the task runs.

How fresh it is, which is what the API shows (product pages and carts too): a change the
order worker or an operator makes is announced by an event, which reaches this task through
SNS and SQS, waits at most the consumer's receive window (`ECOMM_LOOKUP_RECEIVE_WINDOW`, 1 s),
and lands after one coalesced read (`refresher.py`): about a second behind the table, a few
seconds at worst under load. A change no event announced (events lost, expired, or a task
without its own queue) lands at the next resync (`sync.RESYNC_INTERVAL`, 10 minutes). Nothing
decides on what it shows: the order transaction checks stock and price against the table.

A read "lands" when it is handed to the engine's writer (`writer.py`), which applies changes
in the order they were handed over, so the order above is the order they take effect in; the
caller resumes once its change is searchable. Every row applied is also ranked by its units
sold (`sales`, for the best sellers), and every product removed is forgotten there, so the
ranking never needs a scan of the engine.
"""

from __future__ import annotations

import asyncio
from collections import Counter
from collections.abc import Iterable, Iterator, Mapping
from contextlib import contextmanager

from ecomm.core.domain.products import Product
from ecomm.roles.lookup.engine import SearchEngine
from ecomm.roles.lookup.showcase import Sales
from ecomm.roles.lookup.writer import EngineWriter


class NotReady(Exception):
    """The engine is still being loaded."""


class ReadModel:
    def __init__(self, engine: SearchEngine | None = None) -> None:
        self.engine = engine if engine is not None else SearchEngine()
        self.sales = Sales()
        for held in self.engine:
            self.sales.record(held)
        self._writer = EngineWriter(self.engine, self._applied)
        self.ready = asyncio.Event()
        self._reading: Counter[str] = Counter()  # product ids a refresh is reading right now
        # Product ids a refresh read while a full scan runs (None: no scan running).
        self._touched: set[str] | None = None

    async def load(self, products: Iterable[Product]) -> None:
        """One page of the first load (nothing reads the engine before `mark_ready`)."""
        await self._writer.load(products)

    async def finish_load(self) -> None:
        await self._writer.finish_load()

    def product(self, product_id: str) -> Product | None:
        """The product as held now (see the lag above), or None when the table has no such row."""
        return self.engine.get(product_id)

    def mark_ready(self) -> None:
        self.ready.set()

    async def check_ready(self) -> None:
        """A readiness check: raises until the first full load finished."""
        if not self.ready.is_set():
            raise NotReady(f"index loading ({len(self.engine)} products so far)")

    async def close(self) -> None:
        await self._writer.close()

    @contextmanager
    def reading(self, product_ids: Iterable[str]) -> Iterator[None]:
        """Around a refresh's table read: a scan running meanwhile leaves these products alone."""
        ids = set(product_ids)
        self._reading.update(ids)
        if self._touched is not None:
            self._touched |= ids
        try:
            yield
        finally:
            self._reading.subtract(ids)
            self._reading = +self._reading  # forget the ids no read holds any more

    async def refreshed(self, asked: Iterable[str], found: Mapping[str, Product]) -> None:
        """Apply a consistent read of `asked`; what it did not find is gone from the table.

        Handed to the writer before this awaits anything: the read lands when it is called."""
        await self._writer.change({product_id: found.get(product_id) for product_id in asked})

    # -- full scans ---------------------------------------------------------------------------

    def begin_sync(self) -> None:
        # A refresh already reading has no order against the pages to come.
        self._touched = set(self._reading)

    async def synced(self, products: Iterable[Product]) -> int:
        """Apply one page of a scan of a live engine; returns how many products changed."""
        touched = self._touched or set()
        return await self._writer.put([p for p in products if p.productID not in touched])

    async def end_sync(self, seen: set[str]) -> int:
        """Drop what the scan did not see (deleted from the table); returns how many."""
        touched, self._touched = self._touched or set(), None
        return await self._writer.keep_only(seen | touched)

    def abandon_sync(self) -> None:
        """A scan that broke off: nothing can be concluded from it, and nothing goes."""
        self._touched = None

    def _applied(self, rows: Mapping[str, Product | None]) -> None:
        for product_id, product in rows.items():
            if product is None:
                self.sales.forget(product_id)
            else:
                self.sales.record(product)
