"""The emulator keeps the DynamoDB guarantees the order path relies on."""

from __future__ import annotations

import asyncio
import sys
from collections.abc import Iterator
from typing import Any

import pytest
from botocore.exceptions import ClientError

from ecomm.core.adapters.aws import AwsClients
from ecomm.core.runtime.settings import Settings


@pytest.fixture
def frequent_thread_switches() -> Iterator[None]:
    """Let the emulator's request threads interleave at every bytecode, not every 5 ms.

    With the default interval a small moto write finishes before the GIL changes hands, and a
    race between two conditional writes almost never shows; with this one it shows within a
    few runs when the emulator's DynamoDB lock is taken away, so these tests can fail.
    """
    before = sys.getswitchinterval()
    sys.setswitchinterval(1e-6)
    yield
    sys.setswitchinterval(before)


async def a_table(aws: AwsClients, settings: Settings, **stock: int) -> str:
    table = settings.resource_name("Products")
    for pid, qty in stock.items():
        await aws.dynamodb.put_item(
            TableName=table, Item={"productID": {"S": pid}, "stock": {"N": str(qty)}}
        )
    return table


def take(table: str, pid: str, qty: int) -> dict[str, Any]:
    return {
        "Update": {
            "TableName": table,
            "Key": {"productID": {"S": pid}},
            "UpdateExpression": "SET stock = stock - :q",
            "ConditionExpression": "stock >= :q",
            "ExpressionAttributeValues": {":q": {"N": str(qty)}},
        }
    }


async def stock_of(aws: AwsClients, table: str, pid: str) -> int:
    item = await aws.dynamodb.get_item(TableName=table, Key={"productID": {"S": pid}})
    return int(item["Item"]["stock"]["N"])


@pytest.mark.usefixtures("frequent_thread_switches")
@pytest.mark.parametrize("round_", range(3))
async def test_concurrent_conditional_writes_on_one_item_never_oversell(
    aws: AwsClients, settings: Settings, round_: int
) -> None:
    table = await a_table(aws, settings, P1=5)

    async def one() -> bool:
        try:
            await aws.dynamodb.update_item(**take(table, "P1", 1)["Update"])
        except ClientError:
            return False
        return True

    results = await asyncio.gather(*(one() for _ in range(40)))
    assert sum(results) == 5
    assert await stock_of(aws, table, "P1") == 0


@pytest.mark.usefixtures("frequent_thread_switches")
async def test_concurrent_transactions_never_oversell(aws: AwsClients, settings: Settings) -> None:
    table = await a_table(aws, settings, P1=7, P2=100)

    async def one() -> bool:
        try:
            await aws.dynamodb.transact_write_items(
                TransactItems=[take(table, "P1", 1), take(table, "P2", 1)]  # type: ignore[list-item]
            )
        except ClientError:
            return False
        return True

    results = await asyncio.gather(*(one() for _ in range(30)))
    assert sum(results) == 7
    assert await stock_of(aws, table, "P1") == 0
    assert await stock_of(aws, table, "P2") == 93


async def test_a_failed_condition_cancels_every_action(aws: AwsClients, settings: Settings) -> None:
    table = await a_table(aws, settings, P1=5, P2=1)
    with pytest.raises(ClientError) as caught:
        await aws.dynamodb.transact_write_items(
            TransactItems=[take(table, "P1", 2), take(table, "P2", 3)]  # type: ignore[list-item]
        )
    reasons = caught.value.response["CancellationReasons"]  # type: ignore[typeddict-item]
    assert [r["Code"] for r in reasons] == ["None", "ConditionalCheckFailed"]
    assert await stock_of(aws, table, "P1") == 5


async def test_a_write_failing_half_way_is_rolled_back(aws: AwsClients, settings: Settings) -> None:
    table = await a_table(aws, settings, P1=5, P2=5)
    bad = take(table, "P2", 1)
    bad["Update"]["UpdateExpression"] = "SET stock = stock - :missing"  # fails only when applied
    del bad["Update"]["ConditionExpression"]
    with pytest.raises(ClientError):
        await aws.dynamodb.transact_write_items(TransactItems=[take(table, "P1", 2), bad])  # type: ignore[list-item]
    assert await stock_of(aws, table, "P1") == 5
    assert await stock_of(aws, table, "P2") == 5


async def test_two_actions_on_one_item_are_refused(aws: AwsClients, settings: Settings) -> None:
    table = await a_table(aws, settings, P1=5)
    with pytest.raises(ClientError):
        await aws.dynamodb.transact_write_items(
            TransactItems=[take(table, "P1", 1), take(table, "P1", 1)]  # type: ignore[list-item]
        )
    assert await stock_of(aws, table, "P1") == 5
