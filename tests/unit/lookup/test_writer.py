"""The engine's one writer: changes queued together are applied together, in their order."""

from __future__ import annotations

import asyncio
from dataclasses import replace

from ecomm.core.domain.products import Product
from ecomm.core.domain.search import SearchQuery
from ecomm.roles.lookup.engine import SearchEngine
from ecomm.roles.lookup.writer import EngineWriter
from tests.unit.lookup.catalogs import engine_of, product

CATALOG = [product(f"P{i}", f"Oak Kettle {i}") for i in range(5)]


class Writer:
    """A writer over a loaded engine, recording what it reports applied."""

    def __init__(self) -> None:
        self.engine: SearchEngine = engine_of(CATALOG)
        self.applied: list[dict[str, Product | None]] = []
        self.writer = EngineWriter(self.engine, lambda rows: self.applied.append(dict(rows)))


async def test_changes_queued_together_are_searchable_after_one_commit() -> None:
    w = Writer()
    before = w.engine.version
    renamed = [replace(p, name=f"Copper Kettle {i}") for i, p in enumerate(CATALOG)]
    counts = await asyncio.gather(*(w.writer.put([p]) for p in renamed))
    assert counts == [1] * 5
    assert w.engine.version == before + 1  # one batch, one commit
    assert w.engine.search(SearchQuery("copper"))[1] == 5
    assert w.applied == [{p.productID: p for p in renamed}]


async def test_a_later_change_to_a_product_overrides_an_earlier_one_in_the_same_batch() -> None:
    w = Writer()
    first, second = replace(CATALOG[0], stock=1), replace(CATALOG[0], stock=2)
    counts = await asyncio.gather(
        w.writer.put([first]), w.writer.change({"P0": None}), w.writer.put([second])
    )
    assert counts == [1, 1, 1]
    assert w.engine.get("P0") is second
    gone = await asyncio.gather(w.writer.change({"P0": None}), w.writer.put([first]))
    assert gone == [1, 1]
    assert w.engine.get("P0") is first


async def test_keeping_only_some_products_counts_what_was_queued_before_it() -> None:
    w = Writer()
    added = product("P9", "Added Kettle")
    counts = await asyncio.gather(w.writer.put([added]), w.writer.keep_only({"P0", "P1"}))
    assert counts == [1, 4]
    assert sorted(p.productID for p in w.engine) == ["P0", "P1"]


async def test_rows_already_held_change_nothing() -> None:
    w = Writer()
    before = w.engine.version
    assert await w.writer.put(CATALOG) == 0
    assert await w.writer.change({"P404": None}) == 0
    assert w.engine.version == before
    assert w.applied == []


async def test_a_first_load_is_searchable_once_finished() -> None:
    engine = SearchEngine()
    applied: list[dict[str, Product | None]] = []
    writer = EngineWriter(engine, lambda rows: applied.append(dict(rows)))
    await writer.load(CATALOG[:3])
    await writer.load(CATALOG[3:])
    assert engine.search(SearchQuery("kettle"))[1] == 0
    await writer.finish_load()
    assert engine.search(SearchQuery("kettle"))[1] == 5
    assert sum(len(rows) for rows in applied) == 5
    await writer.close()
