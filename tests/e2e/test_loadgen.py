"""`ecomm loadgen` against the real shop: web, lookup and order as processes, on the emulator."""

from __future__ import annotations

import asyncio
import io
import os
import signal
import socket
import sys
import time
from collections.abc import AsyncIterator

import aiohttp
import pytest

from ecomm.core.bootstrap import Runtime
from ecomm.core.catalog import seed
from ecomm.core.products import ProductRepository
from ecomm.core.settings import Settings
from ecomm.emulator import Emulator
from ecomm.loadgen.journey import Mix
from ecomm.loadgen.options import LoadOptions
from ecomm.loadgen.runner import drive

ROLES = ("lookup", "order", "web")
# Every visit goes straight to checkout, so a few seconds are enough to see orders end.
STRAIGHT_TO_CHECKOUT: Mix = {
    "home": (("search", 1.0),),
    "search": (("product", 1.0),),
    "product": (("add", 1.0),),
    "add": (("checkout", 1.0),),
}


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


async def ready(url: str, process: asyncio.subprocess.Process, within: float = 60) -> None:
    deadline = time.monotonic() + within
    async with aiohttp.ClientSession() as session:
        while time.monotonic() < deadline:
            assert process.returncode is None, f"{url} exited with {process.returncode}"
            try:
                async with session.get(url) as answer:
                    if answer.status == 200:
                        return
            except aiohttp.ClientError:
                pass
            await asyncio.sleep(0.2)
    raise TimeoutError(f"{url} was not ready within {within} s")


@pytest.fixture
async def shop(emulator: Emulator, runtime: Runtime, settings: Settings) -> AsyncIterator[str]:
    """The three roles as processes under this test's prefix; yields the web role's URL."""
    await seed(
        ProductRepository(runtime.aws.dynamodb, runtime.names.products_table), 200, progress=False
    )
    ports = {role: free_port() for role in ROLES}
    env = {
        **os.environ,
        "AWS_ENDPOINT_URL": emulator.url,
        "ECOMM_RESOURCE_PREFIX": settings.resource_prefix,
        "ECOMM_WEB_PORT": str(ports["web"]),
        "ECOMM_LOOKUP_PORT": str(ports["lookup"]),
        "ECOMM_ORDER_PORT": str(ports["order"]),
        "ECOMM_LOOKUP_URL": f"http://127.0.0.1:{ports['lookup']}",
        "ECOMM_ORDER_URL": f"http://127.0.0.1:{ports['order']}",
        "ECOMM_WAIT_TIME_SECONDS": "1",
        "ECOMM_LOG_FORMAT": "json",
        "ECOMM_LOG_LEVEL": "WARNING",
    }
    processes = {
        role: await asyncio.create_subprocess_exec(
            sys.executable,
            *("-m", "ecomm", "--role", role),
            env=env,
            stdout=asyncio.subprocess.DEVNULL,
            stderr=asyncio.subprocess.DEVNULL,
        )
        for role in ROLES
    }
    try:
        for role in ROLES:
            await ready(f"http://127.0.0.1:{ports[role]}/readyz", processes[role])
        yield f"http://127.0.0.1:{ports['web']}"
    finally:
        for process in processes.values():
            if process.returncode is None:
                process.send_signal(signal.SIGTERM)
        for process in processes.values():
            try:
                await asyncio.wait_for(process.wait(), timeout=30)
            except TimeoutError:
                process.kill()
                await process.wait()


async def test_two_shoppers_browse_buy_and_see_their_orders_end_without_errors(
    shop: str,
) -> None:
    options = LoadOptions(base_url=shop, users=2, duration=6, think_time=0.05, max_requests=2000)
    out = io.StringIO()
    report = await drive(
        options, out=out, progress_every=1.0, poll_every=0.2, mix=STRAIGHT_TO_CHECKOUT
    )
    stats = report.stats
    assert stats.errors == 0, stats.error_kinds
    assert stats.orders["confirmed"] + stats.orders["rejected"] >= 1, stats.orders
    for step in ("home", "search", "product", "add_to_cart", "cart", "checkout", "order_page"):
        assert stats.steps[step].count >= 1, step
    assert "req/s" in out.getvalue()
    assert report.elapsed < options.duration + 12
