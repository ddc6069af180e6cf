"""Scan and Query answers, written past moto's serializer, say exactly what the table holds."""

from __future__ import annotations

from typing import Any

from ecomm.core.adapters.aws import AwsClients
from ecomm.core.runtime.settings import Settings

EVERY_KIND: dict[str, Any] = {
    "productID": {"S": "P1"},
    "price": {"N": "12.50"},
    "name": {"S": 'Café “Crème” ☕ \u2028 \\ / "'},
    "tags": {"SS": ["a", "b"]},
    "sizes": {"NS": ["1", "2.5"]},
    "active": {"BOOL": True},
    "gone": {"NULL": True},
    "lines": {"L": [{"M": {"q": {"N": "2"}, "id": {"S": "x"}}}, {"S": "y"}]},
    "empty": {"M": {}},
}
BINARY: dict[str, Any] = {"productID": {"S": "P2"}, "picture": {"B": b"\x00\xffpng"}}


async def _table(aws: AwsClients, settings: Settings) -> str:
    table = settings.resource_name("Reads")
    await aws.dynamodb.create_table(
        TableName=table,
        KeySchema=[{"AttributeName": "productID", "KeyType": "HASH"}],
        AttributeDefinitions=[{"AttributeName": "productID", "AttributeType": "S"}],
        BillingMode="PAY_PER_REQUEST",
    )
    for item in (EVERY_KIND, BINARY):
        await aws.dynamodb.put_item(TableName=table, Item=item)
    return table


def _normal(item: dict[str, Any]) -> dict[str, Any]:
    # A string set comes back in any order, as from DynamoDB.
    return {
        k: {t: sorted(v) if t in ("SS", "NS") else v for t, v in a.items()} for k, a in item.items()
    }


async def test_a_scan_returns_every_kind_of_attribute_as_written(
    aws: AwsClients, settings: Settings
) -> None:
    table = await _table(aws, settings)
    answer = await aws.dynamodb.scan(TableName=table, ReturnConsumedCapacity="TOTAL")
    found = sorted(answer["Items"], key=lambda i: str(i["productID"]["S"]))
    assert [_normal(i) for i in found] == [_normal(EVERY_KIND), BINARY]
    assert (answer["Count"], answer["ScannedCount"]) == (2, 2)
    assert answer["ConsumedCapacity"]["TableName"] == table


async def test_a_query_and_a_paged_scan_answer_as_dynamodb_does(
    aws: AwsClients, settings: Settings
) -> None:
    table = await _table(aws, settings)
    answer = await aws.dynamodb.query(
        TableName=table,
        KeyConditionExpression="productID = :p",
        ExpressionAttributeValues={":p": {"S": "P1"}},
    )
    assert [_normal(i) for i in answer["Items"]] == [_normal(EVERY_KIND)]
    first = await aws.dynamodb.scan(TableName=table, Limit=1)
    rest = await aws.dynamodb.scan(TableName=table, ExclusiveStartKey=first["LastEvaluatedKey"])
    assert len(first["Items"]) + len(rest["Items"]) == 2
