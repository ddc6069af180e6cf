"""Orders: their lines, customer, address, totals and status history, the limits an order keeps,
and why one fails. Which status may follow which is `lifecycle.py`'s."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from decimal import Decimal
from enum import StrEnum

from ecomm.core.domain.errors import DomainError
from ecomm.core.domain.money import Currency, ShippingRule, Totals, line_total, totals
from ecomm.core.domain.payments import Payment

# DynamoDB refuses a transaction of more than 100 actions; an order takes one for its own record
# and one per distinct product.
MAX_TRANSACTION_ACTIONS = 100
MAX_ORDER_LINES = MAX_TRANSACTION_ACTIONS - 1
MAX_LINE_QUANTITY = 1000


class OrderStatus(StrEnum):
    PENDING = "PENDING"  # placed, not yet processed: known to the shopper's browser only
    CONFIRMED = "CONFIRMED"
    REJECTED = "REJECTED"
    SHIPPED = "SHIPPED"
    DELIVERED = "DELIVERED"
    CANCELLED = "CANCELLED"


@dataclass(frozen=True)
class OrderLine:
    productID: str  # noqa: N815
    quantity: int
    # As shown to the shopper. None only in orders recorded before orders carried prices.
    unitPrice: Decimal | None = None  # noqa: N815
    name: str = ""

    def total(self, currency: Currency) -> Decimal | None:
        if self.unitPrice is None:
            return None
        return line_total(self.unitPrice, self.quantity, currency)


@dataclass(frozen=True)
class Customer:
    name: str
    email: str


@dataclass(frozen=True)
class Address:
    line1: str
    city: str
    postalCode: str  # noqa: N815
    country: str  # ISO 3166-1 alpha-2
    line2: str = ""
    region: str = ""


@dataclass(frozen=True)
class StatusChange:
    status: OrderStatus
    at: str
    reason: str | None = None


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
    # None in orders recorded before orders carried prices and an address.
    currency: str | None = None
    subtotal: Decimal | None = None
    shipping: Decimal | None = None
    total: Decimal | None = None
    shippingAddress: Address | None = None  # noqa: N815
    history: tuple[StatusChange, ...] = ()
    payment: Payment | None = None  # None when the shop takes no payment (ECOMM_PAYMENTS=none)

    @property
    def timeline(self) -> tuple[StatusChange, ...]:
        """Every status change; for an order recorded without a history, what it is known by."""
        if self.history:
            return self.history
        if self.status is OrderStatus.PENDING:
            return ()
        return (StatusChange(self.status, self.updatedAt or self.createdAt, self.reason),)


@dataclass(frozen=True)
class PlaceOrder:
    """The command to place an order: what the shopper was shown and asked for, as sent."""

    orderID: str  # noqa: N815
    lines: tuple[OrderLine, ...]
    customer: Customer
    correlationId: str  # noqa: N815
    currency: str | None = None  # None from a sender that showed no prices
    shippingAddress: Address | None = None  # noqa: N815
    shipping: Decimal | None = None  # the shipping cost shown, when the sender says
    placedAt: str = ""  # noqa: N815
    payment: Payment | None = None  # the authorization web obtained at checkout


@dataclass(frozen=True)
class Pricing:
    """What the shop charges in and how it charges for shipping (from its settings)."""

    currency: Currency
    shipping: ShippingRule

    def totals(self, lines: Iterable[OrderLine]) -> Totals:
        """The totals of priced lines (`check_order` refuses an order with an unpriced one)."""
        line_totals = (line.total(self.currency) or Decimal(0) for line in lines)
        return totals(line_totals, self.shipping, self.currency)


def merge_lines(lines: Iterable[OrderLine]) -> tuple[OrderLine, ...]:
    """Merge repeated lines of one product: DynamoDB refuses two actions on one item. The first
    line's price and name stand (`check_order` refuses two prices for one product)."""
    merged: dict[str, OrderLine] = {}
    for line in lines:
        first = merged.get(line.productID)
        quantity = line.quantity + (first.quantity if first else 0)
        kept = first or line
        merged[line.productID] = OrderLine(kept.productID, quantity, kept.unitPrice, kept.name)
    return tuple(merged.values())


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


UNPRICED = "We couldn't confirm the prices of this order; please place it again."


def check_order(command: PlaceOrder, pricing: Pricing) -> str | None:
    """The reason this order cannot be attempted as sent, or None."""
    problem = check_lines(command.lines)
    if problem is not None:
        return problem
    if any(line.unitPrice is None for line in command.lines):
        return UNPRICED
    if command.currency != pricing.currency.code:
        return f"This shop charges in {pricing.currency.code}; please place your order again."
    if command.shippingAddress is None:
        return "The order has no shipping address; please place it again."
    prices: dict[str, Decimal | None] = {}
    for line in command.lines:
        if prices.setdefault(line.productID, line.unitPrice) != line.unitPrice:
            return f"The order names two prices for “{line.name or line.productID}”."
    return None


def check_payment(command: PlaceOrder, charged: Totals, currency: Currency) -> str | None:
    """The reason the authorization does not pay for exactly this order, or None."""
    payment = command.payment
    if payment is None:
        return None
    if payment.currency != currency.code or payment.amount != currency.to_minor(charged.total):
        return "The payment authorized does not match the order's total; please place it again."
    return None


def check_shipping(command: PlaceOrder, charged: Totals, currency: Currency) -> str | None:
    """The reason the shipping cost shown is not the one charged now, or None."""
    if command.shipping is None or command.shipping == charged.shipping:
        return None
    return (
        f"Sorry: the shipping cost changed from {currency.format(command.shipping)} "
        f"to {currency.format(charged.shipping)}. Please check the new total and order again."
    )


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
    # Set when the product's price is no longer the one the shopper was shown.
    price_shown: Decimal | None = None
    price_now: Decimal | None = None

    @property
    def price_changed(self) -> bool:
        return self.price_now is not None and self.price_now != self.price_shown


@dataclass
class ReservationRefused(DomainError):
    """Stock could not be reserved for every line at the price shown; nothing was reserved."""

    problems: list[LineProblem] = field(default_factory=list)
    currency: Currency | None = None

    def __str__(self) -> str:
        return describe_problems(self.problems, self.currency)


def describe_problems(problems: Iterable[LineProblem], currency: Currency | None = None) -> str:
    """A reason a shopper understands, for every line that could not be reserved as shown."""
    parts = []
    for p in problems:
        label = f"“{p.name or p.productID}”"
        if p.available is None:
            parts.append(f"{label} is not in our catalog")
        elif p.price_changed:
            shown, now = _amount(p.price_shown, currency), _amount(p.price_now, currency)
            parts.append(f"the price of {label} changed from {shown} to {now}")
        elif p.available <= 0:
            parts.append(f"{label} is out of stock")
        else:
            parts.append(f"only {p.available} of {label} left (you asked for {p.requested})")
    text = "; ".join(parts) or "some items could not be reserved"
    return f"Sorry: {text}."


def _amount(value: Decimal | None, currency: Currency | None) -> str:
    if value is None:
        return "no price"
    return currency.format(value) if currency is not None else f"{value:f}"
