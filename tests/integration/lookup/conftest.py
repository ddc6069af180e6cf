"""Fixtures for the lookup role against the embedded emulator.

pytest-aiohttp is not installed; aiohttp's own TestServer/TestClient serve an app on 127.0.0.1.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

import pytest
from aiohttp import web
from aiohttp.test_utils import TestClient, TestServer

from ecomm.core.adapters.products_table import ProductRepository
from ecomm.core.runtime.bootstrap import Runtime
from ecomm.core.runtime.settings import Settings
from ecomm.emulator import Emulator
from ecomm.ops.catalog import seed
from ecomm.roles.lookup.build import build
from tests.roles import running_role

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


@asynccontextmanager
async def running_lookup(settings: Settings) -> AsyncIterator[str]:
    """The real lookup role on a free port, ready; yields its base URL."""
    async with running_role(settings, "lookup", build) as url:
        yield url
