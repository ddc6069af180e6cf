from __future__ import annotations

import asyncio
from dataclasses import replace

import pytest

from ecomm.core.domain.errors import TransientError
from ecomm.core.domain.search import SearchQuery
from ecomm.roles.lookup.readmodel import NotReady, ReadModel
from ecomm.roles.lookup.refresher import ProductRefresher
from ecomm.roles.lookup.sync import CatalogSync
from tests.unit.lookup.catalogs import product, ready_model
from tests.unit.lookup.fakes import FakeTable

CATALOG = [product(f"P{i:02d}", f"Item {i}", stock=i % 3) for i in range(30)]


async def test_the_first_load_indexes_the_whole_table_then_says_ready() -> None:
    model = ReadModel()
    with pytest.raises(NotReady):
        await model.check_ready()
    await CatalogSync(FakeTable(CATALOG), model).load()
    await model.check_ready()
    assert len(model.engine) == 30
    assert model.engine.search(SearchQuery("item", per_page=100))[1] == 30


async def test_a_load_that_fails_is_retried_until_it_succeeds() -> None:
    table = FakeTable(CATALOG)
    table.failures = 2
    model = ReadModel()
    running = asyncio.create_task(CatalogSync(table, model, retry_delay=0.01).run())
    await asyncio.wait_for(model.ready.wait(), timeout=2)
    running.cancel()
    assert len(model.engine) == 30


async def test_a_resync_applies_what_changed_and_drops_what_was_deleted() -> None:
    table = FakeTable(CATALOG)
    model = ready_model(CATALOG)
    table.put(replace(CATALOG[3], stock=99))
    table.put(product("P99", "New Item"))
    del table.rows["P04"]
    await CatalogSync(table, model).resync()
    assert model.engine.get("P03") == table.rows["P03"]
    assert model.engine.get("P99") is not None
    assert model.engine.get("P04") is None


async def test_a_resync_does_not_undo_what_a_refresh_read_while_it_ran() -> None:
    model = ready_model(CATALOG)
    model.begin_sync()
    # An order lowered P01's stock and the refresh read it, after the scan passed P01...
    fresh = replace(CATALOG[1], stock=0)
    # ...and an operator added P77, after the scan passed where it would be.
    added = product("P77", "Added Meanwhile", updated_at="2026-06-01T00:00:00.000Z")
    with model.reading(["P01", "P77"]):
        pass
    await model.refreshed(["P01", "P77"], {"P01": fresh, "P77": added})
    await model.synced(CATALOG)  # the scan's pages: P01 still with its old stock, no P77
    assert await model.end_sync({p.productID for p in CATALOG}) == 0
    assert model.engine.get("P01") == fresh
    assert model.engine.get("P77") == added


async def test_a_product_read_during_a_scan_is_the_read_s_and_the_next_scan_s_after() -> None:
    model = ready_model(CATALOG)
    table_now = replace(CATALOG[1], stock=0)
    model.begin_sync()
    with model.reading(["P01"]):  # the refresh reads P01 as it was...
        assert await model.synced([table_now]) == 0  # ...the scan reads it changed, lands first
    await model.refreshed(["P01"], {"P01": CATALOG[1]})
    assert await model.end_sync({p.productID for p in CATALOG}) == 0
    assert model.engine.get("P01") == CATALOG[1]
    model.begin_sync()
    await model.synced([table_now])
    await model.end_sync({p.productID for p in CATALOG})
    assert model.engine.get("P01") == table_now


async def test_a_refresh_already_reading_when_a_scan_begins_keeps_its_product() -> None:
    model = ready_model(CATALOG)
    with model.reading(["P02"]):
        model.begin_sync()
        assert await model.synced([replace(CATALOG[2], stock=40)]) == 0
    await model.refreshed(["P02"], {"P02": replace(CATALOG[2], stock=41)})
    assert await model.end_sync(set()) == len(CATALOG) - 1  # all but the one being read
    assert model.engine.get("P02") == replace(CATALOG[2], stock=41)


async def test_a_refresh_that_landed_before_the_scan_began_is_replaced_by_it() -> None:
    model = ready_model(CATALOG)
    with model.reading(["P03"]):
        pass
    await model.refreshed(["P03"], {"P03": replace(CATALOG[3], stock=7)})
    model.begin_sync()
    assert await model.synced([replace(CATALOG[3], stock=6)]) == 1
    await model.end_sync({p.productID for p in CATALOG})
    assert model.engine.get("P03") == replace(CATALOG[3], stock=6)


async def test_a_scan_that_broke_off_removes_nothing() -> None:
    table = FakeTable(CATALOG)
    model = ready_model(CATALOG)
    table.failures = 1
    with pytest.raises(TransientError):
        await CatalogSync(table, model).resync()
    assert len(model.engine) == 30
    model.begin_sync()
    await model.synced(CATALOG[:5])
    model.abandon_sync()
    assert len(model.engine) == 30


async def test_a_scan_replaces_whatever_was_held_even_a_version_claiming_to_be_newer() -> None:
    model = ready_model(CATALOG)
    forged = replace(CATALOG[2], name="Forged", updatedAt="2999-01-01T00:00:00.000Z")
    await model.refreshed(["P02"], {"P02": forged})
    model.begin_sync()
    assert await model.synced(CATALOG) == 1
    assert model.engine.get("P02") == CATALOG[2]


async def test_a_resync_with_refreshes_running_converges_to_the_table() -> None:
    table = FakeTable(CATALOG)
    model = ready_model(CATALOG)
    refresher = ProductRefresher(table, model, window=0)
    table.read_gate = asyncio.Event()
    reading = asyncio.create_task(refresher.refresh(["P05"]))  # reads P05 as it is now
    await table.read_begun.wait()
    table.put(replace(CATALOG[5], stock=0))
    table.put(replace(CATALOG[6], name="Renamed Item"))
    resync = asyncio.create_task(CatalogSync(table, model).resync())
    await asyncio.sleep(0.01)
    table.read_gate.set()
    await asyncio.gather(reading, resync)
    assert model.engine.get("P06") == table.rows["P06"]
    assert model.engine.get("P05") == CATALOG[5]  # as the refresh read it; this scan left it
    await CatalogSync(table, model).resync()
    assert {p: model.engine.get(p) for p in table.rows} == table.rows
