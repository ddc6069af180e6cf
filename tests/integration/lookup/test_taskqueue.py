"""Per-task queues: created and subscribed, swept when their task died, absent when impossible."""

from __future__ import annotations

from ecomm.core.contracts.events import (
    CustomerData,
    Envelope,
    EventType,
    LineData,
    OrderPlacedData,
    ProductSearchedData,
)
from ecomm.core.runtime.bootstrap import Runtime
from ecomm.core.runtime.settings import Settings
from ecomm.emulator import Emulator
from ecomm.roles.lookup.taskqueue import TaskQueues, own_queue
from tests.conftest import make_settings


async def queue_names(runtime: Runtime) -> set[str]:
    listed = await runtime.aws.sqs.list_queues(QueueNamePrefix=runtime.names.lookup_queue)
    return {u.rsplit("/", 1)[-1] for u in listed.get("QueueUrls", [])}


async def subscribed_endpoints(runtime: Runtime, topic: str) -> set[str]:
    answer = await runtime.aws.sns.list_subscriptions_by_topic(TopicArn=topic)
    return {s["Endpoint"] for s in answer.get("Subscriptions", [])}


async def test_a_task_queue_receives_what_the_shared_queue_receives(
    settings: Settings, runtime: Runtime
) -> None:
    topic = runtime.topic_arn
    async with own_queue(TaskQueues(runtime.aws, settings, topic)) as queue:
        assert queue is not None
        attributes = (
            await runtime.aws.sqs.get_queue_attributes(
                QueueUrl=queue.url, AttributeNames=["QueueArn", "RedrivePolicy", "Policy"]
            )
        )["Attributes"]
        assert attributes["QueueArn"] == queue.arn
        assert f"{runtime.names.lookup_queue}-dlq" in attributes["RedrivePolicy"]
        assert topic in attributes["Policy"]
        placed = OrderPlacedData(
            orderID="O1",
            items=[LineData(productID="P1", quantity=1)],
            customer=CustomerData(name="Ada", email="ada@example.com"),
        )
        # Not for lookup: LookupQueue's filter policy keeps it out of the task queue too.
        await runtime.publisher.publish(Envelope.wrap(EventType.ORDER_PLACED, placed, None))
        searched = ProductSearchedData(query="kettle", resultCount=3)
        await runtime.publisher.publish(Envelope.wrap(EventType.PRODUCT_SEARCHED, searched, None))
        answer = await runtime.aws.sqs.receive_message(
            QueueUrl=queue.url, MaxNumberOfMessages=10, WaitTimeSeconds=1
        )
        bodies = [Envelope.model_validate_json(m["Body"]) for m in answer.get("Messages", [])]
        assert [e.type for e in bodies] == [EventType.PRODUCT_SEARCHED]
    assert queue.name not in await queue_names(runtime)
    assert queue.arn not in await subscribed_endpoints(runtime, topic)


async def test_the_queue_of_a_task_that_died_is_swept_by_the_next_one(
    settings: Settings, runtime: Runtime
) -> None:
    topic = runtime.topic_arn
    crashed = await TaskQueues(runtime.aws, settings, topic).create()  # never deleted
    alive = await TaskQueues(runtime.aws, settings, topic).create()

    # A fresh heartbeat is not swept...
    assert await TaskQueues(runtime.aws, settings, topic).sweep() == []
    # ...one older than the limit is (here every heartbeat is, but the DLQ never is).
    await runtime.aws.sqs.tag_queue(QueueUrl=crashed.url, Tags={"ecomm:heartbeat": "1"})
    swept = await TaskQueues(runtime.aws, settings, topic, stale_after=600).sweep()
    assert swept == [crashed.name]
    remaining = await queue_names(runtime)
    assert crashed.name not in remaining
    assert {alive.name, runtime.names.lookup_queue, f"{runtime.names.lookup_queue}-dlq"} <= (
        remaining
    )
    assert crashed.arn not in await subscribed_endpoints(runtime, topic)


async def test_without_what_a_task_queue_needs_the_task_runs_on_the_shared_queue_alone(
    emulator: Emulator, runtime: Runtime
) -> None:
    # A stack whose dead-letter queue does not exist: creating the task queue fails half-way.
    elsewhere = make_settings(emulator)
    topic = runtime.topic_arn
    async with own_queue(TaskQueues(runtime.aws, elsewhere, topic)) as queue:
        assert queue is None
    listed = await runtime.aws.sqs.list_queues(QueueNamePrefix=elsewhere.resource_prefix)
    assert listed.get("QueueUrls", []) == []  # nothing left behind
