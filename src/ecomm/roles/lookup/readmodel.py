"""The index plus the rules that decide which version of a product it keeps.

Events arrive at least once and in any order, and table reads race with them, so every change
goes through one of three doors, each idempotent:

    changed(p)   an event's snapshot      applied only if strictly newer than what is held
    refreshed(p) a consistent table read  applied unless what is held is newer
    synced(p)    a page of a full scan    applied unless held is newer, or an event/read
                                          touched that product after the scan began

`updatedAt` only grows in the table, so "newer" is a string comparison of ISO timestamps. A
refresh is allowed to win a tie: the order worker may change stock without touching updatedAt,
and a read is never older than the event that caused it. Reads are serialised by the refresher,
so two reads never land out of order.
"""

from __future__ import annotations

import asyncio
from collections.abc import Iterable, Mapping

from ecomm.core.domain import Product
from ecomm.roles.lookup.index import SearchIndex


class NotReady(Exception):
    """The index is still being built."""


class ReadModel:
    def __init__(self, index: SearchIndex | None = None) -> None:
        self.index = index if index is not None else SearchIndex()
        self.ready = asyncio.Event()
        # Product ids an event or a read updated while a full scan runs (None: no scan running).
        self._touched: set[str] | None = None

    def mark_ready(self) -> None:
        self.ready.set()

    async def check_ready(self) -> None:
        """A readiness check: raises until the first full load finished."""
        if not self.ready.is_set():
            raise NotReady(f"index loading ({len(self.index)} products so far)")

    def changed(self, product: Product) -> bool:
        held = self.index.get(product.productID)
        if held is not None and held.updatedAt >= product.updatedAt:
            return False
        self._touch(product.productID)
        self.index.upsert(product)
        return True

    def refreshed(self, asked: Iterable[str], found: Mapping[str, Product]) -> None:
        for product_id in asked:
            self._touch(product_id)
            product = found.get(product_id)
            if product is None:
                self.index.remove(product_id)  # the table no longer has it
                continue
            held = self.index.get(product_id)
            if held is None or (held.updatedAt <= product.updatedAt and held != product):
                self.index.upsert(product)

    # -- full scans ---------------------------------------------------------------------------

    def begin_sync(self) -> None:
        self._touched = set()

    def synced(self, products: Iterable[Product]) -> int:
        """Apply one page of a scan of a live index; returns how many products changed."""
        touched = self._touched or set()
        changes = 0
        for product in products:
            held = self.index.get(product.productID)
            if held == product or product.productID in touched:
                continue
            if held is not None and held.updatedAt > product.updatedAt:
                continue
            self.index.upsert(product)
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
        return len(gone)

    def _touch(self, product_id: str) -> None:
        if self._touched is not None:
            self._touched.add(product_id)
