"""The composition root: what a process opens once, and the roles it runs on top of it.

    open_runtime: settings ─> AWS clients ─> the topic's ARN (once) ─> a started publisher
                  ─> the payment provider (none, or Stripe's client)
    run_roles:    each role's build(runtime) ─> its app answering on its port, its consumers

SIGTERM ─> stop receiving ─> finish the batches in hand (≤ shutdown_timeout)
        ─> drain HTTP requests, each app's cleanup_ctx ─> flush the publisher ─> close clients
        ─> print the last metrics ─> export the last spans

`--role all` runs the three roles on one runtime: one set of clients, one publisher.
"""

from __future__ import annotations

import asyncio
import contextlib
import sys
from collections.abc import AsyncIterator, Awaitable, Callable, Sequence
from contextlib import AsyncExitStack, asynccontextmanager
from dataclasses import dataclass
from typing import NamedTuple

import structlog
from aiobotocore.config import AioConfig
from aiohttp import web

from ecomm.core.adapters.aws import ONE_SHOT_CONFIG, AwsClients, AwsEndpoint, open_clients
from ecomm.core.adapters.consumer import (
    ConsumerTuning,
    MessageHandler,
    QueueConsumer,
    QueueLocator,
    queue_named,
)
from ecomm.core.adapters.publisher import SnsPublisher
from ecomm.core.contracts.resources import ResourceNames
from ecomm.core.domain.payments import PaymentProvider
from ecomm.core.runtime.emf import Emf
from ecomm.core.runtime.http import listening
from ecomm.core.runtime.logs import writes_json
from ecomm.core.runtime.metrics import Metrics
from ecomm.core.runtime.payments import open_payments
from ecomm.core.runtime.settings import Settings
from ecomm.core.runtime.tracing import tracing

log = structlog.get_logger(__name__)


class Built(NamedTuple):
    """What a role's `build` returns: its HTTP app and the queue consumers it runs."""

    app: web.Application
    consumers: Sequence[QueueConsumer] = ()


@dataclass(frozen=True)
class Runtime:
    """What a process opens once and every role it runs shares."""

    settings: Settings
    names: ResourceNames
    metrics: Metrics
    aws: AwsClients
    topic_arn: str
    publisher: SnsPublisher
    payments: PaymentProvider | None = None

    def consumer(
        self,
        name: str,
        handler: MessageHandler,
        locate: QueueLocator | None = None,
        *,
        window: float = 0.0,
    ) -> QueueConsumer:
        """A consumer of the queue `name` (found by name unless `locate` says otherwise),
        pausing `window` s after a receive that did not fill a batch."""
        settings = self.settings
        return QueueConsumer(
            self.aws.sqs,
            locate or queue_named(self.aws.sqs, name),
            queue_name=name,
            handler=handler,
            publisher=self.publisher,
            telemetry=self.metrics,
            tuning=ConsumerTuning(
                settings.receive_batch_size,
                settings.wait_time_seconds,
                settings.visibility_timeout,
                window,
            ),
        )


RoleBuild = Callable[[Runtime], Awaitable[Built]]


def aws_endpoint(settings: Settings, role: str) -> AwsEndpoint:
    return AwsEndpoint(
        region=settings.aws_region,
        url=settings.aws_endpoint_url,
        local_caller=role if settings.uses_local_emulator else None,
    )


@asynccontextmanager
async def open_aws(settings: Settings, role: str = "ops") -> AsyncIterator[AwsClients]:
    """Just the AWS clients, for one-shot commands (seed, dlq: the ops task's; provision)."""
    async with AsyncExitStack() as stack:
        yield await open_clients(
            stack, aws_endpoint(settings, role), Metrics(role), ONE_SHOT_CONFIG
        )


@asynccontextmanager
async def open_runtime(
    settings: Settings, role: str, aws_config: AioConfig | None = None
) -> AsyncIterator[Runtime]:
    """`aws_config` None: the roles' patient retries; an operator command passes its own."""
    metrics = Metrics(role, namespace=settings.metrics_namespace)
    names = ResourceNames.with_prefix(settings.resource_prefix)
    async with AsyncExitStack() as stack:
        stack.enter_context(tracing(settings, role))
        aws = await open_clients(stack, aws_endpoint(settings, role), metrics, aws_config)
        # On AWS the infrastructure sets it; elsewhere CreateTopic by name is idempotent.
        topic_arn = settings.topic_arn or (await aws.sns.create_topic(Name=names.topic))["TopicArn"]
        publisher = SnsPublisher(aws.sns, topic_arn, metrics)
        payments = await stack.enter_async_context(open_payments(settings, metrics))
        yield Runtime(settings, names, metrics, aws, topic_arn, publisher, payments)


@asynccontextmanager
async def printing(emf: Emf, interval: float) -> AsyncIterator[None]:
    """`emf`'s lines on stdout every `interval` seconds, and once more when the block ends."""

    def flush() -> None:
        lines = emf.lines()
        if lines:
            sys.stdout.write("".join(f"{line}\n" for line in lines))
            sys.stdout.flush()

    async def every_interval() -> None:
        while True:
            await asyncio.sleep(interval)
            flush()

    task = asyncio.create_task(every_interval(), name="emf-printer")
    try:
        yield
    finally:
        task.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await task
        flush()


async def run_roles(
    rt: Runtime, roles: Sequence[tuple[str, RoleBuild]], stop: asyncio.Event
) -> None:
    """Build each role, serve its app on its port and run its consumers until `stop`; a
    consumer that dies stops the process."""
    settings = rt.settings
    async with AsyncExitStack() as stack:
        # What the roles measured goes to CloudWatch as EMF lines (where logs are JSON, as on
        # ECS); one-shot commands and the emulator print none.
        if settings.metrics_interval and writes_json(settings):
            await stack.enter_async_context(printing(rt.metrics.emf, settings.metrics_interval))
        consumers: list[QueueConsumer] = []
        for name, build in roles:
            built = await build(rt)
            # Each app is started (its cleanup_ctx entered) before any consumer receives.
            await stack.enter_async_context(
                listening(built.app, settings.host, settings.port_of(name))
            )
            consumers += built.consumers
        tasks = [
            asyncio.create_task(c.run(), name=f"consumer-{i}") for i, c in enumerate(consumers)
        ]
        watcher = asyncio.create_task(_stop_when_one_ends(tasks, stop))
        try:
            await stop.wait()
        finally:
            watcher.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await watcher
            await _finish(consumers, tasks, within=settings.shutdown_timeout)


async def _stop_when_one_ends(tasks: list[asyncio.Task[None]], stop: asyncio.Event) -> None:
    if tasks:
        await asyncio.wait(tasks, return_when=asyncio.FIRST_COMPLETED)
        if not stop.is_set():
            log.error("consumer_exited_unexpectedly")
            stop.set()


async def _finish(
    consumers: Sequence[QueueConsumer], tasks: list[asyncio.Task[None]], *, within: float
) -> None:
    for consumer in consumers:
        await consumer.stop()
    if not tasks:
        return
    _, pending = await asyncio.wait(tasks, timeout=within)
    for task in pending:
        # Past the ECS stop timeout: give up the batch; SQS makes it visible again.
        log.warning("abandoning_batch", task=task.get_name())
        task.cancel()
    await asyncio.gather(*tasks, return_exceptions=True)
