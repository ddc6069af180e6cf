"""How the order transaction's cancellation reasons map to domain errors.

moto never answers `TransactionConflict` or throttling, so these answers are built by hand, in
the shape DynamoDB documents for `TransactionCanceledException`.
"""

from __future__ import annotations

from typing import Any

import pytest
from botocore.exceptions import ClientError

from ecomm.core.adapters.orders_table import _cancellation
from ecomm.core.domain.errors import TransientError
from ecomm.core.domain.orders import (
    Order,
    OrderAlreadyRecorded,
    OrderLine,
    OrderStatus,
    ReservationRefused,
)

ORDER = Order("o-1", OrderStatus.CONFIRMED, (OrderLine("A", 1), OrderLine("B", 2)))


def cancelled(*reasons: dict[str, Any]) -> ClientError:
    return ClientError(
        {  # type: ignore[typeddict-unknown-key]
            "Error": {"Code": "TransactionCanceledException", "Message": "cancelled"},
            "CancellationReasons": list(reasons),
        },
        "TransactWriteItems",
    )


OK = {"Code": "None"}


@pytest.mark.parametrize("code", ["TransactionConflict", "ThrottlingError"])
def test_a_conflict_or_throttle_is_transient_never_a_rejection(code: str) -> None:
    error = _cancellation(cancelled(OK, {"Code": code}, OK), ORDER)
    assert isinstance(error, TransientError)


def test_a_failed_order_put_means_a_duplicate_delivery() -> None:
    error = _cancellation(cancelled(OK, OK, {"Code": "ConditionalCheckFailed"}), ORDER)
    assert isinstance(error, OrderAlreadyRecorded)


def test_a_failed_line_names_the_product_and_what_is_left() -> None:
    old = {"productID": {"S": "B"}, "name": {"S": "Trail Wool Tent"}, "stock": {"N": "1"}}
    error = _cancellation(cancelled(OK, {"Code": "ConditionalCheckFailed", "Item": old}, OK), ORDER)
    assert isinstance(error, ReservationRefused)
    assert str(error) == "Sorry: only 1 of “Trail Wool Tent” left (you asked for 2)."


def test_a_failed_line_without_an_item_is_an_unknown_product() -> None:
    error = _cancellation(cancelled({"Code": "ConditionalCheckFailed"}, OK, OK), ORDER)
    assert isinstance(error, ReservationRefused)
    assert error.problems[0].available is None


def test_a_cancellation_with_no_known_reason_is_retried() -> None:
    assert isinstance(_cancellation(cancelled(OK, OK, OK), ORDER), TransientError)
