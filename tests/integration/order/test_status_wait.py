"""A status page that waits for its order's decision costs the order service no read."""

from __future__ import annotations

import aiohttp

from ecomm.core.runtime.bootstrap import Runtime
from ecomm.core.runtime.settings import Settings
from ecomm.emulator import Emulator
from ecomm.roles.order.build import build
from tests.integration.order.conftest import Shop, placed
from tests.roles import running_role


def order_reads(emulator: Emulator) -> int:
    with emulator.middleware.counts_lock:
        counts = list(emulator.middleware.counts.items())
    return sum(
        n
        for c, n in counts
        if (c.caller, c.service, c.operation) == ("order", "dynamodb", "GetItem")
    )


async def test_a_waiting_status_request_is_answered_by_the_decision_without_a_read(
    settings: Settings, runtime: Runtime, shop: Shop, emulator: Emulator
) -> None:
    await shop.stock(W1=3)
    async with running_role(settings, "order", build) as url, aiohttp.ClientSession() as http:
        before = order_reads(emulator)
        await runtime.publisher.publish(placed("O-wait-1", W1=1))
        async with http.get(f"{url}/api/orders/O-wait-1", params={"wait": "10"}) as answer:
            waited = await answer.json()
        assert order_reads(emulator) == before
        async with http.get(f"{url}/api/orders/O-wait-1") as answer:
            read = await answer.json()  # without wait: the table, as always
        assert order_reads(emulator) == before + 1
    assert waited["status"] == "CONFIRMED"
    assert {k: v for k, v in waited.items() if k != "history"} == {
        k: v for k, v in read.items() if k != "history"
    }


async def test_an_order_nobody_decides_is_read_from_the_table_after_the_wait(
    settings: Settings, runtime: Runtime
) -> None:
    async with running_role(settings, "order", build) as url, aiohttp.ClientSession() as http:
        async with http.get(f"{url}/api/orders/O-never", params={"wait": "0.2"}) as answer:
            assert answer.status == 404
        for bad in ("-1", "11", "nan", "soon", "1" * 20):
            async with http.get(f"{url}/api/orders/O-never", params={"wait": bad}) as answer:
                assert answer.status == 400, bad
