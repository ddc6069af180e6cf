"""Publishing events to the SNS topic.

Both wait for SNS and raise `PublishFailed`, so the caller can tell the shopper (an order) or
decide to drop what was not sent (a window of searches, `roles/web/search_tally.py`, which
publishes from its own task so that pages never wait on SNS). `publish_many` sends
`PublishBatch` calls of up to ten.

Each event carries the trace context of whoever handed it over (trace_context.py): `publish`
the caller's, `publish_many` the ones its caller names per event (a consumer publishing what
each message's handling produced, a tally the first search of each query), else the caller's.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, Protocol

import structlog
from botocore.exceptions import BotoCoreError, ClientError
from opentelemetry import trace
from opentelemetry.trace import Link, SpanKind

from ecomm.core.adapters import trace_context
from ecomm.core.adapters.telemetry import Telemetry
from ecomm.core.contracts.events import Envelope
from ecomm.core.domain.errors import DomainError

if TYPE_CHECKING:
    from types_aiobotocore_sns import SNSClient
    from types_aiobotocore_sns.type_defs import (
        MessageAttributeValueTypeDef,
        PublishBatchRequestEntryTypeDef,
        PublishBatchResponseTypeDef,
    )

log = structlog.get_logger(__name__)
_tracer = trace.get_tracer(__name__)

SNS_BATCH_LIMIT = 10


class PublishFailed(DomainError):
    """SNS did not take the event; nothing was published."""


class EventPublisher(Protocol):
    async def publish(self, event: Envelope) -> None: ...

    async def publish_many(
        self, events: Sequence[Envelope], traces: Sequence[trace_context.Carrier] = ()
    ) -> None: ...


def _attributes(
    event: Envelope, carrier: trace_context.Carrier | None = None
) -> dict[str, MessageAttributeValueTypeDef]:
    attributes: dict[str, MessageAttributeValueTypeDef] = {
        "type": {"DataType": "String", "StringValue": event.type.value},
        "correlationId": {"DataType": "String", "StringValue": event.correlationId},
    }
    if carrier:
        attributes.update(trace_context.message_attributes(carrier))
    return attributes


class SnsPublisher:
    """Publishes envelopes to one topic."""

    def __init__(self, sns: SNSClient, topic_arn: str, telemetry: Telemetry) -> None:
        self._sns = sns
        self._topic_arn = topic_arn
        self._telemetry = telemetry

    async def publish(self, event: Envelope) -> None:
        # The caller's context is current: the AWS instrumentation's Publish span carries it.
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

    async def publish_many(
        self, events: Sequence[Envelope], traces: Sequence[trace_context.Carrier] = ()
    ) -> None:
        """Publish in batches of ten, each event with its trace context (`traces[i]`, else the
        current one); raises `PublishFailed` naming what SNS refused."""
        failed: list[str] = []
        carriers = list(traces) or [trace_context.current()] * len(events)
        for start in range(0, len(events), SNS_BATCH_LIMIT):
            chunk = events[start : start + SNS_BATCH_LIMIT]
            chunk_carriers = carriers[start : start + SNS_BATCH_LIMIT]
            entries: list[PublishBatchRequestEntryTypeDef] = [
                {
                    "Id": str(i),
                    "Message": e.to_json(),
                    "MessageAttributes": _attributes(e, c),
                }
                for i, (e, c) in enumerate(zip(chunk, chunk_carriers, strict=True))
            ]
            try:
                answer = await self._send_batch(entries, chunk_carriers)
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

    async def _send_batch(
        self,
        entries: list[PublishBatchRequestEntryTypeDef],
        carriers: Sequence[trace_context.Carrier],
    ) -> PublishBatchResponseTypeDef:
        # One span for the call: inside the trace of its events when they share one, else a
        # span of its own linked to each of theirs.
        origins = trace_context.span_contexts(carriers)
        parent = trace_context.one_parent(origins)
        with (
            _tracer.start_as_current_span(
                f"{self._topic_arn.rsplit(':', 1)[-1]} publish",
                context=parent,
                kind=SpanKind.PRODUCER,
                links=[] if parent is not None else [Link(s) for s in origins],
                attributes={
                    "messaging.system": "aws_sns",
                    "messaging.batch.message_count": len(entries),
                },
            ),
            trace_context.entries_carry_their_own(),
        ):
            return await self._sns.publish_batch(
                TopicArn=self._topic_arn, PublishBatchRequestEntries=entries
            )
