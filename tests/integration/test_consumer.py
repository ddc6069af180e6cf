"""The SQS consumer loop, with handlers written for each case, against the emulator."""

from __future__ import annotations

import asyncio
import time
from collections import Counter
from collections.abc import AsyncIterator, Sequence
from contextlib import asynccontextmanager

from ecomm.core.bootstrap import Runtime
from ecomm.core.consumer import Handler, QueueConsumer, resolve_queue_url
from ecomm.core.deadletters import list_dead_letters, redrive
from ecomm.core.domain import TransientError
from ecomm.core.events import Envelope, EventType, ProductSearchedData
from ecomm.core.settings import Settings
from tests.fakes import FakePublisher
from tests.polling import eventually


def searched(query: str) -> Envelope:
    return Envelope.wrap(
        EventType.PRODUCT_SEARCHED, ProductSearchedData(query=query, resultCount=1), None
    )


@asynccontextmanager
async def consuming(
    rt: Runtime, handler: Handler, publisher: FakePublisher | None = None
) -> AsyncIterator[QueueConsumer]:
    consumer = QueueConsumer(
        rt.aws.sqs,
        await resolve_queue_url(rt.aws.sqs, rt.names.lookup_queue),
        queue_name=rt.names.lookup_queue,
        handler=handler,
        publisher=publisher or FakePublisher(),
        metrics=rt.metrics,
        settings=rt.settings,
    )
    task = asyncio.create_task(consumer.run())
    try:
        yield consumer
    finally:
        await consumer.stop()
        await asyncio.wait_for(task, timeout=15)


async def queue_depth(rt: Runtime) -> int:
    url = await resolve_queue_url(rt.aws.sqs, rt.names.lookup_queue)
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
    from ecomm.core.bootstrap import open_runtime  # noqa: PLC0415
    from ecomm.core.provision import provision  # noqa: PLC0415

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
    dlq = await resolve_queue_url(sqs, name + "-dlq")
    await sqs.send_message(QueueUrl=dlq, MessageBody=searched("lost").to_json())

    letters = (await list_dead_letters(sqs, name)).letters
    assert len(letters) == 1
    assert '"query":"lost"' in letters[0].body
    assert (await redrive(sqs, name)).moved == 1  # listing left it visible
    assert await queue_depth(runtime) == 1
    assert (await list_dead_letters(sqs, name)).letters == []
