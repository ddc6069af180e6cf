"""The event envelope of DESIGN.md and its payloads, as pydantic models, with their limits.

Every message body is an `Envelope`; its `type` is also the SNS message attribute `type`, which
the queue subscriptions filter on. `decode` is the one place where AWS wrappers are unwrapped: it
accepts the raw envelope (raw message delivery) and the SNS notification that wraps it when raw
delivery is off, so a misconfigured subscription still works instead of poisoning the queue.

Whatever a body holds, `decode` and `payload` return a valid event or raise `MalformedEvent`,
which the consumer parks in the dead-letter queue at once; nothing a sender writes can take the
path of a bug. The body is parsed within bounds (`boundedjson.py`: its length is SQS's own
limit), then every field of every payload has a bound.
"""

from __future__ import annotations

import uuid
from datetime import UTC, datetime
from decimal import Decimal
from enum import StrEnum
from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, PlainSerializer, ValidationError

from ecomm.core.contracts.boundedjson import FLOAT_DIGITS, UnreadableJson, bounded_loads
from ecomm.core.contracts.customer_text import (
    AddressLine,
    City,
    CountryCode,
    CustomerEmail,
    CustomerName,
    OptionalAddressLine,
    OptionalRegion,
    PostalCode,
    StatusReason,
)
from ecomm.core.contracts.money import Amount, CurrencyCode
from ecomm.core.domain.orders import MAX_ORDER_LINES

MAX_BODY_CHARS = 256 * 1024  # SQS refuses a larger body in bytes, and a character is >= 1 byte
MAX_DEPTH = 16  # the deepest event nests 4 levels: envelope, data, items, a line
# Counts and quantities: wide enough for every business rule, never a number that is costly to
# hold or compare.
MAX_WIRE_INT = 10**9
MAX_PRICE = Decimal(10**9)


class EventType(StrEnum):
    PRODUCT_SEARCHED = "ProductSearched"
    ORDER_PLACED = "OrderPlaced"
    ORDER_CONFIRMED = "OrderConfirmed"
    ORDER_REJECTED = "OrderRejected"
    PRODUCT_CHANGED = "ProductChanged"
    # Commands to the order worker (web: cancel; the operator's CLI: all three).
    CANCEL_ORDER = "CancelOrder"
    SHIP_ORDER = "ShipOrder"
    DELIVER_ORDER = "DeliverOrder"
    # What the order worker did with them.
    ORDER_CANCELLED = "OrderCancelled"
    ORDER_SHIPPED = "OrderShipped"
    ORDER_DELIVERED = "OrderDelivered"
    # What the payment provider reported (web's webhook), for the order worker to record.
    PAYMENT_REPORTED = "PaymentReported"


ORDER_COMMANDS = frozenset({EventType.CANCEL_ORDER, EventType.SHIP_ORDER, EventType.DELIVER_ORDER})


class _Payload(BaseModel):
    # hide_input_in_errors: a validation error's text never carries what a customer typed.
    model_config = ConfigDict(frozen=True, extra="ignore", hide_input_in_errors=True)


ProductId = Annotated[str, Field(min_length=1, max_length=128)]
OrderId = Annotated[str, Field(min_length=1, max_length=128, pattern=r"^[A-Za-z0-9_-]+$")]
WireInt = Annotated[int, Field(ge=-MAX_WIRE_INT, le=MAX_WIRE_INT)]
Count = Annotated[int, Field(ge=0, le=MAX_WIRE_INT)]
# A decimal in the domain; a JSON number on the wire, as the contract has it. Its digits are
# bounded so that the float a JSON parser makes of it, and this one writes, is exact.
Price = Annotated[
    Decimal,
    Field(ge=0, le=MAX_PRICE, max_digits=FLOAT_DIGITS, decimal_places=4),
    PlainSerializer(float, return_type=float, when_used="json"),
]


ProductName = Annotated[str, Field(max_length=1000)]
# Written from product names, which nothing bounds but the message that carries them.
Reason = Annotated[str, Field(max_length=MAX_BODY_CHARS)]


class LineData(_Payload):
    productID: ProductId  # noqa: N815
    # Which quantities are acceptable is a business rule: the order worker rejects with a reason.
    quantity: WireInt
    # In OrderPlaced: the price and name the shopper was shown. Absent from senders older than
    # prices (the worker rejects such an order: it cannot know what the shopper agreed to).
    unitPrice: Amount | None = None  # noqa: N815
    name: ProductName | None = None


class CustomerData(_Payload):
    name: CustomerName
    email: CustomerEmail


class AddressData(_Payload):
    line1: AddressLine
    line2: OptionalAddressLine = ""
    city: City
    region: OptionalRegion = ""
    postalCode: PostalCode  # noqa: N815
    country: CountryCode


# One web task sums the searches of one query over a short window into one event.
MAX_SEARCHES_PER_EVENT = 1_000_000


MAX_FILTERS = 8
FilterName = Annotated[str, Field(min_length=1, max_length=32)]
FilterValue = Annotated[str, Field(max_length=200)]


class ProductSearchedData(_Payload):
    query: Annotated[str, Field(max_length=200)]
    filters: Annotated[dict[FilterName, FilterValue], Field(max_length=MAX_FILTERS)] = Field(
        default_factory=dict
    )
    resultCount: Count  # noqa: N815
    # How many times it was searched (the web role aggregates); absent means once.
    searches: Annotated[int, Field(ge=1, le=MAX_SEARCHES_PER_EVENT)] = 1


PaymentId = Annotated[str, Field(min_length=1, max_length=255, pattern=r"^[A-Za-z0-9_]+$")]
MinorUnits = Annotated[int, Field(ge=1, le=MAX_WIRE_INT * 100)]


class PaymentData(_Payload):
    """The authorization web obtained at checkout: what the order worker captures or voids."""

    provider: Annotated[str, Field(pattern=r"^[a-z]{1,20}$")]
    id: PaymentId
    amount: MinorUnits  # the order's total in the currency's minor units
    currency: CurrencyCode
    brand: Annotated[str, Field(max_length=20)] = ""
    last4: Annotated[str, Field(pattern=r"^[0-9]{0,4}$")] = ""


class PaymentReportedData(_Payload):
    """A payment's new state, as its provider reported it (signature checked by web)."""

    orderID: OrderId  # noqa: N815
    provider: Annotated[str, Field(pattern=r"^[a-z]{1,20}$")]
    paymentID: PaymentId  # noqa: N815
    captured: bool  # the provider took the money (Stripe: payment_intent.succeeded)
    eventID: Annotated[str, Field(max_length=255)] = ""  # noqa: N815


class OrderPlacedData(_Payload):
    orderID: OrderId  # noqa: N815
    # Generous bounds: too many lines is rejected *with a reason* by the worker, but a message
    # of unbounded size is malformed and goes to the dead-letter queue.
    items: Annotated[list[LineData], Field(min_length=1, max_length=10 * MAX_ORDER_LINES)]
    customer: CustomerData
    # As shown at checkout; absent from senders older than prices (see LineData.unitPrice).
    currency: CurrencyCode | None = None
    shippingAddress: AddressData | None = None  # noqa: N815
    shipping: Amount | None = None
    # Absent when the shop takes no payment (ECOMM_PAYMENTS=none).
    payment: PaymentData | None = None


class OrderOutcomeData(_Payload):
    """OrderConfirmed, OrderRejected, OrderCancelled, OrderShipped, OrderDelivered."""

    orderID: OrderId  # noqa: N815
    items: Annotated[list[LineData], Field(max_length=10 * MAX_ORDER_LINES)]
    reason: Reason | None = None


class OrderCommandData(_Payload):
    """CancelOrder, ShipOrder, DeliverOrder: which order, and why (for its history)."""

    orderID: OrderId  # noqa: N815
    reason: StatusReason | None = None


class ProductChangedData(_Payload):
    """Announces an operator's change; lookup reads the product's row, the rest is information."""

    productID: ProductId  # noqa: N815
    name: Annotated[str, Field(max_length=1000)]
    description: Annotated[str, Field(max_length=20_000)]
    category: Annotated[str, Field(max_length=200)]
    price: Price
    stock: Count
    updatedAt: Annotated[str, Field(max_length=64)]  # noqa: N815
    imageUrl: Annotated[str, Field(max_length=2048)] | None = None  # noqa: N815


_DATA_MODELS: dict[EventType, type[_Payload]] = {
    EventType.PRODUCT_SEARCHED: ProductSearchedData,
    EventType.ORDER_PLACED: OrderPlacedData,
    EventType.ORDER_CONFIRMED: OrderOutcomeData,
    EventType.ORDER_REJECTED: OrderOutcomeData,
    EventType.PRODUCT_CHANGED: ProductChangedData,
    EventType.CANCEL_ORDER: OrderCommandData,
    EventType.SHIP_ORDER: OrderCommandData,
    EventType.DELIVER_ORDER: OrderCommandData,
    EventType.ORDER_CANCELLED: OrderOutcomeData,
    EventType.ORDER_SHIPPED: OrderOutcomeData,
    EventType.ORDER_DELIVERED: OrderOutcomeData,
    EventType.PAYMENT_REPORTED: PaymentReportedData,
}


def utc_now() -> str:
    return datetime.now(UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z")


class Envelope(BaseModel):
    """One event as it travels through SNS and SQS."""

    # hide_input_in_errors: a validation error's text never carries what a customer typed.
    model_config = ConfigDict(frozen=True, extra="ignore", hide_input_in_errors=True)

    type: EventType
    version: Literal[1] = 1
    id: Annotated[str, Field(max_length=128)] = Field(default_factory=lambda: str(uuid.uuid4()))
    occurredAt: Annotated[str, Field(max_length=64)] = Field(default_factory=utc_now)  # noqa: N815
    correlationId: Annotated[str, Field(max_length=128)] = Field(  # noqa: N815
        default_factory=lambda: str(uuid.uuid4())
    )
    data: dict[str, Any]

    @classmethod
    def wrap(cls, event_type: EventType, data: _Payload, correlation_id: str | None) -> Envelope:
        kwargs: dict[str, Any] = {"type": event_type, "data": data.model_dump(mode="json")}
        if correlation_id:
            kwargs["correlationId"] = correlation_id
        return cls(**kwargs)

    def payload(self) -> _Payload:
        """The typed `data`; raises `MalformedEvent` when it does not fit the type."""
        try:
            return _DATA_MODELS[self.type].model_validate(self.data)
        except ValidationError as exc:
            raise MalformedEvent(f"{self.type} data is invalid: {_summary(exc)}") from exc

    def to_json(self) -> str:
        return self.model_dump_json()


class MalformedEvent(ValueError):
    """A message that can never be processed; it belongs in the dead-letter queue."""


def _summary(exc: ValidationError) -> str:
    return "; ".join(
        f"{'.'.join(str(p) for p in err['loc']) or '<root>'}: {err['msg']}"
        for err in exc.errors()[:5]
    )


def decode(body: object) -> Envelope:
    """Parse an SQS message body into an `Envelope`, unwrapping an SNS notification if present."""
    try:
        raw = bounded_loads(body, max_chars=MAX_BODY_CHARS, max_depth=MAX_DEPTH)
        if isinstance(raw, dict) and raw.get("Type") == "Notification" and "Message" in raw:
            # SNS wraps once: a notification inside a notification is not an event.
            raw = bounded_loads(raw["Message"], max_chars=MAX_BODY_CHARS, max_depth=MAX_DEPTH)
    except UnreadableJson as exc:
        raise MalformedEvent(f"body is unreadable: {exc}") from exc
    try:
        return Envelope.model_validate(raw)
    except ValidationError as exc:
        raise MalformedEvent(f"not an event envelope: {_summary(exc)}") from exc
