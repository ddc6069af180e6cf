"""The composition root each role uses: open what a process needs once, run, shut down cleanly.

SIGTERM ─> stop receiving ─> finish the batches in hand (≤ shutdown_timeout)
        ─> drain HTTP requests ─> flush the publisher ─> close the AWS clients
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator, Sequence
from contextlib import AsyncExitStack, asynccontextmanager
from dataclasses import dataclass

import structlog
from aiobotocore.config import AioConfig
from aiohttp import web

from ecomm.core.aws import ONE_SHOT_CONFIG, AwsClients, open_clients
from ecomm.core.consumer import QueueConsumer
from ecomm.core.http import serve_until
from ecomm.core.metrics import Metrics
from ecomm.core.publisher import SnsPublisher, resolve_topic_arn
from ecomm.core.resources import ResourceNames
from ecomm.core.settings import Settings

log = structlog.get_logger(__name__)


@dataclass(frozen=True)
class Runtime:
    """What every role gets: settings, names, metrics, AWS clients and a started publisher."""

    settings: Settings
    names: ResourceNames
    metrics: Metrics
    aws: AwsClients
    publisher: SnsPublisher


@asynccontextmanager
async def open_aws(settings: Settings, role: str = "cli") -> AsyncIterator[AwsClients]:
    """Just the AWS clients, for one-shot commands (provision, seed, dlq)."""
    async with AsyncExitStack() as stack:
        yield await open_clients(stack, settings, Metrics(role), ONE_SHOT_CONFIG)


@asynccontextmanager
async def open_runtime(
    settings: Settings, role: str, aws_config: AioConfig | None = None
) -> AsyncIterator[Runtime]:
    metrics = Metrics(role)
    async with AsyncExitStack() as stack:
        aws = await open_clients(stack, settings, metrics, aws_config)
        topic_arn = await resolve_topic_arn(aws.sns, settings)
        publisher = SnsPublisher(aws.sns, topic_arn, metrics)
        await publisher.start()
        stack.push_async_callback(publisher.close)
        yield Runtime(settings, ResourceNames.from_settings(settings), metrics, aws, publisher)


async def run_service(
    app: web.Application,
    port: int,
    consumers: Sequence[QueueConsumer],
    settings: Settings,
    stop: asyncio.Event,
) -> None:
    """Serve `app` and run `consumers` until `stop`; a consumer that dies stops the process."""
    tasks = [asyncio.create_task(c.run(), name=f"consumer-{i}") for i, c in enumerate(consumers)]

    async def watch() -> None:
        if tasks:
            await asyncio.wait(tasks, return_when=asyncio.FIRST_COMPLETED)
            if not stop.is_set():
                log.error("consumer_exited_unexpectedly")
                stop.set()

    watcher = asyncio.create_task(watch())
    server = asyncio.create_task(serve_until(app, settings.host, port, stop))
    stopped = asyncio.create_task(stop.wait())
    try:
        # The server ends early only when it could not start (a port in use): fail loudly then.
        await asyncio.wait({stopped, server}, return_when=asyncio.FIRST_COMPLETED)
        stop.set()
        for consumer in consumers:
            await consumer.stop()
        if tasks:
            _, pending = await asyncio.wait(tasks, timeout=settings.shutdown_timeout)
            for task in pending:
                # Past the ECS stop timeout: give up the batch; SQS makes it visible again.
                log.warning("abandoning_batch", task=task.get_name())
                task.cancel()
            await asyncio.gather(*tasks, return_exceptions=True)
    finally:
        stopped.cancel()
        watcher.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await watcher
        await server
