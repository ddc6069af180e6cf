"""A role running in this test's process, the way `python -m ecomm --role R` runs it."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

import aiohttp

from ecomm.core.runtime.bootstrap import RoleBuild, open_runtime, run_roles
from ecomm.core.runtime.settings import Settings
from tests.polling import eventually
from tests.ports import free_port


@asynccontextmanager
async def running_role(
    settings: Settings, role: str, build: RoleBuild, *, ready_within: float = 15
) -> AsyncIterator[str]:
    """`role` built by `build` on its own runtime and a free port, ready; yields its URL."""
    port = free_port()
    settings = settings.model_copy(update={f"{role}_port": port})
    stop = asyncio.Event()

    async def run() -> None:
        async with open_runtime(settings, role) as rt:
            await run_roles(rt, [(role, build)], stop)

    task = asyncio.create_task(run())
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

            await eventually(ready, within=ready_within, every=0.1)
        yield url
    finally:
        stop.set()
        await asyncio.wait_for(task, timeout=15)
