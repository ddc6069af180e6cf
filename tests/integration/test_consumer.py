"""The SQS consumer loop, with handlers written for each case, against the emulator."""

from __future__ import annotations

import asyncio
import time
from collections import Counter
from collections.abc import AsyncIterator, Sequence
from contextlib import asynccontextmanager

import pytest

from ecomm.core.adapters.consumer import (
    ConsumerTuning,
    MessageHandler,
    QueueConsumer,
    queue_named,
)
from ecomm.core.contracts.events import Envelope, EventType, ProductSearchedData
from ecomm.core.contracts.resources import MAX_RECEIVE_COUNT
from ecomm.core.domain.errors import TransientError
from ecomm.core.runtime.bootstrap import Runtime
from ecomm.core.runtime.settings import Settings
from ecomm.ops.deadletters import list_dead_letters, redrive
from tests.fakes import FakePublisher
from tests.polling import eventually


def searched(query: str) -> Envelope:
    return Envelope.wrap(
        EventType.PRODUCT_SEARCHED, ProductSearchedData(query=query, resultCount=1), None
    )


@asynccontextmanager
async def consuming(
    rt: Runtime, handler: MessageHandler, publisher: FakePublisher | None = None
) -> AsyncIterator[QueueConsumer]:
    settings = rt.settings
    consumer = QueueConsumer(
        rt.aws.sqs,
        queue_named(rt.aws.sqs, rt.names.lookup_queue),
        queue_name=rt.names.lookup_queue,
        handler=handler,
        publisher=publisher or FakePublisher(),
        telemetry=rt.metrics,
        tuning=ConsumerTuning(
            settings.receive_batch_size, settings.wait_time_seconds, settings.visibility_timeout
        ),
    )
    task = asyncio.create_task(consumer.run())
    try:
        yield consumer
    finally:
        await consumer.stop()
        await asyncio.wait_for(task, timeout=15)


async def queue_depth(rt: Runtime) -> int:
    url = (await rt.aws.sqs.get_queue_url(QueueName=rt.names.lookup_queue))["QueueUrl"]
    attrs = await rt.aws.sqs.get_queue_attributes(
        QueueUrl=url,
        AttributeNames=["ApproximateNumberOfMessages", "ApproximateNumberOfMessagesNotVisible"],
    )
    return sum(int(v) for v in attrs["Attributes"].values())


async def test_a_transient_failure_is_retried_until_it_succeeds(runtime: Runtime) -> None:
    calls: Counter[str] = Counter()

    async def flaky(envelope: Envelope) -> Sequence[Envelope]:
        calls[envelope.id] += 1
        if calls[envelope.id] < 3:
            raise TransientError("throttled")
        return ()

    event = searched("kettle")
    await runtime.publisher.publish(event)
    async with consuming(runtime, flaky):

        async def handled() -> bool:
            return calls[event.id] == 3 and await queue_depth(runtime) == 0

        await eventually(handled, within=30)


async def test_a_message_whose_events_cannot_be_published_is_kept(runtime: Runtime) -> None:
    seen: list[str] = []

    async def announce(envelope: Envelope) -> Sequence[Envelope]:
        seen.append(envelope.id)
        return (searched("echo"),)

    publisher = FakePublisher(fail=True)
    await runtime.publisher.publish(searched("tent"))
    async with consuming(runtime, announce, publisher):
        await eventually(lambda: len(seen) >= 2)
        assert await queue_depth(runtime) == 1  # handled twice, deleted never
        publisher.fail = False

        async def gone() -> bool:
            return await queue_depth(runtime) == 0

        await eventually(gone, within=15)
    assert len(publisher.published) == 1


async def test_a_slow_handler_keeps_its_message_invisible(emulator_settings: Settings) -> None:
    from ecomm.core.runtime.bootstrap import open_runtime  # noqa: PLC0415
    from ecomm.ops.provision import provision  # noqa: PLC0415

    settings = emulator_settings.model_copy(update={"visibility_timeout": 2})
    async with open_runtime(settings, "test") as rt:
        await provision(rt.aws, settings)
        runs: list[float] = []

        async def slow(_: Envelope) -> Sequence[Envelope]:
            runs.append(time.monotonic())
            await asyncio.sleep(5)  # more than twice the visibility timeout
            return ()

        await rt.publisher.publish(searched("slow"))
        async with consuming(rt, slow), consuming(rt, slow):
            await eventually(lambda: len(runs) == 1)
            await asyncio.sleep(6)
        assert len(runs) == 1


async def test_stop_finishes_the_batch_in_hand(runtime: Runtime) -> None:
    finished: list[str] = []
    started = asyncio.Event()

    async def slowish(envelope: Envelope) -> Sequence[Envelope]:
        started.set()
        await asyncio.sleep(1)
        finished.append(envelope.id)
        return ()

    await runtime.publisher.publish(searched("stop"))
    async with consuming(runtime, slowish):
        await asyncio.wait_for(started.wait(), timeout=10)
    assert len(finished) == 1
    assert await queue_depth(runtime) == 0


async def test_dead_letters_can_be_listed_and_redriven(runtime: Runtime) -> None:
    sqs = runtime.aws.sqs
    name = runtime.names.lookup_queue
    dlq = (await sqs.get_queue_url(QueueName=name + "-dlq"))["QueueUrl"]
    await sqs.send_message(QueueUrl=dlq, MessageBody=searched("lost").to_json())

    letters = (await list_dead_letters(sqs, name)).letters
    assert len(letters) == 1
    assert '"query":"lost"' in letters[0].body
    assert (await redrive(sqs, name)).moved == 1  # listing left it visible
    assert await queue_depth(runtime) == 1
    assert (await list_dead_letters(sqs, name)).letters == []


def handled_as(rt: Runtime, result: str) -> float:
    value = rt.metrics.registry.get_sample_value(
        "ecomm_messages_total", {"queue": rt.names.lookup_queue, "result": result}
    )
    return value or 0.0


@pytest.mark.parametrize(
    "poison",
    [
        pytest.param("[" * 100_000, id="nested 100,000 deep"),
        pytest.param(
            '{"type": "ProductSearched", "data": {"resultCount": ' + "9" * 10_000 + "}}",
            id="a 10,000-digit number",
        ),
    ],
)
async def test_a_poison_message_goes_to_the_dead_letter_queue_and_the_next_is_handled(
    runtime: Runtime, poison: str
) -> None:
    handled: list[str] = []

    async def record(envelope: Envelope) -> Sequence[Envelope]:
        handled.append(envelope.id)
        return ()

    sqs = runtime.aws.sqs
    await sqs.send_message(
        QueueUrl=(await sqs.get_queue_url(QueueName=runtime.names.lookup_queue))["QueueUrl"],
        MessageBody=poison,
    )
    good = searched("after the poison")
    await runtime.publisher.publish(good)
    async with consuming(runtime, record):

        async def parked() -> bool:
            return handled == [good.id] and await queue_depth(runtime) == 0

        await eventually(parked, within=40)
    assert handled_as(runtime, "malformed") == MAX_RECEIVE_COUNT
    assert handled_as(runtime, "error") == 0  # never taken for a bug, never backed off
    [letter] = (await list_dead_letters(sqs, runtime.names.lookup_queue)).letters
    assert letter.body == poison
