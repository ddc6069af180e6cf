"""An order's life after it is placed: which status may follow which, and the commands that ask.

    PENDING ──> CONFIRMED ──ship──> SHIPPED ──deliver──> DELIVERED
       │            ├──cancel──> CANCELLED   (the stock comes back)
       │            └──release─> REJECTED    (the payment could not be captured: stock back)
       └──> REJECTED

A paid order leaves CONFIRMED (shipped, cancelled) only once its payment is captured: while the
capture is pending, ship and cancel wait (`CapturePending`, retried), so nothing ships unpaid and
a cancellation never races a capture. `release` is the worker's own move, not a command.

PENDING → CONFIRMED/REJECTED is the placing itself (`placing.py`). Each transition here is
applied as a write conditioned on the status it leaves (`orders_table.py`), so two commands
racing for one order end as exactly one of them, and a command delivered again finds the order
already moved and changes nothing.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from ecomm.core.domain.errors import DomainError, TransientError
from ecomm.core.domain.orders import Order, OrderStatus
from ecomm.core.domain.payments import PaymentStatus

MAX_REASON = 500


class Action(StrEnum):
    CANCEL = "cancel"
    SHIP = "ship"
    DELIVER = "deliver"
    RELEASE = "release"  # the worker's, when the authorization could not be captured


@dataclass(frozen=True)
class Transition:
    action: Action
    source: OrderStatus
    target: OrderStatus
    restocks: bool = False  # gives the order's quantities back to the products' stock
    # True: only while the order's payment is authorized and not captured; False: only when it
    # is not (a pending capture comes first); None: whatever the payment is.
    while_authorized: bool | None = None

    @property
    def past_tense(self) -> str:
        return {
            Action.CANCEL: "cancelled",
            Action.SHIP: "shipped",
            Action.DELIVER: "delivered",
            Action.RELEASE: "released",
        }[self.action]


TRANSITIONS: dict[Action, Transition] = {
    Action.CANCEL: Transition(
        Action.CANCEL,
        OrderStatus.CONFIRMED,
        OrderStatus.CANCELLED,
        restocks=True,
        while_authorized=False,
    ),
    Action.SHIP: Transition(
        Action.SHIP, OrderStatus.CONFIRMED, OrderStatus.SHIPPED, while_authorized=False
    ),
    Action.DELIVER: Transition(Action.DELIVER, OrderStatus.SHIPPED, OrderStatus.DELIVERED),
    Action.RELEASE: Transition(
        Action.RELEASE,
        OrderStatus.CONFIRMED,
        OrderStatus.REJECTED,
        restocks=True,
        while_authorized=True,
    ),
}

DEFAULT_REASONS = {
    Action.CANCEL: "Cancelled at the customer's request.",
    Action.SHIP: "Handed to the carrier.",
    Action.DELIVER: "Delivered.",
    Action.RELEASE: "The payment could not be taken.",
}


def can(order: Order, action: Action) -> bool:
    """True while `order` is in the status `action` leaves (and its payment allows it)."""
    return allows(order, TRANSITIONS[action])


def capture_pending(order: Order) -> bool:
    return order.payment is not None and order.payment.status is PaymentStatus.AUTHORIZED


def allows(order: Order, transition: Transition) -> bool:
    """True when `order` may take `transition` now: its status, and its payment's."""
    if order.status is not transition.source:
        return False
    wanted = transition.while_authorized
    return wanted is None or capture_pending(order) is wanted


@dataclass(frozen=True)
class ChangeStatus:
    """A command to move an order along: cancel, ship or deliver it."""

    orderID: str  # noqa: N815
    action: Action
    reason: str | None
    correlationId: str  # noqa: N815

    @property
    def transition(self) -> Transition:
        return TRANSITIONS[self.action]


class TransitionRefused(DomainError):
    """The order is not in the status the transition leaves: nothing changed."""

    def __init__(self, order: Order, transition: Transition) -> None:
        super().__init__(
            f"order {order.orderID} is {order.status.value}: only a {transition.source.value} "
            f"order can be {transition.past_tense}"
        )
        self.order = order
        self.transition = transition


class CapturePending(TransientError):
    """The order's payment is authorized, its capture not yet recorded: the command waits (it
    is retried) until the order worker captured it, or released the order."""

    def __init__(self, order_id: str, transition: Transition) -> None:
        super().__init__(
            f"order {order_id}: its payment's capture comes before {transition.action}"
        )


class RestockRefused(DomainError):
    """A cancellation could not give stock back: a product of the order is gone from the
    catalog. Nothing changed; a person has to look (the products are never deleted by ecomm)."""

    def __init__(self, order_id: str, product_ids: list[str]) -> None:
        super().__init__(f"order {order_id}: no product {', '.join(product_ids)} to restock")
        self.product_ids = product_ids
