"""An order's lifecycle on the emulator: commands through the queue, each applied at most once;
a cancellation gives the stock back exactly once, and a cancel racing a ship ends as one."""

from __future__ import annotations

import asyncio
import json

from ecomm.core.adapters.orders_table import OrderRepository
from ecomm.core.contracts.events import EventType
from ecomm.core.domain.lifecycle import TRANSITIONS, Action, TransitionRefused
from ecomm.core.domain.orders import OrderStatus, StatusChange
from ecomm.core.runtime.bootstrap import Runtime, open_runtime
from ecomm.core.runtime.settings import Settings
from ecomm.emulator import Emulator
from tests.integration.order.conftest import Shop, command, order_workers, placed
from tests.polling import eventually


async def _confirmed(runtime: Runtime, shop: Shop, order_id: str, **lines: int) -> None:
    """`order_id` placed and confirmed by a worker, which is stopped again."""
    await runtime.publisher.publish(placed(order_id, **lines))
    async with order_workers(runtime.settings):

        async def done() -> bool:
            order = await shop.order(order_id)
            return order is not None and order.status is OrderStatus.CONFIRMED

        await eventually(done)


async def _status_becomes(shop: Shop, order_id: str, status: OrderStatus) -> None:
    async def reached() -> bool:
        order = await shop.order(order_id)
        return order is not None and order.status is status

    await eventually(reached)


async def test_a_cancel_delivered_three_times_gives_the_stock_back_once(
    runtime: Runtime, settings: Settings, shop: Shop
) -> None:
    await shop.stock(P1=10, P2=4)
    await _confirmed(runtime, shop, "c3", P1=3, P2=4)
    assert (await shop.stock_of("P1"), await shop.stock_of("P2")) == (7, 0)
    for _ in range(3):
        await runtime.publisher.publish(command(EventType.CANCEL_ORDER, "c3", "Changed my mind"))
    async with order_workers(settings, count=2):
        await _status_becomes(shop, "c3", OrderStatus.CANCELLED)
        await asyncio.sleep(1.5)  # let the two duplicates arrive and be absorbed
    assert (await shop.stock_of("P1"), await shop.stock_of("P2")) == (10, 4)
    order = await shop.order("c3")
    assert order is not None
    assert order.reason == "Changed my mind"
    assert [c.status for c in order.history] == [
        OrderStatus.PENDING,
        OrderStatus.CONFIRMED,
        OrderStatus.CANCELLED,
    ]


async def test_ship_then_deliver_and_each_is_announced_for_lookup(
    runtime: Runtime, settings: Settings, shop: Shop
) -> None:
    await shop.stock(P1=5)
    await _confirmed(runtime, shop, "sd", P1=2)
    sqs = runtime.aws.sqs
    lookup = (await sqs.get_queue_url(QueueName=runtime.names.lookup_queue))["QueueUrl"]
    await runtime.publisher.publish(command(EventType.SHIP_ORDER, "sd"))
    async with order_workers(settings):
        await _status_becomes(shop, "sd", OrderStatus.SHIPPED)
        await runtime.publisher.publish(command(EventType.DELIVER_ORDER, "sd"))
        await _status_becomes(shop, "sd", OrderStatus.DELIVERED)
        types: set[str] = set()

        async def announced() -> bool:
            got = await sqs.receive_message(QueueUrl=lookup, MaxNumberOfMessages=10)
            types.update(json.loads(m["Body"])["type"] for m in got.get("Messages", []))
            return {"OrderShipped", "OrderDelivered"} <= types

        await eventually(announced)
    assert await shop.stock_of("P1") == 3  # shipping does not touch the stock
    # A cancel after shipping is refused and changes nothing.
    await runtime.publisher.publish(command(EventType.CANCEL_ORDER, "sd"))
    async with order_workers(settings):
        await asyncio.sleep(1.5)
    order = await shop.order("sd")
    assert order is not None
    assert order.status is OrderStatus.DELIVERED
    assert await shop.stock_of("P1") == 3


async def test_a_cancel_racing_a_ship_on_two_workers_ends_as_exactly_one(
    runtime: Runtime, settings: Settings, shop: Shop
) -> None:
    rounds = 6
    await shop.stock(P1=10 * rounds)
    ids = [f"race-{n}" for n in range(rounds)]
    await runtime.publisher.publish_many([placed(o, P1=3) for o in ids])
    async with order_workers(settings):
        for order_id in ids:
            await _status_becomes(shop, order_id, OrderStatus.CONFIRMED)
    async with open_runtime(settings, "order") as one, open_runtime(settings, "order") as two:
        workers = [
            OrderRepository(rt.aws.dynamodb, rt.names.orders_table, rt.names.products_table)
            for rt in (one, two)
        ]
        for order_id in ids:
            results = await asyncio.gather(
                workers[0].change_status(
                    order_id,
                    TRANSITIONS[Action.CANCEL],
                    StatusChange(OrderStatus.CANCELLED, "t", "race"),
                ),
                workers[1].change_status(
                    order_id, TRANSITIONS[Action.SHIP], StatusChange(OrderStatus.SHIPPED, "t")
                ),
                return_exceptions=True,
            )
            refused = [r for r in results if isinstance(r, TransitionRefused)]
            assert len(refused) == 1, results  # exactly one of the two won
    orders = await shop.all_recorded(ids)
    cancelled = [o for o in orders if o.status is OrderStatus.CANCELLED]
    shipped = [o for o in orders if o.status is OrderStatus.SHIPPED]
    assert len(cancelled) + len(shipped) == rounds
    # Stock is consistent with the winners: each cancellation gave its 3 back, once.
    assert await shop.stock_of("P1") == 10 * rounds - 3 * len(shipped)
    for order in orders:
        assert len(order.history) == 3  # pending, confirmed, and the one winner


async def test_one_cancellation_takes_one_read_and_one_transaction(
    emulator: Emulator, runtime: Runtime, settings: Settings, shop: Shop
) -> None:
    await shop.stock(P1=5, P2=5, P3=5)
    await _confirmed(runtime, shop, "cc", P1=1, P2=1, P3=1)
    repository = OrderRepository(
        runtime.aws.dynamodb, runtime.names.orders_table, runtime.names.products_table
    )
    emulator.reset_calls()
    await repository.change_status(
        "cc", TRANSITIONS[Action.CANCEL], StatusChange(OrderStatus.CANCELLED, "t")
    )
    dynamodb = {op: n for (service, op), n in emulator.calls().items() if service == "dynamodb"}
    assert dynamodb == {"GetItem": 1, "TransactWriteItems": 1}
    assert (await shop.stock_of("P1"), await shop.stock_of("P3")) == (5, 5)
    print(f"\nDynamoDB calls for cancelling a 3-line order: {dynamodb}")  # noqa: T201
