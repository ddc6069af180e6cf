"""The `Orders` table: the one transaction that reserves stock and records an order, and the
conditional writes that move an order along its lifecycle (`domain/lifecycle.py`).

Why one transaction: the stock change and the order record must commit together, or a crash
between them either loses stock (reserved, never recorded) or sells it twice (recorded on
redelivery, reserved again). With the order's `attribute_not_exists(orderID)` condition inside
the same transaction, the orderID is the idempotency key for as long as the record lives, with
no 10-minute ClientRequestToken window:

    TransactWriteItems [ Update Products p1: stock -= q1  if stock >= q1 and price = shown1 ]
                       [ Update Products p2: stock -= q2  if stock >= q2 and price = shown2 ]
                       [ Put Orders o: CONFIRMED            if no such order ]
       all pass  ──> reserved and recorded, atomically, at the prices the shopper was shown
       a line fails ──> nothing written; ReservationRefused names the lines and says whether
                        the stock or the price changed (from ALL_OLD)
       the Put fails ──> a duplicate delivery: OrderAlreadyRecorded

A transition is one write conditioned on the status it leaves, with its history entry appended
in the same write; a cancellation is one transaction that also gives each line's stock back:

    TransactWriteItems [ Update Orders o: CANCELLED, history += change  if status = CONFIRMED
                                                      and payment.status <> authorized ]
                       [ Update Products p1: stock += q1                  if p1 exists ]
       the order's status moved first (shipped, or already cancelled) ──> TransitionRefused,
       nothing written: three deliveries of one cancel, or a cancel racing a ship, restock once
       its payment's capture is still pending ──> CapturePending (retried): never a cancel
       between the reservation and the capture

A paid order's payment moves by the same kind of write (`payment_records.py`); when its capture
fails, `release` is the transition above towards REJECTED, conditioned on the payment being
still authorized, so a capture recorded meanwhile (a webhook) keeps the order.
"""

from __future__ import annotations

from dataclasses import replace
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from botocore.exceptions import BotoCoreError, ClientError

from ecomm.core.adapters.aws import error_code, translate_error
from ecomm.core.adapters.dynamo_items import (
    change_to_attr,
    n,
    order_from_item,
    order_to_item,
    s,
)
from ecomm.core.adapters.payment_records import record_payment
from ecomm.core.domain.errors import TransientError
from ecomm.core.domain.lifecycle import (
    CapturePending,
    RestockRefused,
    Transition,
    TransitionRefused,
    allows,
)
from ecomm.core.domain.money import CURRENCIES
from ecomm.core.domain.orders import (
    LineProblem,
    Order,
    OrderAlreadyRecorded,
    OrderLine,
    OrderNotFound,
    ReservationRefused,
    StatusChange,
)
from ecomm.core.domain.payments import PaymentStatus

if TYPE_CHECKING:
    from types_aiobotocore_dynamodb import DynamoDBClient
    from types_aiobotocore_dynamodb.type_defs import (
        TransactWriteItemTypeDef,
        UpdateTypeDef,
    )

_NOT_RECORDED = "attribute_not_exists(orderID)"
_RETRYABLE_REASONS = frozenset(
    {"TransactionConflict", "ThrottlingError", "ProvisionedThroughputExceeded"}
)


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

    async def record_payment(
        self,
        order_id: str,
        payment_id: str,
        source: PaymentStatus,
        target: PaymentStatus,
        now: str,
    ) -> Order:
        """The payment's step, recorded once (see `payment_records.py`)."""
        return await record_payment(
            self._db,
            self._orders,
            order_id,
            payment_id=payment_id,
            source=source,
            target=target,
            now=now,
        )

    async def reserve_and_confirm(self, order: Order) -> None:
        """Reserve every line at its price and record `order` (CONFIRMED) in one transaction."""
        actions: list[TransactWriteItemTypeDef] = [
            {"Update": self._reservation(line, order.updatedAt)} for line in order.items
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

    def _reservation(self, line: OrderLine, now: str) -> UpdateTypeDef:
        condition = "attribute_exists(productID) AND stock >= :q"
        values = {":q": n(line.quantity), ":zero": n(0), ":now": s(now)}
        if line.unitPrice is not None:
            # The price the shopper was shown is the price they pay, or nothing is reserved.
            condition += " AND price = :price"
            values[":price"] = n(line.unitPrice)
        return {
            "TableName": self._products,
            "Key": {"productID": s(line.productID)},
            # `sold` counts units sold, for the best sellers: it moves with the stock.
            "UpdateExpression": (
                "SET stock = stock - :q, sold = if_not_exists(sold, :zero) + :q, updatedAt = :now"
            ),
            "ConditionExpression": condition,
            "ExpressionAttributeValues": values,
            "ReturnValuesOnConditionCheckFailure": "ALL_OLD",
        }

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

    async def change_status(
        self, order_id: str, transition: Transition, change: StatusChange
    ) -> Order:
        """Move the order along `transition`, `change` appended to its history, in one write
        conditioned on the status it leaves; a cancellation gives every line's stock back in
        the same transaction. Returns the order as it now is.

        Raises `OrderNotFound`; `TransitionRefused` when the order is (or meanwhile became)
        in another status, with nothing written; `RestockRefused` when a product is gone.
        """
        order = await self.get(order_id)
        if not allows(order, transition):
            raise _not_now(order, transition)
        actions: list[TransactWriteItemTypeDef] = [
            {"Update": self._status_update(order, transition, change)}
        ]
        if transition.restocks:
            actions += [{"Update": self._restock(line, change.at)} for line in order.items]
        try:
            if len(actions) == 1:
                await self._db.update_item(**actions[0]["Update"])
            else:
                await self._db.transact_write_items(TransactItems=actions)
        except ClientError as exc:
            raise _refusal(exc, order, transition) from exc
        except BotoCoreError as exc:
            raise translate_error(exc) from exc
        return replace(
            order,
            status=transition.target,
            updatedAt=change.at,
            reason=change.reason if transition.restocks else order.reason,
            history=(*order.timeline, change),
        )

    def _status_update(
        self, order: Order, transition: Transition, change: StatusChange
    ) -> UpdateTypeDef:
        sets = [
            "#status = :target",
            "updatedAt = :now",
            # An order recorded before histories gets the one it is known by, then this change.
            "history = list_append(if_not_exists(history, :before), :change)",
        ]
        values: dict[str, Any] = {
            ":source": s(transition.source.value),
            ":target": s(transition.target.value),
            ":now": s(change.at),
            ":before": {"L": [change_to_attr(c) for c in order.timeline]},
            ":change": {"L": [change_to_attr(change)]},
        }
        if transition.restocks and change.reason:
            sets.append("reason = :reason")  # a cancelled order says why, as a rejected one
            values[":reason"] = s(change.reason)
        condition = "#status = :source"
        if transition.while_authorized is not None:
            values[":authorized"] = s(PaymentStatus.AUTHORIZED.value)
            condition += (
                " AND payment.#status = :authorized"
                if transition.while_authorized
                else " AND (attribute_not_exists(payment) OR payment.#status <> :authorized)"
            )
        return {
            "TableName": self._orders,
            "Key": {"orderID": s(order.orderID)},
            "UpdateExpression": "SET " + ", ".join(sets),
            "ConditionExpression": condition,
            "ExpressionAttributeNames": {"#status": "status"},  # a reserved word
            "ExpressionAttributeValues": values,
            "ReturnValuesOnConditionCheckFailure": "ALL_OLD",
        }

    def _restock(self, line: OrderLine, now: str) -> UpdateTypeDef:
        return {
            "TableName": self._products,
            "Key": {"productID": s(line.productID)},
            # A cancelled sale is no sale: `sold` gives the units back too (an order from before
            # `sold` existed counts from what it would have added, so never below zero).
            "UpdateExpression": (
                "SET stock = stock + :q, sold = if_not_exists(sold, :q) - :q, updatedAt = :now"
            ),
            # Without it, a product deleted meanwhile would come back as a row with only a stock.
            "ConditionExpression": "attribute_exists(productID)",
            "ExpressionAttributeValues": {":q": n(line.quantity), ":now": s(now)},
        }


def _refusal(exc: ClientError, order: Order, transition: Transition) -> Exception:
    """What a refused transition means: its status moved meanwhile, a product is gone, or a
    conflict worth retrying."""
    code = error_code(exc)
    if code == "ConditionalCheckFailedException":  # the single update: the status moved
        item = exc.response.get("Item")
        return _moved(item if isinstance(item, dict) else None, order, transition)
    if code != "TransactionCanceledException":
        return translate_error(exc)
    reasons, codes = _reasons(exc)
    if any(c in _RETRYABLE_REASONS for c in codes):
        return TransientError(f"transaction cancelled: {codes}")
    if codes and codes[0] == "ConditionalCheckFailed":
        return _moved(reasons[0].get("Item"), order, transition)
    gone = [
        line.productID
        for line, c in zip(order.items, codes[1:], strict=False)
        if c == "ConditionalCheckFailed"
    ]
    if gone:
        return RestockRefused(order.orderID, gone)
    return TransientError(f"transaction cancelled for no known reason: {codes}")


def _moved(old: dict[str, Any] | None, order: Order, transition: Transition) -> Exception:
    if old is None:
        return OrderNotFound(order.orderID)
    return _not_now(order_from_item(old), transition)


def _not_now(order: Order, transition: Transition) -> Exception:
    """Why `order` cannot take `transition` now: it must wait for its capture, or never can."""
    if order.status is transition.source and transition.while_authorized is False:
        return CapturePending(order.orderID, transition)
    return TransitionRefused(order, transition)


def _reasons(exc: ClientError) -> tuple[list[dict[str, Any]], list[str]]:
    reasons: list[dict[str, Any]] = list(exc.response.get("CancellationReasons", []))  # type: ignore[arg-type]
    return reasons, [str(r.get("Code", "None")) for r in reasons]


def _cancellation(exc: ClientError, order: Order) -> Exception:
    """Turn the per-action cancellation reasons into the domain error they mean."""
    reasons, codes = _reasons(exc)
    if any(code in _RETRYABLE_REASONS for code in codes):
        return TransientError(f"transaction cancelled: {codes}")
    if len(codes) == len(order.items) + 1 and codes[-1] == "ConditionalCheckFailed":
        return OrderAlreadyRecorded(order.orderID)
    problems = []
    for line, reason in zip(order.items, reasons, strict=False):
        if reason.get("Code") != "ConditionalCheckFailed":
            continue
        problems.append(_line_problem(line, reason.get("Item")))
    if not problems:
        return TransientError(f"transaction cancelled for no known reason: {codes}")
    return ReservationRefused(problems, CURRENCIES.get(order.currency or ""))


def _line_problem(line: OrderLine, old: dict[str, Any] | None) -> LineProblem:
    """What failed on one line, from the product as it was (ALL_OLD); None: no such product."""
    if old is None:
        return LineProblem(line.productID, line.quantity, None)
    available = int(Decimal(old.get("stock", {}).get("N", "0")))
    name = old.get("name", {}).get("S")
    price = old.get("price", {}).get("N")
    price_now = Decimal(price) if price is not None else None
    if line.unitPrice is not None and price_now != line.unitPrice:
        return LineProblem(
            line.productID, line.quantity, available, name, line.unitPrice, price_now
        )
    return LineProblem(line.productID, line.quantity, available, name)
