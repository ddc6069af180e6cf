from __future__ import annotations

import asyncio
from dataclasses import replace
from decimal import Decimal

import pytest

from ecomm.core.contracts.events import (
    Envelope,
    EventType,
    LineData,
    MalformedEvent,
    OrderOutcomeData,
    ProductSearchedData,
)
from ecomm.core.domain.errors import TransientError
from ecomm.core.domain.products import Product
from ecomm.ops.products import changed_data
from ecomm.roles.lookup.handlers import LookupHandlers
from ecomm.roles.lookup.readmodel import ReadModel
from ecomm.roles.lookup.refresher import ProductRefresher
from ecomm.roles.lookup.trending import Trending
from tests.unit.lookup.catalogs import product, ready_model
from tests.unit.lookup.fakes import FakeTable

KETTLE = product("P1", "Oak Kettle", stock=10, updated_at="2026-01-01T00:00:00.000Z")
TENT = product("P2", "Trail Tent", stock=4, updated_at="2026-01-01T00:00:00.000Z")


class Lookup:
    """The handlers wired to a fake table, a read model and trending, as the service wires them."""

    def __init__(self, model: ReadModel | None = None) -> None:
        self.table = FakeTable([KETTLE, TENT])
        self.model = model or ready_model([KETTLE, TENT])
        self.trending = Trending(min_score=0, recompute_every=0)
        self.refresher = ProductRefresher(self.table, self.model)
        self.handlers = LookupHandlers(self.model, self.trending, self.refresher)

    def stock(self, product_id: str) -> int | None:
        held = self.model.engine.get(product_id)
        return None if held is None else held.stock

    async def handle(self, event: Envelope) -> None:
        assert await self.handlers.handle(event) == ()


def confirmed(*product_ids: str, order_id: str = "O1") -> Envelope:
    lines = [LineData(productID=p, quantity=1) for p in product_ids]
    return Envelope.wrap(
        EventType.ORDER_CONFIRMED, OrderOutcomeData(orderID=order_id, items=lines), None
    )


def searched(query: str, results: int = 3, searches: int = 1) -> Envelope:
    data = ProductSearchedData(query=query, resultCount=results, searches=searches)
    return Envelope.wrap(EventType.PRODUCT_SEARCHED, data, None)


async def test_a_confirmed_order_shows_the_stock_the_table_now_has() -> None:
    lookup = Lookup()
    lookup.table.put(replace(KETTLE, stock=7))
    await lookup.handle(confirmed("P1"))
    assert lookup.stock("P1") == 7


async def test_a_batch_of_confirmed_orders_is_refreshed_with_one_read() -> None:
    lookup = Lookup()
    lookup.table.put(replace(KETTLE, stock=1))
    lookup.table.put(replace(TENT, stock=0))
    events = [confirmed("P1" if i % 2 else "P2", order_id=f"O{i}") for i in range(10)]
    await asyncio.gather(*(lookup.handle(e) for e in events))
    assert len(lookup.table.reads) == 1
    assert sorted(lookup.table.reads[0]) == ["P1", "P2"]
    assert (lookup.stock("P1"), lookup.stock("P2")) == (1, 0)


async def test_a_duplicate_delivery_is_applied_once() -> None:
    lookup = Lookup()
    event = confirmed("P1")
    await lookup.handle(event)
    await lookup.handle(event)
    assert len(lookup.table.reads) == 1


async def test_a_search_delivered_twice_is_counted_once() -> None:
    lookup = Lookup()
    event = searched("Kettle")
    await lookup.handle(event)
    await lookup.handle(event)
    await lookup.handle(searched("kettle"))
    assert lookup.trending.score("kettle") == pytest.approx(2.0, rel=1e-3)


async def test_an_event_summing_several_searches_counts_them_all() -> None:
    lookup = Lookup()
    await lookup.handle(searched("kettle", searches=5))
    await lookup.handle(searched("tent"))
    assert lookup.trending.score("kettle") == pytest.approx(5.0, rel=1e-3)
    assert [t.query for t in lookup.trending.top()] == ["kettle", "tent"]


async def test_a_search_that_found_nothing_is_not_a_trend() -> None:
    lookup = Lookup()
    await lookup.handle(searched("qwzx", results=0))
    assert lookup.trending.top() == []


async def test_a_rejected_order_changes_nothing() -> None:
    lookup = Lookup()
    rejected = Envelope.wrap(
        EventType.ORDER_REJECTED,
        OrderOutcomeData(orderID="O1", items=[LineData(productID="P1", quantity=99)], reason="x"),
        None,
    )
    await lookup.handle(rejected)
    assert lookup.table.reads == []


async def test_a_cancelled_order_shows_the_stock_it_gave_back() -> None:
    lookup = Lookup()
    lookup.table.put(replace(KETTLE, stock=9))
    line = LineData(productID="P1", quantity=2)
    cancelled = OrderOutcomeData(orderID="O1", items=[line], reason="Changed my mind")
    await lookup.handle(Envelope.wrap(EventType.ORDER_CANCELLED, cancelled, None))
    assert lookup.stock("P1") == 9


@pytest.mark.parametrize("kind", [EventType.ORDER_SHIPPED, EventType.ORDER_DELIVERED])
async def test_a_shipment_or_a_delivery_leaves_the_stock_alone(kind: EventType) -> None:
    lookup = Lookup()
    outcome = OrderOutcomeData(orderID="O1", items=[LineData(productID="P1", quantity=2)])
    await lookup.handle(Envelope.wrap(kind, outcome, None))
    assert lookup.table.reads == []


def changed(p: Product) -> Envelope:
    return Envelope.wrap(EventType.PRODUCT_CHANGED, changed_data(p), None)


async def test_a_product_change_shows_the_table_s_row_not_the_event_s() -> None:
    lookup = Lookup()
    row = replace(KETTLE, price=Decimal("12.00"), updatedAt="2026-02-01T00:00:00.000Z")
    lookup.table.put(row)
    forged = replace(row, name="Free Kettle", price=Decimal(0), updatedAt="2999-01-01T00:00:00Z")
    await lookup.handle(changed(forged))
    assert lookup.model.engine.get("P1") == row
    assert lookup.table.reads == [["P1"]]


async def test_product_changes_in_any_order_show_the_row_the_table_has_now() -> None:
    older = replace(KETTLE, stock=3, updatedAt="2026-02-01T00:00:00.000Z")
    newer = replace(KETTLE, stock=9, name="Copper Kettle", updatedAt="2026-03-01T00:00:00.000Z")
    for arrivals in ([older, newer], [newer, older], [newer, older, newer, older]):
        lookup = Lookup()
        lookup.table.put(newer)
        for p in arrivals:
            await lookup.handle(changed(p))
        assert lookup.model.engine.get("P1") == newer


async def test_a_new_product_announced_by_an_event_is_indexed_from_the_table() -> None:
    lookup = Lookup()
    lamp = product("P9", "Solar Lamp", price="19.99", updated_at="2026-02-01T00:00:00.000Z")
    lookup.table.put(lamp)
    await lookup.handle(changed(replace(lamp, name="Something Else")))
    assert lookup.model.engine.get("P9") == lamp


async def test_a_change_announced_for_a_product_the_table_lacks_adds_nothing() -> None:
    lookup = Lookup()
    await lookup.handle(changed(product("P404", "Phantom Deal", price="0.01")))
    assert lookup.model.engine.get("P404") is None
    assert len(lookup.model.engine) == 2


async def test_changes_and_confirmed_orders_of_one_batch_share_one_read() -> None:
    lookup = Lookup()
    lookup.table.put(replace(KETTLE, name="Copper Kettle"))
    lookup.table.put(replace(TENT, stock=1))
    await asyncio.gather(lookup.handle(changed(KETTLE)), lookup.handle(confirmed("P2")))
    assert len(lookup.table.reads) == 1
    assert lookup.model.engine.get("P1") == lookup.table.rows["P1"]
    assert lookup.stock("P2") == 1


async def test_a_read_that_fails_fails_the_handler_and_the_retry_applies() -> None:
    lookup = Lookup()
    lookup.table.put(replace(KETTLE, stock=2))
    lookup.table.failures = 1
    event = confirmed("P1")
    with pytest.raises(TransientError):
        await lookup.handle(event)
    assert lookup.stock("P1") == 10
    await lookup.handle(event)  # SQS delivers it again
    assert lookup.stock("P1") == 2


async def test_a_product_gone_from_the_table_leaves_the_index() -> None:
    lookup = Lookup()
    del lookup.table.rows["P2"]
    await lookup.handle(confirmed("P2"))
    assert lookup.model.engine.get("P2") is None


async def test_a_read_replaces_a_held_version_that_claims_to_be_newer() -> None:
    lookup = Lookup()
    forged = replace(KETTLE, stock=50, updatedAt="2999-01-01T00:00:00.000Z")
    await lookup.model.refreshed(["P1"], {"P1": forged})
    await lookup.handle(confirmed("P1"))  # the table says 10, from January
    assert lookup.model.engine.get("P1") == KETTLE


async def test_a_read_that_started_first_never_lands_after_a_later_one() -> None:
    lookup = Lookup()
    lookup.table.read_gate = asyncio.Event()
    first = asyncio.create_task(lookup.handle(confirmed("P1", order_id="O1")))
    await lookup.table.read_begun.wait()  # the first read has the row with 10 in stock
    lookup.table.put(replace(KETTLE, stock=4))
    second = asyncio.create_task(lookup.handle(confirmed("P1", order_id="O2")))
    await asyncio.sleep(0.05)
    assert len(lookup.table.reads) == 1  # the second waits for the first to land
    lookup.table.read_gate.set()
    await asyncio.gather(first, second)
    assert len(lookup.table.reads) == 2
    assert lookup.stock("P1") == 4


async def test_an_event_whose_data_does_not_fit_its_type_is_malformed() -> None:
    lookup = Lookup()
    with pytest.raises(MalformedEvent):
        await lookup.handle(Envelope(type=EventType.ORDER_CONFIRMED, data={"orderID": 5}))


async def test_events_wait_until_the_index_is_loaded() -> None:
    model = ReadModel()
    model.engine.load([KETTLE])
    model.engine.finish_load()
    lookup = Lookup(model)
    handling = asyncio.create_task(lookup.handle(searched("kettle")))
    await asyncio.sleep(0.01)
    assert not handling.done()
    model.mark_ready()
    await handling
    assert lookup.trending.score("kettle") == pytest.approx(1.0, rel=1e-3)
