"""Fakes behind the lookup role's interfaces: a Products table in a dict."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Iterable

from ecomm.core.domain.errors import TransientError
from ecomm.core.domain.products import Product, ProductNotFound


class FakeTable:
    """`get`, `get_many` and `scan` over a dict, counting reads and failing on request."""

    def __init__(self, products: Iterable[Product] = ()) -> None:
        self.rows = {p.productID: p for p in products}
        self.reads: list[list[str]] = []
        self.failures = 0
        self.gate: asyncio.Event | None = None  # set: scans wait for it
        # Set: a read answers with the rows as they were when it began, once the gate opens.
        self.read_gate: asyncio.Event | None = None
        self.read_begun = asyncio.Event()

    def put(self, product: Product) -> None:
        self.rows[product.productID] = product

    async def get(self, product_id: str) -> Product:
        self.reads.append([product_id])
        self._maybe_fail()
        if product_id not in self.rows:
            raise ProductNotFound(product_id)
        return self.rows[product_id]

    async def get_many(self, product_ids: Iterable[str]) -> dict[str, Product]:
        wanted = list(product_ids)
        self.reads.append(wanted)
        found = {i: self.rows[i] for i in wanted if i in self.rows}
        self.read_begun.set()
        await asyncio.sleep(0)
        if self.read_gate is not None:
            await self.read_gate.wait()
        self._maybe_fail()
        return found

    async def scan(self, segments: int = 4) -> AsyncIterator[list[Product]]:
        if self.gate is not None:
            await self.gate.wait()
        self._maybe_fail()
        rows = list(self.rows.values())
        for start in range(0, len(rows), 7):
            yield rows[start : start + 7]

    def _maybe_fail(self) -> None:
        if self.failures:
            self.failures -= 1
            raise TransientError("throttled")
