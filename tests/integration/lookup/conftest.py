"""Fixtures for the lookup role against the embedded emulator.

pytest-aiohttp is not installed; aiohttp's own TestServer/TestClient serve an app on 127.0.0.1.
"""

from __future__ import annotations

import asyncio
import contextlib
import time
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager

import aiohttp
import pytest
from aiohttp import web
from aiohttp.test_utils import TestClient, TestServer

from ecomm.core.bootstrap import Runtime
from ecomm.core.catalog import seed
from ecomm.core.products import ProductRepository
from ecomm.core.settings import Settings
from ecomm.emulator import Emulator
from ecomm.roles.lookup.service import serve
from tests.ports import free_port

CATALOG_SIZE = 500


@pytest.fixture
def products(runtime: Runtime) -> ProductRepository:
    return ProductRepository(runtime.aws.dynamodb, runtime.names.products_table)


@pytest.fixture
async def seeded(products: ProductRepository) -> ProductRepository:
    await seed(products, CATALOG_SIZE, progress=False)
    return products


Client = TestClient[web.Request, web.Application]


@asynccontextmanager
async def client_for(app: web.Application) -> AsyncIterator[Client]:
    async with TestClient(TestServer(app, host="127.0.0.1")) as client:
        yield client


def dynamodb_calls(emulator: Emulator) -> int:
    return sum(n for (service, _), n in emulator.calls().items() if service == "dynamodb")


async def eventually(
    check: Callable[[], Awaitable[bool]], *, within: float, every: float = 0.05
) -> float:
    """Seconds until `check()` was true; fails the test if it is not within `within`."""
    started = time.monotonic()
    while not await check():
        if time.monotonic() - started > within:
            pytest.fail(f"not true within {within} s")
        await asyncio.sleep(every)
    return time.monotonic() - started


@asynccontextmanager
async def running_lookup(settings: Settings) -> AsyncIterator[str]:
    """The real lookup service (`serve`) on a free port, ready; yields its base URL."""
    port = free_port()
    stop = asyncio.Event()
    task = asyncio.create_task(serve(settings.model_copy(update={"lookup_port": port}), stop))
    url = f"http://127.0.0.1:{port}"
    try:
        async with aiohttp.ClientSession() as http:

            async def ready() -> bool:
                if task.done():
                    task.result()  # it died: show why
                with contextlib.suppress(aiohttp.ClientError):
                    async with http.get(f"{url}/readyz") as answer:
                        return answer.status == 200
                return False

            await eventually(ready, within=15, every=0.1)
        yield url
    finally:
        stop.set()
        await asyncio.wait_for(task, timeout=15)
