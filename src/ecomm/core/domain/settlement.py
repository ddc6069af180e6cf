"""Which payment step an order's record calls for next: the one rule every worker follows.

    order holds its stock (CONFIRMED, SHIPPED, DELIVERED) + payment authorized ─> capture
    order holds no stock  (REJECTED, CANCELLED)           + payment authorized ─> void
    order holds no stock  (REJECTED, CANCELLED)           + payment paid       ─> refund
    anything else (paid and holding stock, voided, refunded, no payment)       ─> nothing

The record is read again after every step, so a step that crashed, was delivered twice or lost
a race is simply taken again (its idempotency key makes the provider answer as the first time)
or found already taken. Capture is decided only from a record whose stock is reserved (both were
written in one transaction), so money is never captured for goods that were not reserved; a
cancellation waits while a capture is pending (`orders_table.py`), so a paid order whose stock
came back is always one a refund follows.
"""

from __future__ import annotations

from ecomm.core.domain.errors import DomainError
from ecomm.core.domain.orders import Order, OrderStatus
from ecomm.core.domain.payments import PaymentStatus, Step

HOLDS_STOCK = frozenset({OrderStatus.CONFIRMED, OrderStatus.SHIPPED, OrderStatus.DELIVERED})
RELEASED = frozenset({OrderStatus.REJECTED, OrderStatus.CANCELLED})


def next_step(order: Order) -> Step | None:
    payment = order.payment
    if payment is None:
        return None
    if payment.status is PaymentStatus.AUTHORIZED:
        if order.status in HOLDS_STOCK:
            return Step.CAPTURE
        if order.status in RELEASED:
            return Step.VOID
    if payment.status is PaymentStatus.PAID and order.status in RELEASED:
        return Step.REFUND
    return None


CAPTURE_FAILED = (
    "We couldn't take the payment for this order (the card's authorization had expired), so "
    "it was not placed. Nothing was charged; please order again."
)


class PaymentRecordMoved(DomainError):
    """The payment's record was not in the status a step leaves: another delivery, or a
    webhook, recorded a step first. `order` is the record as it is now."""

    def __init__(self, order: Order) -> None:
        status = order.payment.status.value if order.payment else "none"
        super().__init__(f"order {order.orderID}: its payment is {status}")
        self.order = order
