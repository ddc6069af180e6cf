"""The SQS consumer loop every worker shares.

At-least-once, spelled out: a message is deleted only after its handler succeeded *and* the
events it asked to publish were published. Anything else leaves it in the queue, so SQS delivers
it again; after `MAX_RECEIVE_COUNT` receives the redrive policy moves it to the dead-letter
queue. Handlers must therefore be idempotent, and are (see the order and lookup handlers).

    receive ≤10 (long poll) ─> handle each concurrently ─> publish their events (batched)
                                   │ malformed: visible again now, so it reaches the DLQ soon
                                   │ transient: visible again after a jittered backoff
                                   └ slow: visibility extended while it runs
    ─> delete the successes (batched; the Failed list is read)
    ─> batch not full: pause `window` (messages gather for the next one) ─> loop until stopped

The window trades a bounded lag for fewer calls: a trickle of messages one by one costs a
receive and a delete each; gathered for `window` seconds, they share them. A full batch says
more are waiting, and the next receive follows at once.

Each message is handled in a CONSUMER span that continues the trace its attributes carry (the
publisher put it there), and the events its handler returns carry that span's context on.
"""

from __future__ import annotations

import asyncio
import contextlib
import dataclasses
import random
import time
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import structlog
from botocore.exceptions import BotoCoreError, ClientError
from opentelemetry import trace
from opentelemetry.trace import SpanKind, StatusCode

from ecomm.core.adapters import trace_context
from ecomm.core.adapters.publisher import EventPublisher, PublishFailed
from ecomm.core.adapters.telemetry import Telemetry
from ecomm.core.contracts.events import Envelope, MalformedEvent, decode
from ecomm.core.domain.errors import TransientError

if TYPE_CHECKING:
    from types_aiobotocore_sqs import SQSClient
    from types_aiobotocore_sqs.type_defs import MessageTypeDef, ReceiveMessageResultTypeDef

log = structlog.get_logger(__name__)
_tracer = trace.get_tracer(__name__)

# A handler returns the events to publish once it succeeded (an outbox for the batch).
MessageHandler = Callable[[Envelope], Awaitable[Sequence[Envelope]]]
MAX_BACKOFF_SECONDS = 300
# Where a consumer's messages come from, asked when it starts rather than when it is built: a
# queue made at startup (a lookup task's own) has no URL before then. None: there is no queue to
# read, and the consumer idles until stopped.
QueueLocator = Callable[[], Awaitable[str | None]]


@dataclass
class _Outcome:
    message: MessageTypeDef
    done: bool = False
    events: Sequence[Envelope] = ()
    retry_after: int | None = None  # seconds until the message should be visible again
    trace: trace_context.Carrier = dataclasses.field(default_factory=dict)  # handling's context


@dataclass(frozen=True)
class ConsumerTuning:
    """How a consumer polls (from settings): batch size, long poll, visibility timeout, and
    the pause after a batch that was not full."""

    batch_size: int = 10
    wait_time_seconds: int = 20
    visibility_timeout: int = 30
    window: float = 0.0


@dataclass
class ConsumerState:
    """What `/readyz` and the metrics want to know about the loop."""

    receiving_ok: bool = True
    last_error: str | None = None


class QueueConsumer:
    """Receives from one queue and feeds a handler until `stop()`."""

    def __init__(
        self,
        sqs: SQSClient,
        locate: QueueLocator,
        *,
        queue_name: str,
        handler: MessageHandler,
        publisher: EventPublisher,
        telemetry: Telemetry,
        tuning: ConsumerTuning,
    ) -> None:
        self._sqs = sqs
        self._locate = locate
        self._url: str | None = None
        self._name = queue_name
        self._handler = handler
        self._publisher = publisher
        self._telemetry = telemetry
        self._tuning = tuning
        self._stopping = asyncio.Event()
        self._receiving: asyncio.Task[Any] | None = None
        self._trace_fields = trace_context.fields()
        self.state = ConsumerState()

    async def run(self) -> None:
        failures = 0
        while not self._stopping.is_set():
            try:
                if self._url is None:
                    self._url = await self._locate()
                    if self._url is None:
                        log.info("no_queue_to_consume", queue=self._name)
                        await self._stopping.wait()
                        break
                messages = await self._receive(self._url)
            except asyncio.CancelledError:
                if self._stopping.is_set():
                    break  # cancelled by stop() while waiting: nothing was taken
                raise
            except (ClientError, BotoCoreError) as exc:
                failures += 1
                self.state.receiving_ok = False
                self.state.last_error = str(exc)
                log.warning("receive_failed", queue=self._name, error=str(exc), failures=failures)
                await self._pause(min(5.0, 0.2 * 2**failures))
                continue
            failures = 0
            self.state.receiving_ok = True
            self.state.last_error = None
            if messages:
                await self._process(self._url, messages)
                if len(messages) < self._tuning.batch_size and self._tuning.window > 0:
                    await self._pause(self._tuning.window)

    async def stop(self) -> None:
        """Stop receiving; a batch in hand is finished by `run` before it returns."""
        self._stopping.set()
        if self._receiving is not None and not self._receiving.done():
            self._receiving.cancel()

    async def _pause(self, seconds: float) -> None:
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(self._stopping.wait(), timeout=seconds)

    async def _receive(self, url: str) -> list[MessageTypeDef]:
        with trace_context.untraced():  # the task copies the context, suppression included
            self._receiving = asyncio.ensure_future(self._receive_call(url))
        try:
            answer = await self._receiving
        finally:
            self._receiving = None
        messages = list(answer.get("Messages", []))
        now_ms = time.time() * 1000
        for m in messages:
            sent = m.get("Attributes", {}).get("SentTimestamp")
            if sent:
                lag = max(0.0, (now_ms - float(sent)) / 1000)
                self._telemetry.message_received(self._name, lag)
        return messages

    async def _receive_call(self, url: str) -> ReceiveMessageResultTypeDef:
        return await self._sqs.receive_message(
            QueueUrl=url,
            MaxNumberOfMessages=self._tuning.batch_size,
            WaitTimeSeconds=self._tuning.wait_time_seconds,
            VisibilityTimeout=self._tuning.visibility_timeout,
            MessageSystemAttributeNames=["SentTimestamp", "ApproximateReceiveCount"],
            MessageAttributeNames=self._trace_fields,
        )

    async def _process(self, url: str, messages: list[MessageTypeDef]) -> None:
        heartbeat = asyncio.create_task(self._extend_visibility(url, messages))
        try:
            outcomes = await asyncio.gather(*(self._handle(m) for m in messages))
        finally:
            heartbeat.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await heartbeat
        await self._publish_events(outcomes)
        await self._settle(url, outcomes)

    async def _handle(self, message: MessageTypeDef) -> _Outcome:
        parent = trace_context.extract(message.get("MessageAttributes", {}))
        with _tracer.start_as_current_span(
            f"{self._name} process",
            context=parent,
            kind=SpanKind.CONSUMER,
            attributes={
                "messaging.system": "aws_sqs",
                "messaging.destination.name": self._name,
                "messaging.message.id": message["MessageId"],
            },
        ) as span:
            outcome = await self._handle_in_span(message)
            if not outcome.done:
                span.set_status(StatusCode.ERROR)
            outcome.trace = trace_context.current()
        return outcome

    async def _handle_in_span(self, message: MessageTypeDef) -> _Outcome:
        outcome = _Outcome(message)
        receive_count = int(message.get("Attributes", {}).get("ApproximateReceiveCount", "1"))
        structlog.contextvars.clear_contextvars()
        structlog.contextvars.bind_contextvars(queue=self._name, message_id=message["MessageId"])
        try:
            envelope = decode(message.get("Body", ""))
            structlog.contextvars.bind_contextvars(
                correlation_id=envelope.correlationId, event_id=envelope.id, event=envelope.type
            )
            outcome.events = await self._handler(envelope)
            outcome.done = True
            self._telemetry.message_handled(self._name, "ok")
        except MalformedEvent as exc:
            # Never deleted: the redrive policy parks it in the DLQ, where people can read it.
            log.error("malformed_message", error=str(exc), receive_count=receive_count)
            outcome.retry_after = 0
            self._telemetry.message_handled(self._name, "malformed")
        except TransientError as exc:
            outcome.retry_after = _backoff_seconds(receive_count)
            log.warning("transient_failure", error=str(exc), retry_in=outcome.retry_after)
            self._telemetry.message_handled(self._name, "retry")
        except Exception:
            # A bug, not bad luck: keep the message (it will reach the DLQ) and keep running.
            log.exception("handler_failed", receive_count=receive_count)
            outcome.retry_after = _backoff_seconds(receive_count)
            self._telemetry.message_handled(self._name, "error")
        finally:
            structlog.contextvars.clear_contextvars()
        return outcome

    async def _publish_events(self, outcomes: list[_Outcome]) -> None:
        with_events = [o for o in outcomes if o.done and o.events]
        if not with_events:
            return
        try:
            await self._publisher.publish_many(
                [e for o in with_events for e in o.events],
                [o.trace for o in with_events for _ in o.events],
            )
        except PublishFailed as exc:
            # The effects are recorded but not announced: keep the messages, so the handler runs
            # again, finds its effect already there, and publishes once more.
            log.warning("outcome_publish_failed", error=str(exc), messages=len(with_events))
            for o in with_events:
                o.done = False
                o.retry_after = 1

    async def _settle(self, url: str, outcomes: list[_Outcome]) -> None:
        done = [o.message for o in outcomes if o.done]
        retry = [o for o in outcomes if not o.done and o.retry_after is not None]
        try:
            if done:
                answer = await self._sqs.delete_message_batch(
                    QueueUrl=url,
                    Entries=[
                        {"Id": str(i), "ReceiptHandle": m["ReceiptHandle"]}
                        for i, m in enumerate(done)
                    ],
                )
                # DeleteMessageBatch answers 200 with a Failed list: such a message will come
                # back, and the idempotent handler will absorb it.
                for failure in answer.get("Failed", []):
                    log.warning("delete_failed", id=failure["Id"], code=failure.get("Code"))
            if retry:
                await self._sqs.change_message_visibility_batch(
                    QueueUrl=url,
                    Entries=[
                        {
                            "Id": str(i),
                            "ReceiptHandle": o.message["ReceiptHandle"],
                            "VisibilityTimeout": o.retry_after or 0,
                        }
                        for i, o in enumerate(retry)
                    ],
                )
        except (ClientError, BotoCoreError) as exc:
            # Undeleted messages return after their visibility timeout; nothing is lost.
            log.warning("settle_failed", error=str(exc))

    async def _extend_visibility(self, url: str, messages: list[MessageTypeDef]) -> None:
        """While a batch is still running, keep it invisible to other workers."""
        timeout = self._tuning.visibility_timeout
        if timeout <= 1:
            return
        while True:
            await asyncio.sleep(timeout / 2)
            try:
                await self._sqs.change_message_visibility_batch(
                    QueueUrl=url,
                    Entries=[
                        {
                            "Id": str(i),
                            "ReceiptHandle": m["ReceiptHandle"],
                            "VisibilityTimeout": timeout,
                        }
                        for i, m in enumerate(messages)
                    ],
                )
            except (ClientError, BotoCoreError) as exc:
                log.warning("extend_visibility_failed", error=str(exc))


def _backoff_seconds(receive_count: int) -> int:
    """Exponential backoff with full jitter, by how often SQS has delivered the message."""
    ceiling = min(MAX_BACKOFF_SECONDS, 2 ** min(receive_count, 9))
    return random.randint(1, ceiling)  # noqa: S311 - jitter, not security


def queue_named(sqs: SQSClient, name: str) -> QueueLocator:
    """A queue found by its name when the consumer starts (a provisioned queue)."""

    async def locate() -> str | None:
        return (await sqs.get_queue_url(QueueName=name))["QueueUrl"]

    return locate
