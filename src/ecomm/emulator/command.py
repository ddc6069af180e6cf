"""`python -m ecomm emulator`: the embedded AWS, provisioned and seeded, and localstripe (a fake
Stripe API, on ECOMM_STRIPE_PORT), until stopped.

With `--latency-ms MS` every AWS call answers MS later, as AWS's own ~5-20 ms do, and calls
still run side by side (see `server.FaithfulMiddleware`), so a benchmark sees what batching and
concurrency buy on AWS rather than on loopback.

With `--data DIR` the shop outlives the process: a clean stop (SIGINT, SIGTERM) saves the
tables' items and waiting messages in DIR, and the next start restores them instead of seeding
(see `snapshot.py`); localstripe keeps its payments in DIR/stripe.pickle as it goes.
"""

from __future__ import annotations

import asyncio
import errno
import signal
import sys
from pathlib import Path

import structlog

from ecomm.core.adapters.aws import AwsClients
from ecomm.core.adapters.products_table import ProductRepository
from ecomm.core.contracts.resources import ResourceNames
from ecomm.core.runtime.bootstrap import open_aws, open_runtime
from ecomm.core.runtime.settings import PaymentsMode, Settings
from ecomm.emulator import snapshot
from ecomm.emulator.local_stripe import LocalStripe, LocalStripeFailed, port_taken
from ecomm.emulator.server import Emulator
from ecomm.ops.catalog import seed
from ecomm.ops.provision import provision

log = structlog.get_logger(__name__)

# Where the web role takes Stripe's webhooks (roles/web/payment_webhook.py; no role imported).
WEBHOOK_PATH = "/payments/stripe/webhook"


class PortInUse(Exception):
    """The emulator's port is taken: one line for the command line."""


def say(line: str) -> None:
    """A line for the person at the terminal (the logs are for machines)."""
    print(f"ecomm: {line}", file=sys.stderr, flush=True)  # noqa: T201


async def run(
    settings: Settings,
    port: int,
    products: int,
    data: Path | None = None,
    *,
    latency_ms: float = 0.0,
) -> int:
    try:
        emulator = Emulator(host="127.0.0.1", port=port).start()
    except OSError as exc:
        if exc.errno == errno.EADDRINUSE:
            raise PortInUse(
                f"port {port} is already in use, so the AWS emulator cannot start"
            ) from exc
        raise
    local = settings.model_copy(update={"aws_endpoint_url": emulator.url})
    try:
        stripe = _start_stripe(settings, data)
    except PortInUse:
        emulator.stop()
        raise
    try:
        # Stopped before this is done, the process just ends: a saved shop stays as it was.
        async with open_runtime(local, "emulator") as rt:
            await provision(rt.aws, local)
            restored = await _restore(rt.aws, rt.names, data, products) if data else None
            if restored is None and products:
                await seed(ProductRepository(rt.aws.dynamodb, rt.names.products_table), products)
        kept = products if restored is None else restored.seeded_with
        # Provisioning and seeding ran at full speed; the shop's own calls meet the latency.
        emulator.middleware.latency = latency_ms / 1000
        emulator.middleware.ready.set()
        log.info("emulator_ready", url=emulator.url, products=kept)
        print(f"AWS emulator ready: export AWS_ENDPOINT_URL={emulator.url}", flush=True)  # noqa: T201
        if stripe is not None:
            exports = " ".join(f"{k}={v}" for k, v in stripe.role_env().items())
            print(f"Stripe test server ready: export {exports}", flush=True)  # noqa: T201
        stop = asyncio.Event()
        loop = asyncio.get_running_loop()
        for sig in (signal.SIGINT, signal.SIGTERM):
            loop.add_signal_handler(sig, stop.set)
        await stop.wait()
        if data is not None:
            return await _save(local, rt.names, data, kept)
    finally:
        if stripe is not None:
            stripe.stop()
        emulator.stop()
    return 0


def _start_stripe(settings: Settings, data: Path | None) -> LocalStripe | None:
    """localstripe on ECOMM_STRIPE_PORT, its webhooks sent to the web role; None when payments
    are off (ECOMM_PAYMENTS=none), or (with a line saying so) when it cannot run: the shop then
    works without card payments."""
    if settings.payments is PaymentsMode.NONE:
        return None
    store = data / "stripe.pickle" if data is not None else None
    if store is not None:
        store.parent.mkdir(parents=True, exist_ok=True)
    try:
        stripe = LocalStripe(settings.stripe_port, store).start()
    except LocalStripeFailed as exc:
        if port_taken(settings.stripe_port):
            raise PortInUse(
                f"port {settings.stripe_port} is already in use, so the Stripe test server "
                "cannot start"
            ) from exc
        say(f"{exc}; the shop runs without card payments")
        return None
    stripe.webhook(f"http://127.0.0.1:{settings.web_port}{WEBHOOK_PATH}")
    return stripe


async def _restore(
    aws: AwsClients, names: ResourceNames, data: Path, products: int
) -> snapshot.Restored | None:
    try:
        restored = await snapshot.restore(aws, names, data)
    except snapshot.SnapshotUnreadable as exc:
        say(f"{exc}; seeding a fresh catalog")
        return None
    if restored is None:
        return None
    say(f"restored the shop saved in {data}/ ({snapshot.describe(restored)})")
    if products != restored.seeded_with:
        say(f"kept it rather than seeding {products:,} products: `make reset` starts afresh")
    return restored


async def _save(settings: Settings, names: ResourceNames, data: Path, products: int) -> int:
    try:
        async with open_aws(settings, "emulator") as aws:
            saved = await snapshot.save(aws, names, data, products)
    except OSError as exc:
        say(f"could not save the shop in {data}/: {exc}")
        return 1
    say(f"saved the shop in {data}/ ({saved:,} items)")
    return 0
