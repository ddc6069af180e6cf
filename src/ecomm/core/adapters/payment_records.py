"""The payment on an order's record: one conditional write per step the provider took.

The order worker asks the provider first, then records what it did, each write conditioned on
the status the step leaves; the timeline this guards (`domain/settlement.py` picks each step):

    record: AUTHORIZED ──capture at the provider──> write PAID      if payment.status = authorized
               │                                                       and payment.id = this one
               └────void at the provider────────> write VOIDED    (same condition)
    record: PAID ──refund at the provider──────> write REFUNDED   if payment.status = paid

    crash after the provider's step, before the write ──> the record still says the step is due;
        the redelivered message takes it again with the same idempotency key, and the provider
        answers as the first time (or, its key expired, the adapter finds the step already taken)
    the write's condition fails ──> another delivery (or a webhook) recorded it first:
        `PaymentRecordMoved` carries the record as it is, and the caller reads its next step
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from botocore.exceptions import BotoCoreError, ClientError

from ecomm.core.adapters.aws import error_code, translate_error
from ecomm.core.adapters.dynamo_items import order_from_item, s
from ecomm.core.domain.orders import Order, OrderNotFound
from ecomm.core.domain.payments import PaymentStatus
from ecomm.core.domain.settlement import PaymentRecordMoved

if TYPE_CHECKING:
    from types_aiobotocore_dynamodb import DynamoDBClient


async def record_payment(
    db: DynamoDBClient,
    table: str,
    order_id: str,
    *,
    payment_id: str,
    source: PaymentStatus,
    target: PaymentStatus,
    now: str,
) -> Order:
    """Move the payment `payment_id` of order `order_id` from `source` to `target`; the order as
    it now is. `PaymentRecordMoved` when the record is no longer in `source`."""
    try:
        answer = await db.update_item(
            TableName=table,
            Key={"orderID": s(order_id)},
            UpdateExpression="SET payment.#status = :target, updatedAt = :now",
            ConditionExpression="payment.#status = :source AND payment.id = :payment",
            ExpressionAttributeNames={"#status": "status"},
            ExpressionAttributeValues={
                ":source": s(source.value),
                ":target": s(target.value),
                ":payment": s(payment_id),
                ":now": s(now),
            },
            ReturnValues="ALL_NEW",
            ReturnValuesOnConditionCheckFailure="ALL_OLD",
        )
    except ClientError as exc:
        if error_code(exc) != "ConditionalCheckFailedException":
            raise translate_error(exc) from exc
        old = exc.response.get("Item")
        if not isinstance(old, dict):
            raise OrderNotFound(order_id) from exc
        raise PaymentRecordMoved(order_from_item(old)) from exc
    except BotoCoreError as exc:
        raise translate_error(exc) from exc
    return order_from_item(answer["Attributes"])
