"""The whole lookup service (`serve`) against the emulator: events in, fresher search out."""

from __future__ import annotations

import argparse
import asyncio
from typing import Any

import aiohttp
import pytest

from ecomm.core.adapters.products_table import ProductRepository
from ecomm.core.contracts.events import Envelope, EventType, LineData, OrderOutcomeData
from ecomm.core.runtime.bootstrap import Runtime
from ecomm.core.runtime.settings import Settings
from ecomm.emulator import Emulator
from ecomm.ops import products as operator
from ecomm.ops.catalog import product_id, seed
from tests.integration.lookup.conftest import running_lookup
from tests.polling import eventually

pytestmark = pytest.mark.slow

CATALOG_SIZE = 60


@pytest.fixture
async def products(runtime: Runtime) -> ProductRepository:
    repository = ProductRepository(runtime.aws.dynamodb, runtime.names.products_table)
    await seed(repository, CATALOG_SIZE, progress=False)
    return repository


async def find(http: aiohttp.ClientSession, url: str, pid: str) -> dict[str, Any] | None:
    """The product as the search results show it (found by its full name)."""
    async with http.get(f"{url}/api/products/{pid}") as answer:
        name = (await answer.json())["name"]
    async with http.get(f"{url}/api/products", params={"q": name, "per_page": "100"}) as answer:
        items = (await answer.json())["items"]
    return next((i for i in items if i["productID"] == pid), None)


async def confirm_order(
    runtime: Runtime, products: ProductRepository, pid: str, quantity: int
) -> int:
    """Do what the order worker does: reserve the stock, then announce the confirmation."""
    reserved = await products.change(pid, stock_delta=-quantity)
    line = LineData(productID=pid, quantity=quantity)
    await runtime.publisher.publish(
        Envelope.wrap(
            EventType.ORDER_CONFIRMED, OrderOutcomeData(orderID="O-1", items=[line]), None
        )
    )
    return reserved.stock


async def searched_stock(http: aiohttp.ClientSession, url: str, pid: str) -> int:
    found = await find(http, url, pid)
    assert found is not None
    return int(found["stock"])


async def test_a_confirmed_order_shows_as_lower_stock_in_search_within_3_seconds(
    settings: Settings, runtime: Runtime, products: ProductRepository
) -> None:
    pid = product_id(12)
    before = (await products.get(pid)).stock
    async with running_lookup(settings) as url, aiohttp.ClientSession() as http:
        assert await searched_stock(http, url, pid) == before
        after = await confirm_order(runtime, products, pid, 1)

        async def lowered() -> bool:
            return await searched_stock(http, url, pid) == after

        took = await eventually(lowered, within=3)
    assert after == before - 1
    assert took < 3


def lookup_dynamodb_calls(emulator: Emulator) -> int:
    with emulator.middleware.counts_lock:
        counts = list(emulator.middleware.counts.items())
    return sum(n for c, n in counts if c.caller == "lookup" and c.service == "dynamodb")


async def test_product_pages_and_carts_cost_lookup_no_dynamodb_call_and_show_a_sale_soon(
    settings: Settings, runtime: Runtime, products: ProductRepository, emulator: Emulator
) -> None:
    pid = product_id(9)
    async with running_lookup(settings) as url, aiohttp.ClientSession() as http:

        async def shown_stock() -> int:
            async with http.get(f"{url}/api/products/{pid}") as answer:
                return int((await answer.json())["stock"])

        before = lookup_dynamodb_calls(emulator)
        shown = await shown_stock()
        for _ in range(5):
            async with http.get(f"{url}/api/products", params={"ids": f"{pid},P1"}) as answer:
                assert answer.status == 200
            assert await shown_stock() == shown
        assert lookup_dynamodb_calls(emulator) == before

        after = await confirm_order(runtime, products, pid, 1)

        async def lowered() -> bool:
            return await shown_stock() == after

        await eventually(lowered, within=5)  # the read model's lag, with the event's refresh
    assert after == shown - 1


async def test_every_lookup_task_sees_every_stock_change(
    settings: Settings, runtime: Runtime, products: ProductRepository
) -> None:
    pids = [product_id(n) for n in (3, 4, 5, 6)]
    async with (
        running_lookup(settings) as first,
        running_lookup(settings) as second,
        aiohttp.ClientSession() as http,
    ):
        # Four orders: on the shared queue alone, each task would see about half of them.
        expected = {pid: await confirm_order(runtime, products, pid, 1) for pid in pids}

        async def both_current() -> bool:
            for url in (first, second):
                for pid, stock in expected.items():
                    if await searched_stock(http, url, pid) != stock:
                        return False
            return True

        await eventually(both_current, within=3)


async def test_each_task_has_its_own_queue_only_while_it_runs(
    settings: Settings, runtime: Runtime, products: ProductRepository
) -> None:
    family = f"{runtime.names.lookup_queue}-"

    async def task_queues() -> list[str]:
        listed = await runtime.aws.sqs.list_queues(QueueNamePrefix=family)
        names = [u.rsplit("/", 1)[-1] for u in listed.get("QueueUrls", [])]
        return [n for n in names if not n.endswith("-dlq")]

    async with running_lookup(settings), running_lookup(settings):
        assert len(await task_queues()) == 2
    assert await task_queues() == []


async def test_an_operator_change_reaches_search(
    settings: Settings, runtime: Runtime, products: ProductRepository
) -> None:
    pid = product_id(20)
    async with running_lookup(settings) as url, aiohttp.ClientSession() as http:
        repriced = argparse.Namespace(product_command="price", product_id=pid, price="1234.50")
        assert await operator.run(settings, repriced) == 0
        added = argparse.Namespace(
            product_command="add",
            product_id="P900001",
            name="Gleaming Zeppelin Lamp",
            description="A lamp shaped like an airship.",
            category="Garden",
            price="19.99",
            stock="4",
            image_url="https://example.com/zeppelin.png",
        )
        assert await operator.run(settings, added) == 0

        async def visible() -> bool:
            repriced_item = await find(http, url, pid)
            async with http.get(f"{url}/api/products", params={"q": "zeppelin"}) as answer:
                items = (await answer.json())["items"]
            return (
                repriced_item is not None
                and repriced_item["price"] == 1234.5
                and [i["productID"] for i in items] == ["P900001"]
            )

        await eventually(visible, within=3)


async def test_an_unknown_product_exits_2(settings: Settings, runtime: Runtime) -> None:
    args = argparse.Namespace(product_command="restock", product_id="P404", quantity="2")
    assert await operator.run(settings, args) == 2


async def test_metrics_show_the_index_size_and_the_own_queue(
    settings: Settings, runtime: Runtime, products: ProductRepository
) -> None:
    started = asyncio.get_running_loop().time()
    async with (
        running_lookup(settings) as url,
        aiohttp.ClientSession() as http,
        http.get(f"{url}/metrics") as answer,
    ):
        text = await answer.text()
    assert f"ecomm_lookup_index_products {float(CATALOG_SIZE)}" in text
    assert "ecomm_lookup_own_queue 1.0" in text
    assert asyncio.get_running_loop().time() - started < 10  # start and stop are prompt
