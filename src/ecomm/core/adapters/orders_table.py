"""The `Orders` table, and the one transaction that reserves stock and records an order.

Why one transaction: the stock change and the order record must commit together, or a crash
between them either loses stock (reserved, never recorded) or sells it twice (recorded on
redelivery, reserved again). With the order's `attribute_not_exists(orderID)` condition inside
the same transaction, the orderID is the idempotency key for as long as the record lives, with
no 10-minute ClientRequestToken window:

    TransactWriteItems [ Update Products p1: stock -= q1  if stock >= q1 ]
                       [ Update Products p2: stock -= q2  if stock >= q2 ]
                       [ Put Orders o: CONFIRMED            if no such order ]
       all pass  ──> reserved and recorded, atomically
       a line fails ──> nothing written; ReservationRefused names the lines (from ALL_OLD)
       the Put fails ──> a duplicate delivery: OrderAlreadyRecorded
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from botocore.exceptions import BotoCoreError, ClientError

from ecomm.core.adapters.aws import error_code, translate_error
from ecomm.core.adapters.dynamo_items import n, order_from_item, order_to_item, s
from ecomm.core.domain.errors import TransientError
from ecomm.core.domain.orders import (
    LineProblem,
    Order,
    OrderAlreadyRecorded,
    OrderNotFound,
    ReservationRefused,
)

if TYPE_CHECKING:
    from types_aiobotocore_dynamodb import DynamoDBClient
    from types_aiobotocore_dynamodb.type_defs import TransactWriteItemTypeDef

_NOT_RECORDED = "attribute_not_exists(orderID)"


class OrderRepository:
    """Async access to `Orders` (and to `Products` stock, inside the order transaction)."""

    def __init__(self, dynamodb: DynamoDBClient, orders_table: str, products_table: str) -> None:
        self._db = dynamodb
        self._orders = orders_table
        self._products = products_table

    async def get(self, order_id: str) -> Order:
        try:
            answer = await self._db.get_item(
                TableName=self._orders, Key={"orderID": s(order_id)}, ConsistentRead=True
            )
        except (ClientError, BotoCoreError) as exc:
            raise translate_error(exc) from exc
        if "Item" not in answer:
            raise OrderNotFound(order_id)
        return order_from_item(answer["Item"])

    async def reserve_and_confirm(self, order: Order) -> None:
        """Reserve every line and record `order` (CONFIRMED) in one transaction."""
        actions: list[TransactWriteItemTypeDef] = [
            {
                "Update": {
                    "TableName": self._products,
                    "Key": {"productID": s(line.productID)},
                    "UpdateExpression": (
                        "SET stock = stock - :q, sold = if_not_exists(sold, :zero) + :q, "
                        "updatedAt = :now"
                    ),
                    "ConditionExpression": "attribute_exists(productID) AND stock >= :q",
                    "ExpressionAttributeValues": {
                        ":q": n(line.quantity),
                        ":zero": n(0),
                        ":now": s(order.updatedAt),
                    },
                    "ReturnValuesOnConditionCheckFailure": "ALL_OLD",
                }
            }
            for line in order.items
        ]
        actions.append(
            {
                "Put": {
                    "TableName": self._orders,
                    "Item": order_to_item(order),
                    "ConditionExpression": _NOT_RECORDED,
                }
            }
        )
        try:
            await self._db.transact_write_items(TransactItems=actions)
        except ClientError as exc:
            if error_code(exc) != "TransactionCanceledException":
                raise translate_error(exc) from exc
            raise _cancellation(exc, order) from exc
        except BotoCoreError as exc:
            raise translate_error(exc) from exc

    async def record_rejection(self, order: Order) -> None:
        """Record a REJECTED order, unless a record (of any outcome) exists already."""
        try:
            await self._db.put_item(
                TableName=self._orders, Item=order_to_item(order), ConditionExpression=_NOT_RECORDED
            )
        except ClientError as exc:
            if error_code(exc) == "ConditionalCheckFailedException":
                raise OrderAlreadyRecorded(order.orderID) from exc
            raise translate_error(exc) from exc
        except BotoCoreError as exc:
            raise translate_error(exc) from exc


def _cancellation(exc: ClientError, order: Order) -> Exception:
    """Turn the per-action cancellation reasons into the domain error they mean."""
    reasons: list[dict[str, Any]] = list(exc.response.get("CancellationReasons", []))  # type: ignore[arg-type]
    codes = [str(r.get("Code", "None")) for r in reasons]
    if any(
        code in {"TransactionConflict", "ThrottlingError", "ProvisionedThroughputExceeded"}
        for code in codes
    ):
        return TransientError(f"transaction cancelled: {codes}")
    if len(codes) == len(order.items) + 1 and codes[-1] == "ConditionalCheckFailed":
        return OrderAlreadyRecorded(order.orderID)
    problems = []
    for line, reason in zip(order.items, reasons, strict=False):
        if reason.get("Code") != "ConditionalCheckFailed":
            continue
        old = reason.get("Item")
        if old is None:
            problems.append(LineProblem(line.productID, line.quantity, None))
        else:
            available = int(old.get("stock", {}).get("N", "0"))
            name = old.get("name", {}).get("S")
            problems.append(LineProblem(line.productID, line.quantity, available, name))
    if not problems:
        return TransientError(f"transaction cancelled for no known reason: {codes}")
    return ReservationRefused(problems)
