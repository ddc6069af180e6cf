"""Lookup shows the Products table's rows, whatever an event claims (against the emulator)."""

from __future__ import annotations

from collections.abc import AsyncIterator
from dataclasses import dataclass, replace
from decimal import Decimal

import pytest

from ecomm.core.adapters.products_table import ProductRepository
from ecomm.core.contracts.events import Envelope, EventType, LineData, OrderOutcomeData
from ecomm.ops.catalog import product_id, seed
from ecomm.ops.products import changed_data
from ecomm.roles.lookup.handlers import LookupHandlers
from ecomm.roles.lookup.readmodel import ReadModel
from ecomm.roles.lookup.refresher import ProductRefresher
from ecomm.roles.lookup.sync import CatalogSync
from ecomm.roles.lookup.trending import Trending

CATALOG_SIZE = 20
PID = product_id(7)


@dataclass
class Lookup:
    products: ProductRepository
    model: ReadModel
    sync: CatalogSync
    handlers: LookupHandlers


@pytest.fixture
async def lookup(products: ProductRepository) -> AsyncIterator[Lookup]:
    await seed(products, CATALOG_SIZE, progress=False)
    model = ReadModel()
    sync = CatalogSync(products, model)
    await sync.load()
    refresher = ProductRefresher(products, model)
    try:
        yield Lookup(products, model, sync, LookupHandlers(model, Trending(), refresher))
    finally:
        await refresher.close()


def confirmed(pid: str) -> Envelope:
    line = LineData(productID=pid, quantity=1)
    return Envelope.wrap(
        EventType.ORDER_CONFIRMED, OrderOutcomeData(orderID="O-1", items=[line]), None
    )


async def test_a_forged_product_change_never_shows_and_the_table_wins(lookup: Lookup) -> None:
    row = await lookup.products.get(PID)
    forged = replace(
        row, name="Forged Bargain", price=Decimal("0.01"), updatedAt="2999-01-01T00:00:00.000Z"
    )
    await lookup.handlers.handle(
        Envelope.wrap(EventType.PRODUCT_CHANGED, changed_data(forged), None)
    )
    assert lookup.model.engine.get(PID) == row  # the event only said which row to read

    sold = await lookup.products.change(PID, stock_delta=-1)
    await lookup.handlers.handle(confirmed(PID))
    assert lookup.model.engine.get(PID) == sold
    await lookup.sync.resync()
    assert lookup.model.engine.get(PID) == sold


async def test_a_resync_brings_back_the_table_s_row_whatever_was_held(lookup: Lookup) -> None:
    row = await lookup.products.get(PID)
    # However a wrong version got in (an older release trusted events' snapshots), the next
    # resync replaces it with the row.
    stale = replace(row, name="Stale Name", updatedAt="2999-01-01")
    await lookup.model.refreshed([PID], {PID: stale})
    await lookup.sync.resync()
    assert lookup.model.engine.get(PID) == row
