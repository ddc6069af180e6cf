"""The shop as it runs for real: web, lookup and order as processes, on the emulator."""

from __future__ import annotations

import asyncio
import os
import signal
import sys
import time
from collections.abc import AsyncIterator, Mapping
from contextlib import asynccontextmanager
from dataclasses import dataclass
from pathlib import Path

import aiohttp
import pytest

from ecomm.core.adapters.products_table import ProductRepository
from ecomm.core.runtime.bootstrap import Runtime
from ecomm.emulator import Emulator
from ecomm.ops.catalog import seed
from tests.ports import free_port

ROLES = ("lookup", "order", "web")
CATALOG_SIZE = 200


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


@dataclass(frozen=True)
class Stack:
    urls: dict[str, str]
    logs: dict[str, Path]
    pids: dict[str, int]

    @property
    def web(self) -> str:
        return self.urls["web"]

    def log_lines(self, role: str) -> list[str]:
        return self.logs[role].read_text().splitlines()


@pytest.fixture
async def stack(emulator: Emulator, runtime: Runtime, tmp_path: Path) -> AsyncIterator[Stack]:
    """The three roles under this test's prefix, each logging JSON to its own file."""
    async with running_stack(emulator, runtime, tmp_path) as running:
        yield running


@asynccontextmanager
async def running_stack(
    emulator: Emulator, runtime: Runtime, workdir: Path, env: Mapping[str, str] | None = None
) -> AsyncIterator[Stack]:
    """The three roles as processes on `runtime`'s (seeded) stack, with `env` added to theirs;
    on leaving, each is stopped by SIGTERM and must exit cleanly."""
    settings = runtime.settings
    await seed(
        ProductRepository(runtime.aws.dynamodb, runtime.names.products_table),
        CATALOG_SIZE,
        progress=False,
    )
    ports = {role: free_port() for role in ROLES}
    urls = {role: f"http://127.0.0.1:{port}" for role, port in ports.items()}
    env = {
        **os.environ,
        "AWS_ENDPOINT_URL": emulator.url,
        "ECOMM_RESOURCE_PREFIX": settings.resource_prefix,
        "ECOMM_WEB_PORT": str(ports["web"]),
        "ECOMM_LOOKUP_PORT": str(ports["lookup"]),
        "ECOMM_ORDER_PORT": str(ports["order"]),
        "ECOMM_LOOKUP_URL": urls["lookup"],
        "ECOMM_ORDER_URL": urls["order"],
        "ECOMM_WAIT_TIME_SECONDS": "1",
        "ECOMM_LOG_FORMAT": "json",
        **(env or {}),
    }
    logs = {role: workdir / f"{role}.log" for role in ROLES}
    processes = {}
    for role in ROLES:
        with logs[role].open("wb") as log:
            processes[role] = await asyncio.create_subprocess_exec(
                sys.executable,
                *("-m", "ecomm", "--role", role),
                env=env,
                stdout=log,
                stderr=log,
            )
    try:
        for role in ROLES:
            await ready(f"{urls[role]}/readyz", processes[role])
        yield Stack(urls, logs, {role: p.pid for role, p in processes.items()})
    finally:
        for process in processes.values():
            if process.returncode is None:
                process.send_signal(signal.SIGTERM)
        codes = {}
        for role, process in processes.items():
            try:
                codes[role] = await asyncio.wait_for(process.wait(), timeout=30)
            except TimeoutError:
                process.kill()
                codes[role] = await process.wait()
        assert codes == dict.fromkeys(ROLES, 0), f"roles did not stop cleanly on SIGTERM: {codes}"
