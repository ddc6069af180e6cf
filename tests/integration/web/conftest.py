"""The web role served on 127.0.0.1, against fake lookup and order services and a fake publisher.

Fixtures are written by hand with aiohttp's `TestServer`/`TestClient` (no pytest-aiohttp).
"""

from __future__ import annotations

import time
from collections.abc import AsyncIterator, Awaitable, Callable
from typing import Any

import pytest
from aiohttp.test_utils import TestClient, TestServer

from ecomm.roles.web.app import WebDeps, create_app
from tests.integration.web.storefront_fakes import FakeCatalog, FakeOrderService, FakePublisher
from tests.integration.web.web_forms import make_settings

WebFactory = Callable[..., Awaitable[TestClient[Any, Any]]]


@pytest.fixture
def catalog() -> FakeCatalog:
    return FakeCatalog()


@pytest.fixture
def publisher() -> FakePublisher:
    return FakePublisher()


@pytest.fixture
async def lookup_url(catalog: FakeCatalog) -> AsyncIterator[str]:
    async with TestServer(catalog.app(), host="127.0.0.1") as server:
        yield str(server.make_url("")).rstrip("/")


@pytest.fixture
async def order_service(catalog: FakeCatalog) -> AsyncIterator[FakeOrderService]:
    service = FakeOrderService(catalog, processing_delay=0.0)
    yield service
    await service.close()


@pytest.fixture
async def order_url(order_service: FakeOrderService) -> AsyncIterator[str]:
    async with TestServer(order_service.app(), host="127.0.0.1") as server:
        yield str(server.make_url("")).rstrip("/")


@pytest.fixture
async def make_web(
    lookup_url: str, order_url: str, publisher: FakePublisher
) -> AsyncIterator[WebFactory]:
    """Start a web app; `clock` is its time, other keyword arguments override its settings."""
    stack: list[TestClient[Any, Any]] = []

    async def start(
        clock: Callable[[], float] = time.monotonic, **overrides: Any
    ) -> TestClient[Any, Any]:
        settings = make_settings(**{"lookup_url": lookup_url, "order_url": order_url, **overrides})
        deps = WebDeps(publisher=publisher, clock=clock)
        client = TestClient(TestServer(create_app(settings, deps), host="127.0.0.1"))
        await client.start_server()
        stack.append(client)
        return client

    yield start
    for client in stack:
        await client.close()


@pytest.fixture
async def web_client(make_web: WebFactory) -> TestClient[Any, Any]:
    return await make_web()
