"""Each lookup task's own queue on the topic, so every task sees every event.

The problem: SQS gives each message of the shared LookupQueue to ONE consumer. With N lookup
tasks, each would see about 1/N of the stock changes, and a shopper's search would show stale
stock depending on which task answered.

The choice: every task also subscribes a queue of its own, `{LookupQueue}-{task id}`, to the
topic with LookupQueue's filter policy (the SNS fan-out pattern), and reads both queues. The
shared queue stays as provisioned, with its DLQ and alarms, and keeps working if a task cannot
have its own; events that reach a task twice are applied once (`handlers.RecentIds`). Searches
reach every task too, so every task's trending list is complete and they all agree. What this
costs and how each cost is bounded:

- IAM: on `{prefix}LookupQueue-*`, CreateQueue, DeleteQueue, TagQueue, ListQueueTags and the
  consumer's Receive/Delete/ChangeMessageVisibility; GetQueueUrl and GetQueueAttributes on the
  DLQ; ListQueues (no resource scoping exists); Subscribe and Unsubscribe on the topic.
  Without them, the task logs `task_queue_unavailable`, exports `ecomm_lookup_own_queue 0`, and
  runs on the shared queue alone (degraded: it sees a share of the events; product pages stay
  exact, search stock is as fresh as the periodic resync).
- Leaks on crash: a task that dies without deleting its queue leaves it behind. Every task tags
  its queue with a heartbeat each minute, and on start deletes (and unsubscribes) the queues of
  this family whose heartbeat is older than `stale_after`: a crashed task's queue lives until the
  next task starts (ECS starts a replacement at once), and its messages expire after `RETENTION`.
- Delivery: N tasks receive each lookup event N + 1 times (SNS to SQS is free; receives are
  batched by ten). Poison messages redrive to LookupQueue-dlq, like the shared queue's.

Alternatives weighed: the shared queue alone plus a frequent full re-scan is simpler but costs
a scan of the table per task per period and is only as fresh as the period; DynamoDB Streams
would give every task every change but needs a stream on the table and a shard reader per task,
and carries no searches for trending.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import time
import uuid
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass

import structlog
from botocore.exceptions import BotoCoreError, ClientError

from ecomm.core.adapters.aws import AwsClients
from ecomm.core.contracts.resources import (
    LOOKUP_QUEUE,
    MAX_RECEIVE_COUNT,
    QUEUES,
    QueueSpec,
    ResourceNames,
    topic_may_send,
)
from ecomm.core.runtime.settings import Settings

log = structlog.get_logger(__name__)

RETENTION = 3600  # seconds: an event older than this is better covered by the resync
HEARTBEAT_EVERY = 60.0
STALE_AFTER = 600.0
_FAMILY_TAG = "ecomm:task-queue-of"
_HEARTBEAT_TAG = "ecomm:heartbeat"
_SUBSCRIPTION_TAG = "ecomm:subscription"


@dataclass(frozen=True)
class TaskQueue:
    name: str
    url: str
    arn: str
    subscription_arn: str


class TaskQueues:
    """Creates, keeps alive, sweeps and deletes the per-task queues of one stack."""

    def __init__(
        self,
        aws: AwsClients,
        settings: Settings,
        topic_arn: str,
        *,
        task_id: str | None = None,
        stale_after: float = STALE_AFTER,
        heartbeat_every: float = HEARTBEAT_EVERY,
    ) -> None:
        self._aws = aws
        self._settings = settings
        self._topic_arn = topic_arn
        self._shared = ResourceNames.with_prefix(settings.resource_prefix).lookup_queue
        self._task_id = task_id or uuid.uuid4().hex[:12]
        self._stale_after = stale_after
        self._heartbeat_every = heartbeat_every

    @property
    def family_prefix(self) -> str:
        return f"{self._shared}-"

    async def create(self) -> TaskQueue:
        sqs = self._aws.sqs
        name = f"{self.family_prefix}{self._task_id}"
        dlq = await sqs.get_queue_url(QueueName=self._settings.resource_name(_spec().dlq_name))
        dlq_arn = await self._arn(dlq["QueueUrl"])
        # Same account and region as the dead-letter queue: the ARN is known before the queue
        # exists, so it is born with its policy and redrive, never open to a delivery without.
        arn = f"{dlq_arn.rsplit(':', 1)[0]}:{name}"
        url = (
            await sqs.create_queue(
                QueueName=name,
                Attributes={
                    "MessageRetentionPeriod": str(RETENTION),
                    "VisibilityTimeout": str(self._settings.visibility_timeout),
                    "RedrivePolicy": json.dumps(
                        {"deadLetterTargetArn": dlq_arn, "maxReceiveCount": str(MAX_RECEIVE_COUNT)}
                    ),
                    "Policy": json.dumps(topic_may_send(arn, self._topic_arn)),
                },
                tags={_FAMILY_TAG: self._shared, _HEARTBEAT_TAG: str(int(time.time()))},
            )
        )["QueueUrl"]
        try:
            subscription = await self._aws.sns.subscribe(
                TopicArn=self._topic_arn,
                Protocol="sqs",
                Endpoint=arn,
                Attributes={
                    "RawMessageDelivery": "true",
                    "FilterPolicy": json.dumps(_spec().filter_policy()),
                },
                ReturnSubscriptionArn=True,
            )
            queue = TaskQueue(name, url, arn, subscription["SubscriptionArn"])
            await sqs.tag_queue(QueueUrl=url, Tags={_SUBSCRIPTION_TAG: queue.subscription_arn})
        except BaseException:
            with contextlib.suppress(ClientError, BotoCoreError):
                await sqs.delete_queue(QueueUrl=url)
            raise
        log.info("task_queue_created", queue=name)
        return queue

    async def heartbeat(self, queue: TaskQueue) -> None:
        """Refresh the queue's heartbeat tag every `heartbeat_every` seconds, until cancelled."""
        while True:
            await asyncio.sleep(self._heartbeat_every)
            try:
                await self._aws.sqs.tag_queue(
                    QueueUrl=queue.url, Tags={_HEARTBEAT_TAG: str(int(time.time()))}
                )
            except (ClientError, BotoCoreError) as exc:
                log.warning("task_queue_heartbeat_failed", error=str(exc))

    async def delete(self, queue: TaskQueue) -> None:
        await self._remove(queue.url, queue.subscription_arn)
        log.info("task_queue_deleted", queue=queue.name)

    async def sweep(self) -> list[str]:
        """Delete the family's queues whose task stopped beating; returns their names."""
        sqs = self._aws.sqs
        dlq_name = self._settings.resource_name(_spec().dlq_name)
        swept: list[str] = []
        paginator = sqs.get_paginator("list_queues")
        async for page in paginator.paginate(QueueNamePrefix=self.family_prefix):
            for url in page.get("QueueUrls", []):
                name = url.rsplit("/", 1)[-1]
                if name == dlq_name:
                    continue
                try:
                    tags = (await sqs.list_queue_tags(QueueUrl=url)).get("Tags", {})
                except ClientError:
                    continue  # deleted meanwhile, perhaps by another task's sweep
                if tags.get(_FAMILY_TAG) != self._shared:
                    continue
                beat = float(tags.get(_HEARTBEAT_TAG, "0") or 0)
                if time.time() - beat > self._stale_after:
                    await self._remove(url, tags.get(_SUBSCRIPTION_TAG))
                    swept.append(name)
        if swept:
            log.info("task_queues_swept", queues=swept)
        return swept

    async def _remove(self, url: str, subscription_arn: str | None) -> None:
        # Unsubscribe first: a subscription whose queue is gone would fail every delivery.
        if subscription_arn:
            with contextlib.suppress(ClientError):
                await self._aws.sns.unsubscribe(SubscriptionArn=subscription_arn)
        with contextlib.suppress(ClientError):
            await self._aws.sqs.delete_queue(QueueUrl=url)

    async def _arn(self, url: str) -> str:
        attrs = await self._aws.sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["QueueArn"])
        return attrs["Attributes"]["QueueArn"]


@asynccontextmanager
async def own_queue(queues: TaskQueues) -> AsyncIterator[TaskQueue | None]:
    """This task's queue for the duration of the block, or None when it cannot have one."""
    try:
        await queues.sweep()
    except (ClientError, BotoCoreError) as exc:  # someone else's leftovers must not stop us
        log.warning("task_queue_sweep_failed", error=str(exc))
    queue: TaskQueue | None = None
    try:
        queue = await queues.create()
    except (ClientError, BotoCoreError) as exc:
        log.warning("task_queue_unavailable", error=str(exc))
    if queue is None:
        yield None
        return
    beating = asyncio.create_task(queues.heartbeat(queue), name="task-queue-heartbeat")
    try:
        yield queue
    finally:
        beating.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await beating
        try:
            await queues.delete(queue)
        except (ClientError, BotoCoreError) as exc:
            log.warning("task_queue_delete_failed", queue=queue.name, error=str(exc))


class OwnQueue:
    """This task's queue while the app runs: made at startup, deleted at cleanup.

    `lifetime` is the app's cleanup_ctx; `locate` is what the task queue's consumer reads from
    (None when the task could not have one: it then runs on the shared queue alone).
    """

    def __init__(self, queues: TaskQueues) -> None:
        self._queues = queues
        self.queue: TaskQueue | None = None

    async def locate(self) -> str | None:
        return self.queue.url if self.queue is not None else None

    async def lifetime(self, _: object) -> AsyncIterator[None]:
        async with own_queue(self._queues) as queue:
            self.queue = queue
            try:
                yield
            finally:
                self.queue = None


def _spec() -> QueueSpec:
    return next(q for q in QUEUES if q.name == LOOKUP_QUEUE)
