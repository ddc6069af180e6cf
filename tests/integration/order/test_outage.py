from __future__ import annotations

import asyncio

from aiohttp.test_utils import TestClient, TestServer

from ecomm.core.domain.orders import OrderStatus
from ecomm.core.runtime.bootstrap import Runtime, open_runtime
from ecomm.core.runtime.settings import Settings
from ecomm.emulator import Emulator
from ecomm.roles.order import build
from tests.integration.order.conftest import Shop, placed
from tests.polling import eventually


async def test_the_worker_rides_out_an_unreachable_endpoint(
    emulator: Emulator, runtime: Runtime, settings: Settings, shop: Shop
) -> None:
    await shop.stock(P1=5)
    async with open_runtime(settings, "order") as rt:
        app, [consumer] = await build(rt)
        worker = asyncio.create_task(consumer.run())
        async with TestClient(TestServer(app)) as http:
            assert (await http.get("/readyz")).status == 200
            await runtime.publisher.publish(placed("before", P1=1))
            emulator.pause()
            try:

                async def unready() -> bool:
                    return (await http.get("/readyz")).status == 503

                await eventually(unready, within=20)
                assert not worker.done()
            finally:
                emulator.resume()

            async def ready() -> bool:
                return (await http.get("/readyz")).status == 200

            await eventually(ready, within=20)
            await runtime.publisher.publish(placed("after", P1=1))

            async def both_confirmed() -> bool:
                orders = await shop.all_recorded(["before", "after"])
                return [o.status for o in orders] == [OrderStatus.CONFIRMED] * 2

            await eventually(both_confirmed, within=20)
        await consumer.stop()
        await worker
    assert await shop.stock_of("P1") == 3
