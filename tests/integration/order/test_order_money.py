"""Orders worth money, on the emulator: the price shown is the price charged (or the order is
rejected saying so), totals as the shop's rules make them, and the AWS calls one order takes."""

from __future__ import annotations

import json
from collections import Counter
from decimal import Decimal

from ecomm.core.domain.orders import OrderStatus
from ecomm.core.runtime.bootstrap import Runtime
from ecomm.core.runtime.settings import Settings
from ecomm.emulator import Emulator
from tests.integration.order.conftest import PRICE, Shop, order_workers, placed
from tests.polling import eventually


async def _recorded(shop: Shop, order_id: str) -> None:
    async def done() -> bool:
        return await shop.order(order_id) is not None

    await eventually(done)


def _data_calls(calls: Counter[tuple[str, str]]) -> dict[str, int]:
    """DynamoDB and SNS calls by operation (SQS polling depends on timing, not on the order)."""
    return {f"{s}:{op}": n for (s, op), n in sorted(calls.items()) if s in {"dynamodb", "sns"}}


async def test_a_price_changed_after_the_page_was_shown_rejects_the_order_and_reserves_nothing(
    runtime: Runtime, settings: Settings, shop: Shop
) -> None:
    await shop.stock(P1=5, P2=5)
    await shop.products.change("P2", price="12.50")  # after the shopper saw 9.99
    await runtime.publisher.publish(placed("repriced", P1=1, P2=2))
    async with order_workers(settings):
        await _recorded(shop, "repriced")
    order = await shop.order("repriced")
    assert order is not None
    assert order.status is OrderStatus.REJECTED
    assert order.reason == "Sorry: the price of “Product P2” changed from $9.99 to $12.50."
    assert (await shop.stock_of("P1"), await shop.stock_of("P2")) == (5, 5)


async def test_a_confirmed_order_records_lines_totals_address_and_history(
    runtime: Runtime, settings: Settings, shop: Shop
) -> None:
    await shop.stock(P1=5, P2=5)
    await runtime.publisher.publish(placed("priced", P1=1, P2=2))
    async with order_workers(settings):
        await _recorded(shop, "priced")
    order = await shop.order("priced")
    assert order is not None
    assert order.status is OrderStatus.CONFIRMED
    assert [(line.unitPrice, line.name) for line in order.items] == [
        (PRICE, "Product P1"),
        (PRICE, "Product P2"),
    ]
    # 3 x 9.99 = 29.97, under the free-shipping threshold of 50.00: the flat 4.99.
    assert (order.currency, order.subtotal, order.shipping, order.total) == (
        "USD",
        Decimal("29.97"),
        Decimal("4.99"),
        Decimal("34.96"),
    )
    assert order.shippingAddress is not None
    assert order.shippingAddress.country == "GB"
    assert [change.status for change in order.history] == [
        OrderStatus.PENDING,
        OrderStatus.CONFIRMED,
    ]
    item = await runtime.aws.dynamodb.get_item(
        TableName=runtime.names.orders_table, Key={"orderID": {"S": "priced"}}
    )
    # Money in the table is a DynamoDB number written from the Decimal: no float ever held it.
    assert item["Item"]["total"] == {"N": "34.96"}
    assert item["Item"]["items"]["L"][0]["M"]["unitPrice"] == {"N": "9.99"}


async def test_one_order_takes_one_transaction_and_one_announcement(
    emulator: Emulator, runtime: Runtime, settings: Settings, shop: Shop
) -> None:
    await shop.stock(P1=5, P2=5, P3=5)
    await runtime.publisher.publish(placed("counted", P1=1, P2=1, P3=1))
    async with order_workers(settings):
        emulator.reset_calls()
        await _recorded(shop, "counted")

        async def announced() -> bool:  # the outcome is published once the handler returned
            return any(s == "sns" for s, _ in emulator.calls())

        await eventually(announced)
        calls = _data_calls(emulator.calls())
    # The polling above reads the Orders table (GetItem); the worker itself writes once.
    assert calls.get("dynamodb:TransactWriteItems") == 1, calls
    assert calls.get("sns:Publish", 0) + calls.get("sns:PublishBatch", 0) == 1, calls
    print(f"\nAWS calls for one 3-line order (worker, plus the test's polling GetItem): {calls}")  # noqa: T201


async def test_the_order_events_carry_money_as_decimal_strings_never_numbers(
    runtime: Runtime, settings: Settings, shop: Shop
) -> None:
    await shop.stock(P1=5)
    sqs = runtime.aws.sqs
    lookup = (await sqs.get_queue_url(QueueName=runtime.names.lookup_queue))["QueueUrl"]
    await runtime.publisher.publish(placed("strings", P1=1))
    async with order_workers(settings):
        bodies: list[str] = []

        async def announced() -> bool:
            got = await sqs.receive_message(QueueUrl=lookup, MaxNumberOfMessages=10)
            bodies.extend(m["Body"] for m in got.get("Messages", []))
            return any('"OrderConfirmed"' in b for b in bodies)

        await eventually(announced)
    [body] = [b for b in bodies if '"OrderConfirmed"' in b]
    # parse_float: any JSON number with a point or an exponent would show up as a Decimal.
    wire = json.loads(body, parse_float=Decimal)
    assert wire["data"]["items"][0]["unitPrice"] == "9.99"
    assert not [v for v in _leaves(wire) if isinstance(v, Decimal | float)]


def _leaves(value: object) -> list[object]:
    if isinstance(value, dict):
        return [leaf for v in value.values() for leaf in _leaves(v)]
    if isinstance(value, list):
        return [leaf for v in value for leaf in _leaves(v)]
    return [value]
