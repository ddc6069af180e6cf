"""Orders: their lines, customer and status, the limits an order keeps, and why one fails."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from enum import StrEnum

from ecomm.core.domain.errors import DomainError

# DynamoDB refuses a transaction of more than 100 actions; an order takes one for its own record
# and one per distinct product.
MAX_TRANSACTION_ACTIONS = 100
MAX_ORDER_LINES = MAX_TRANSACTION_ACTIONS - 1
MAX_LINE_QUANTITY = 1000


class OrderStatus(StrEnum):
    PENDING = "PENDING"
    CONFIRMED = "CONFIRMED"
    REJECTED = "REJECTED"


@dataclass(frozen=True)
class OrderLine:
    productID: str  # noqa: N815
    quantity: int


@dataclass(frozen=True)
class Customer:
    name: str
    email: str


@dataclass(frozen=True)
class Order:
    orderID: str  # noqa: N815
    status: OrderStatus
    items: tuple[OrderLine, ...]
    customer: Customer | None = None
    reason: str | None = None
    createdAt: str = ""  # noqa: N815
    updatedAt: str = ""  # noqa: N815
    correlationId: str | None = None  # noqa: N815


@dataclass(frozen=True)
class PlaceOrder:
    """The command to place an order: what the shopper asked for, as sent."""

    orderID: str  # noqa: N815
    lines: tuple[OrderLine, ...]
    customer: Customer
    correlationId: str  # noqa: N815


def merge_lines(lines: Iterable[OrderLine]) -> tuple[OrderLine, ...]:
    """Merge repeated lines of one product: DynamoDB refuses two actions on one item."""
    totals: dict[str, int] = {}
    for line in lines:
        totals[line.productID] = totals.get(line.productID, 0) + line.quantity
    return tuple(OrderLine(pid, qty) for pid, qty in totals.items())


def check_lines(lines: tuple[OrderLine, ...]) -> str | None:
    """The reason an order cannot even be attempted, or None (quantities checked before merging,
    so a negative line cannot hide inside a positive total)."""
    if not lines:
        return "The order has no items."
    if len(merge_lines(lines)) > MAX_ORDER_LINES:
        return f"An order can hold at most {MAX_ORDER_LINES} different products."
    for line in lines:
        if line.quantity < 1:
            return f"The quantity for {line.productID} must be at least 1."
        if line.quantity > MAX_LINE_QUANTITY:
            return f"At most {MAX_LINE_QUANTITY} of one product per order."
    return None


class OrderNotFound(DomainError):
    def __init__(self, order_id: str) -> None:
        super().__init__(f"no order {order_id!r}")
        self.order_id = order_id


class OrderAlreadyRecorded(DomainError):
    """The order's record exists: this delivery is a duplicate of one already applied."""

    def __init__(self, order_id: str) -> None:
        super().__init__(f"order {order_id!r} is already recorded")
        self.order_id = order_id


@dataclass(frozen=True)
class LineProblem:
    productID: str  # noqa: N815
    requested: int
    available: int | None  # None: the product does not exist
    name: str | None = None


@dataclass
class ReservationRefused(DomainError):
    """Stock could not be reserved for every line; nothing was reserved."""

    problems: list[LineProblem] = field(default_factory=list)

    def __str__(self) -> str:
        return describe_problems(self.problems)


def describe_problems(problems: Iterable[LineProblem]) -> str:
    """A reason a shopper understands, for every line that could not be reserved."""
    parts = []
    for p in problems:
        label = f"“{p.name or p.productID}”"
        if p.available is None:
            parts.append(f"{label} is not in our catalog")
        elif p.available <= 0:
            parts.append(f"{label} is out of stock")
        else:
            parts.append(f"only {p.available} of {label} left (you asked for {p.requested})")
    text = "; ".join(parts) or "some items could not be reserved"
    return f"Sorry: {text}."
