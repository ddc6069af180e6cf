"""The shop's plain domain objects and errors: no AWS, no HTTP, no pydantic."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from decimal import Decimal
from enum import StrEnum

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
class Product:
    productID: str  # noqa: N815 - the table's attribute name, kept verbatim across layers
    name: str
    description: str
    category: str
    price: Decimal
    stock: int
    updatedAt: str  # noqa: N815
    imageUrl: str | None = None  # noqa: N815

    @property
    def in_stock(self) -> bool:
        return self.stock > 0


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


def merge_lines(lines: Iterable[OrderLine]) -> tuple[OrderLine, ...]:
    """Merge repeated lines of one product: DynamoDB refuses two actions on one item."""
    totals: dict[str, int] = {}
    for line in lines:
        totals[line.productID] = totals.get(line.productID, 0) + line.quantity
    return tuple(OrderLine(pid, qty) for pid, qty in totals.items())


class DomainError(Exception):
    """Base of the errors the domain and its adapters name."""


class ProductNotFound(DomainError):
    def __init__(self, product_id: str) -> None:
        super().__init__(f"no product {product_id!r}")
        self.product_id = product_id


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


class TransientError(DomainError):
    """A failure worth retrying: throttling, a transaction conflict, an unreachable endpoint."""
