"""Publishing events to the SNS topic.

Two paths, because their failures mean different things. `publish` is for events that must not
be lost (an order): it waits for SNS and raises `PublishFailed`, so the caller can tell the
shopper. `publish_later` is for telemetry-like events (a search): it returns at once and a
background task sends them in `PublishBatch` calls of up to ten, so pages never wait on SNS.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import Sequence
from typing import TYPE_CHECKING, Protocol

import structlog
from botocore.exceptions import BotoCoreError, ClientError

from ecomm.core.adapters.telemetry import Telemetry
from ecomm.core.contracts.events import Envelope
from ecomm.core.domain.errors import DomainError

if TYPE_CHECKING:
    from types_aiobotocore_sns import SNSClient
    from types_aiobotocore_sns.type_defs import (
        MessageAttributeValueTypeDef,
        PublishBatchRequestEntryTypeDef,
    )

log = structlog.get_logger(__name__)

SNS_BATCH_LIMIT = 10


class PublishFailed(DomainError):
    """SNS did not take the event; nothing was published."""


class EventPublisher(Protocol):
    async def publish(self, event: Envelope) -> None: ...

    async def publish_many(self, events: Sequence[Envelope]) -> None: ...

    def publish_later(self, event: Envelope) -> None: ...


def _attributes(event: Envelope) -> dict[str, MessageAttributeValueTypeDef]:
    return {
        "type": {"DataType": "String", "StringValue": event.type.value},
        "correlationId": {"DataType": "String", "StringValue": event.correlationId},
    }


class SnsPublisher:
    """Publishes envelopes to one topic; `start`/`close` run the background batcher."""

    def __init__(
        self,
        sns: SNSClient,
        topic_arn: str,
        telemetry: Telemetry,
        *,
        flush_interval: float = 0.2,
        max_pending: int = 10_000,
    ) -> None:
        self._sns = sns
        self._topic_arn = topic_arn
        self._telemetry = telemetry
        self._flush_interval = flush_interval
        self._pending: asyncio.Queue[Envelope] = asyncio.Queue(maxsize=max_pending)
        self._task: asyncio.Task[None] | None = None

    async def publish(self, event: Envelope) -> None:
        try:
            await self._sns.publish(
                TopicArn=self._topic_arn,
                Message=event.to_json(),
                MessageAttributes=_attributes(event),
            )
        except (ClientError, BotoCoreError) as exc:
            self._telemetry.event_published(event.type.value, "failed")
            raise PublishFailed(f"could not publish {event.type}: {exc}") from exc
        self._telemetry.event_published(event.type.value, "ok")

    async def publish_many(self, events: Sequence[Envelope]) -> None:
        """Publish in batches of ten; raises `PublishFailed` naming what SNS refused."""
        failed: list[str] = []
        for start in range(0, len(events), SNS_BATCH_LIMIT):
            chunk = events[start : start + SNS_BATCH_LIMIT]
            entries: list[PublishBatchRequestEntryTypeDef] = [
                {
                    "Id": str(i),
                    "Message": e.to_json(),
                    "MessageAttributes": _attributes(e),
                }
                for i, e in enumerate(chunk)
            ]
            try:
                answer = await self._sns.publish_batch(
                    TopicArn=self._topic_arn, PublishBatchRequestEntries=entries
                )
            except (ClientError, BotoCoreError) as exc:
                failed += [e.id for e in chunk]
                log.warning("publish_batch_failed", error=str(exc), count=len(chunk))
                continue
            # PublishBatch answers 200 even when some entries fail: read the Failed list.
            refused = {int(f["Id"]) for f in answer.get("Failed", [])}
            for i, e in enumerate(chunk):
                result = "failed" if i in refused else "ok"
                self._telemetry.event_published(e.type.value, result)
                if i in refused:
                    failed.append(e.id)
        if failed:
            raise PublishFailed(f"{len(failed)} of {len(events)} events were not published")

    def publish_later(self, event: Envelope) -> None:
        try:
            self._pending.put_nowait(event)
        except asyncio.QueueFull:
            # Searches are signals, not records: under a flood, dropping one is the right call.
            self._telemetry.event_published(event.type.value, "dropped")

    async def start(self) -> None:
        self._task = asyncio.create_task(self._run(), name="sns-batcher")

    async def close(self) -> None:
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task
        self._task = None
        await self._flush()

    async def _run(self) -> None:
        while True:
            first = await self._pending.get()
            # Give a burst a moment to gather, so it leaves as one call rather than ten.
            await asyncio.sleep(self._flush_interval)
            await self._flush([first])

    async def _flush(self, batch: list[Envelope] | None = None) -> None:
        batch = batch or []
        while not self._pending.empty():
            batch.append(self._pending.get_nowait())
        if not batch:
            return
        try:
            await self.publish_many(batch)
        except PublishFailed as exc:
            log.warning("background_publish_failed", error=str(exc))
