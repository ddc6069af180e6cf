"""The index plus the rules that decide which version of a product it keeps.

Only the Products table says what a product is. Events name the products to read again, never
their contents, so what the index holds is always a row some read returned. Two kinds of reads
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
SNS and SQS, waits at most the consumer's receive window (`ECOMM_LOOKUP_RECEIVE_WINDOW`, 1 s), and
lands after one coalesced read (`refresher.py`): about a second behind the table, a few
seconds at worst under load. A change no event announced (events lost, expired, or a task
without its own queue) lands at the next resync (`sync.RESYNC_INTERVAL`, 10 minutes). Nothing
decides on what it shows: the order transaction checks stock and price against the table.

Every row applied is also ranked by its units sold (`sales`, for the best sellers), and every
product removed is forgotten there, so the ranking never needs a scan of the index.
"""

from __future__ import annotations

import asyncio
from collections import Counter
from collections.abc import Iterable, Iterator, Mapping
from contextlib import contextmanager

from ecomm.core.domain.products import Product
from ecomm.roles.lookup.index import SearchIndex
from ecomm.roles.lookup.showcase import Sales


class NotReady(Exception):
    """The index is still being built."""


class ReadModel:
    def __init__(self, index: SearchIndex | None = None) -> None:
        self.index = index if index is not None else SearchIndex()
        self.sales = Sales()
        for product_id in self.index.product_ids():
            held = self.index.get(product_id)
            if held is not None:
                self.sales.record(held)
        self.ready = asyncio.Event()
        self._reading: Counter[str] = Counter()  # product ids a refresh is reading right now
        # Product ids a refresh read while a full scan runs (None: no scan running).
        self._touched: set[str] | None = None

    def load(self, products: list[Product]) -> None:
        """One page of the first load (on a worker thread, before anything else reads)."""
        self.index.load(products)
        for product in products:
            self.sales.record(product)

    def product(self, product_id: str) -> Product | None:
        """The product as held now (see the lag above), or None when the table has no such row."""
        return self.index.get(product_id)

    def mark_ready(self) -> None:
        self.ready.set()

    async def check_ready(self) -> None:
        """A readiness check: raises until the first full load finished."""
        if not self.ready.is_set():
            raise NotReady(f"index loading ({len(self.index)} products so far)")

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

    def refreshed(self, asked: Iterable[str], found: Mapping[str, Product]) -> None:
        """Apply a consistent read of `asked`; what it did not find is gone from the table."""
        for product_id in asked:
            product = found.get(product_id)
            if product is None:
                self.index.remove(product_id)
                self.sales.forget(product_id)
            elif self.index.get(product_id) != product:
                self.index.upsert(product)
                self.sales.record(product)

    # -- full scans ---------------------------------------------------------------------------

    def begin_sync(self) -> None:
        # A refresh already reading has no order against the pages to come.
        self._touched = set(self._reading)

    def synced(self, products: Iterable[Product]) -> int:
        """Apply one page of a scan of a live index; returns how many products changed."""
        touched = self._touched or set()
        changes = 0
        for product in products:
            if product.productID in touched or self.index.get(product.productID) == product:
                continue
            self.index.upsert(product)
            self.sales.record(product)
            changes += 1
        return changes

    def end_sync(self, seen: set[str] | None) -> int:
        """Drop what the scan did not see (deleted from the table); returns how many.

        `seen` is None when the scan broke off: then nothing can be concluded, and nothing goes.
        """
        touched, self._touched = self._touched or set(), None
        if seen is None:
            return 0
        gone = self.index.product_ids() - seen - touched
        for product_id in gone:
            self.index.remove(product_id)
            self.sales.forget(product_id)
        return len(gone)
