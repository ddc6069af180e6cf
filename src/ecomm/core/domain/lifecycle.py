"""An order's life after it is placed: which status may follow which, and the commands that ask.

    PENDING ──> CONFIRMED ──ship──> SHIPPED ──deliver──> DELIVERED
       │            └──cancel──> CANCELLED   (the stock comes back)
       └──> REJECTED

PENDING → CONFIRMED/REJECTED is the placing itself (`placing.py`). Each transition here is
applied as a write conditioned on the status it leaves (`orders_table.py`), so two commands
racing for one order end as exactly one of them, and a command delivered again finds the order
already moved and changes nothing.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from ecomm.core.domain.errors import DomainError
from ecomm.core.domain.orders import Order, OrderStatus

MAX_REASON = 500


class Action(StrEnum):
    CANCEL = "cancel"
    SHIP = "ship"
    DELIVER = "deliver"


@dataclass(frozen=True)
class Transition:
    action: Action
    source: OrderStatus
    target: OrderStatus
    restocks: bool = False  # gives the order's quantities back to the products' stock

    @property
    def past_tense(self) -> str:
        return {Action.CANCEL: "cancelled", Action.SHIP: "shipped", Action.DELIVER: "delivered"}[
            self.action
        ]


TRANSITIONS: dict[Action, Transition] = {
    Action.CANCEL: Transition(
        Action.CANCEL, OrderStatus.CONFIRMED, OrderStatus.CANCELLED, restocks=True
    ),
    Action.SHIP: Transition(Action.SHIP, OrderStatus.CONFIRMED, OrderStatus.SHIPPED),
    Action.DELIVER: Transition(Action.DELIVER, OrderStatus.SHIPPED, OrderStatus.DELIVERED),
}

DEFAULT_REASONS = {
    Action.CANCEL: "Cancelled at the customer's request.",
    Action.SHIP: "Handed to the carrier.",
    Action.DELIVER: "Delivered.",
}


def can(order: Order, action: Action) -> bool:
    """True while `order` is in the status `action` leaves."""
    return order.status is TRANSITIONS[action].source


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


class RestockRefused(DomainError):
    """A cancellation could not give stock back: a product of the order is gone from the
    catalog. Nothing changed; a person has to look (the products are never deleted by ecomm)."""

    def __init__(self, order_id: str, product_ids: list[str]) -> None:
        super().__init__(f"order {order_id}: no product {', '.join(product_ids)} to restock")
        self.product_ids = product_ids
