from __future__ import annotations

import asyncio
from dataclasses import replace

import pytest

from ecomm.roles.lookup.readmodel import NotReady, ReadModel
from ecomm.roles.lookup.search import SearchQuery, search
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
    assert len(model.index) == 30
    assert search(model.index, SearchQuery("item", per_page=100)).total == 30


async def test_a_load_that_fails_is_retried_until_it_succeeds() -> None:
    table = FakeTable(CATALOG)
    table.failures = 2
    model = ReadModel()
    running = asyncio.create_task(CatalogSync(table, model, retry_delay=0.01).run())
    await asyncio.wait_for(model.ready.wait(), timeout=2)
    running.cancel()
    assert len(model.index) == 30


async def test_a_resync_applies_what_changed_and_drops_what_was_deleted() -> None:
    table = FakeTable(CATALOG)
    model = ready_model(CATALOG)
    table.put(replace(CATALOG[3], stock=99))
    table.put(product("P99", "New Item"))
    del table.rows["P04"]
    await CatalogSync(table, model).resync()
    assert model.index.get("P03") == table.rows["P03"]
    assert model.index.get("P99") is not None
    assert model.index.get("P04") is None


def test_a_resync_does_not_undo_what_an_event_did_while_it_ran() -> None:
    model = ready_model(CATALOG)
    model.begin_sync()
    # An order lowered P01's stock and the refresh read it, after the scan passed P01...
    fresh = replace(CATALOG[1], stock=0)
    model.refreshed(["P01"], {"P01": fresh})
    # ...and an operator added P77, after the scan passed where it would be.
    added = product("P77", "Added Meanwhile", updated_at="2026-06-01T00:00:00.000Z")
    model.changed(added)
    model.synced(CATALOG)  # the scan's pages: P01 still with its old stock, no P77
    assert model.end_sync({p.productID for p in CATALOG}) == 0
    assert model.index.get("P01") == fresh
    assert model.index.get("P77") == added


def test_a_scan_that_broke_off_removes_nothing() -> None:
    model = ready_model(CATALOG)
    model.begin_sync()
    model.synced(CATALOG[:5])
    assert model.end_sync(None) == 0
    assert len(model.index) == 30


def test_a_scan_never_replaces_a_newer_version() -> None:
    model = ready_model(CATALOG)
    newer = replace(CATALOG[2], price=CATALOG[2].price + 1, updatedAt="2027-01-01T00:00:00.000Z")
    model.changed(newer)
    model.begin_sync()
    assert model.synced(CATALOG) == 0
    assert model.index.get("P02") == newer
