"""`python -m ecomm emulator`: the embedded AWS, provisioned and seeded, until stopped."""

from __future__ import annotations

import asyncio
import signal

import structlog

from ecomm.core.adapters.products_table import ProductRepository
from ecomm.core.runtime.bootstrap import open_runtime
from ecomm.core.runtime.settings import Settings
from ecomm.emulator.server import Emulator
from ecomm.ops.catalog import seed
from ecomm.ops.provision import provision

log = structlog.get_logger(__name__)


async def run(settings: Settings, port: int, products: int) -> int:
    emulator = Emulator(host="127.0.0.1", port=port).start()
    local = settings.model_copy(update={"aws_endpoint_url": emulator.url})
    try:
        async with open_runtime(local, "emulator") as rt:
            await provision(rt.aws, local)
            if products:
                repo = ProductRepository(rt.aws.dynamodb, rt.names.products_table)
                await seed(repo, products)
        emulator.middleware.ready.set()
        log.info("emulator_ready", url=emulator.url, products=products)
        print(f"AWS emulator ready: export AWS_ENDPOINT_URL={emulator.url}", flush=True)  # noqa: T201
        stop = asyncio.Event()
        loop = asyncio.get_running_loop()
        for sig in (signal.SIGINT, signal.SIGTERM):
            loop.add_signal_handler(sig, stop.set)
        await stop.wait()
    finally:
        emulator.stop()
    return 0


def wait_ready(url: str = "http://127.0.0.1:4566", timeout: float = 180.0) -> None:
    """Block until the emulator at `url` is provisioned and seeded (used by `make run`)."""
    import time  # noqa: PLC0415
    import urllib.error  # noqa: PLC0415
    import urllib.request  # noqa: PLC0415

    deadline = time.monotonic() + timeout
    while True:
        try:
            with urllib.request.urlopen(f"{url}/_ecomm/ready", timeout=2):  # noqa: S310 - loopback
                return
        except (urllib.error.URLError, OSError):
            if time.monotonic() > deadline:
                message = f"the emulator at {url} was not ready in {timeout:.0f} s"
                raise TimeoutError(message) from None
            time.sleep(0.3)
