from __future__ import annotations

import asyncio
import json

from ecomm.core.contracts.resources import MAX_RECEIVE_COUNT
from ecomm.core.domain.orders import OrderStatus
from ecomm.core.runtime.bootstrap import Runtime
from ecomm.core.runtime.settings import Settings
from tests.integration.order.conftest import Shop, order_workers, placed
from tests.polling import eventually


async def test_the_same_order_published_three_times_applies_once(
    runtime: Runtime, settings: Settings, shop: Shop
) -> None:
    await shop.stock(P1=10)
    for _ in range(3):
        await runtime.publisher.publish(placed("dup-1", P1=3))
    async with order_workers(settings):

        async def confirmed() -> bool:
            order = await shop.order("dup-1")
            return order is not None and order.status is OrderStatus.CONFIRMED

        await eventually(confirmed)
        await asyncio.sleep(1.5)  # let the two duplicates arrive and be absorbed
    assert await shop.stock_of("P1") == 7
    assert await shop.order_count() == 1


async def test_fifty_concurrent_orders_for_ten_units_confirm_exactly_ten(
    runtime: Runtime, settings: Settings, shop: Shop
) -> None:
    await shop.stock(LAST=10)
    ids = [f"rush-{i}" for i in range(50)]
    await runtime.publisher.publish_many([placed(o, LAST=1) for o in ids])
    async with order_workers(settings, count=2):

        async def all_done() -> bool:
            return len(await shop.all_recorded(ids)) == 50

        await eventually(all_done, within=40)
    orders = await shop.all_recorded(ids)
    statuses = [o.status for o in orders]
    assert statuses.count(OrderStatus.CONFIRMED) == 10
    assert statuses.count(OrderStatus.REJECTED) == 40
    assert await shop.stock_of("LAST") == 0
    assert all("out of stock" in (o.reason or "") for o in orders if o.reason)


async def test_a_two_line_order_whose_second_line_lacks_stock_changes_nothing(
    runtime: Runtime, settings: Settings, shop: Shop
) -> None:
    await shop.stock(A=5, B=1)
    await runtime.publisher.publish(placed("two-lines", A=2, B=2))
    async with order_workers(settings):

        async def recorded() -> bool:
            return await shop.order("two-lines") is not None

        await eventually(recorded)
    order = await shop.order("two-lines")
    assert order is not None
    assert order.status is OrderStatus.REJECTED
    assert order.reason == "Sorry: only 1 of “Product B” left (you asked for 2)."
    assert await shop.stock_of("A") == 5
    assert await shop.stock_of("B") == 1


async def test_a_malformed_message_lands_in_the_dlq_and_the_next_order_confirms(
    runtime: Runtime, settings: Settings, shop: Shop
) -> None:
    await shop.stock(P1=3)
    sqs = runtime.aws.sqs
    queue = (await sqs.get_queue_url(QueueName=runtime.names.order_queue))["QueueUrl"]
    dlq = (await sqs.get_queue_url(QueueName=runtime.names.order_queue + "-dlq"))["QueueUrl"]
    await sqs.send_message(QueueUrl=queue, MessageBody='{"type": "OrderPlaced", "data": 42}')
    await sqs.send_message(QueueUrl=queue, MessageBody="this is not JSON")
    await runtime.publisher.publish(placed("after-poison", P1=1))
    async with order_workers(settings):

        async def confirmed() -> bool:
            order = await shop.order("after-poison")
            return order is not None and order.status is OrderStatus.CONFIRMED

        await eventually(confirmed)

        async def both_dead() -> bool:
            attrs = await sqs.get_queue_attributes(
                QueueUrl=dlq, AttributeNames=["ApproximateNumberOfMessages"]
            )
            return int(attrs["Attributes"]["ApproximateNumberOfMessages"]) == 2

        await eventually(both_dead, within=30)
    letters = await sqs.receive_message(
        QueueUrl=dlq, MaxNumberOfMessages=10, MessageSystemAttributeNames=["All"]
    )
    bodies = sorted(m["Body"] for m in letters["Messages"])
    assert bodies == sorted(['{"type": "OrderPlaced", "data": 42}', "this is not JSON"])
    counts = {int(m["Attributes"]["ApproximateReceiveCount"]) for m in letters["Messages"]}
    assert min(counts) >= MAX_RECEIVE_COUNT


async def test_outcomes_are_published_for_lookup(
    runtime: Runtime, settings: Settings, shop: Shop
) -> None:
    await shop.stock(P1=1)
    sqs = runtime.aws.sqs
    lookup = (await sqs.get_queue_url(QueueName=runtime.names.lookup_queue))["QueueUrl"]
    await runtime.publisher.publish_many([placed("ok", P1=1), placed("no", P1=1)])
    async with order_workers(settings):
        bodies: list[dict[str, object]] = []

        async def both_announced() -> bool:
            got = await sqs.receive_message(QueueUrl=lookup, MaxNumberOfMessages=10)
            bodies.extend(json.loads(m["Body"]) for m in got.get("Messages", []))
            return len({str(b["type"]) for b in bodies}) == 2

        await eventually(both_announced)
    by_type = {b["type"]: b for b in bodies}
    assert by_type["OrderConfirmed"]["correlationId"] in {"corr-ok", "corr-no"}
    assert by_type["OrderRejected"]["data"]["reason"]  # type: ignore[index]
