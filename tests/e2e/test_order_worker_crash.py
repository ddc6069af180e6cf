"""An order worker killed with SIGKILL mid-batch loses nothing and applies nothing twice."""

from __future__ import annotations

import asyncio
import os
import signal
import sys

from ecomm.core.domain.orders import OrderStatus
from ecomm.core.runtime.bootstrap import Runtime
from ecomm.core.runtime.settings import Settings
from ecomm.emulator import Emulator
from tests.integration.order.conftest import Shop, placed
from tests.polling import eventually
from tests.ports import free_port


async def start_worker(emulator: Emulator, settings: Settings) -> asyncio.subprocess.Process:
    env = {
        **os.environ,
        "AWS_ENDPOINT_URL": emulator.url,
        "ECOMM_RESOURCE_PREFIX": settings.resource_prefix,
        "ECOMM_ORDER_PORT": str(free_port()),
        "ECOMM_VISIBILITY_TIMEOUT": "3",
        "ECOMM_WAIT_TIME_SECONDS": "1",
        "ECOMM_LOG_FORMAT": "json",
    }
    return await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        "ecomm",
        "--role",
        "order",
        env=env,
        stdout=asyncio.subprocess.DEVNULL,
        stderr=asyncio.subprocess.DEVNULL,
    )


async def test_a_worker_killed_mid_batch_then_restarted_ends_every_order_once(
    emulator: Emulator, runtime: Runtime, settings: Settings
) -> None:
    shop = Shop(runtime)
    await shop.stock(HOT=25, COLD=1000)
    ids = [f"crash-{i}" for i in range(60)]
    await runtime.publisher.publish_many([placed(o, HOT=1, COLD=2) for o in ids])

    first = await start_worker(emulator, settings)
    try:

        async def some_done() -> bool:
            return await shop.order_count() >= 5

        await eventually(some_done, within=30)
    finally:
        first.send_signal(signal.SIGKILL)
        await first.wait()
    assert await shop.order_count() < len(ids), "the kill should land mid-run"

    second = await start_worker(emulator, settings)
    try:

        async def all_done() -> bool:
            return await shop.order_count() == len(ids)

        await eventually(all_done, within=60)
    finally:
        second.send_signal(signal.SIGTERM)
        assert await asyncio.wait_for(second.wait(), timeout=30) == 0

    orders = await shop.all_recorded(ids)
    confirmed = [o for o in orders if o.status is OrderStatus.CONFIRMED]
    assert len(orders) == len(ids)
    assert len(confirmed) == 25
    assert await shop.stock_of("HOT") == 0
    assert await shop.stock_of("COLD") == 1000 - 2 * len(confirmed)
