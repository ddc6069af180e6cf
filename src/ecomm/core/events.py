"""The event envelope of DESIGN.md and its payloads, as pydantic models.

Every message body is an `Envelope`; its `type` is also the SNS message attribute `type`, which
the queue subscriptions filter on. `decode` is the one place where AWS wrappers are unwrapped: it
accepts the raw envelope (raw message delivery) and the SNS notification that wraps it when raw
delivery is off, so a misconfigured subscription still works instead of poisoning the queue.

Whatever a body holds, `decode` returns an envelope or raises `MalformedEvent`, which the
consumer parks in the dead-letter queue at once; nothing a sender writes can take the path of a
bug. The body is parsed within bounds (`boundedjson.py`: its length is SQS's own limit).
"""

from __future__ import annotations

import uuid
from datetime import UTC, datetime
from enum import StrEnum
from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, EmailStr, Field, ValidationError

from ecomm.core.boundedjson import UnreadableJson, bounded_loads
from ecomm.core.domain import MAX_ORDER_LINES

MAX_BODY_CHARS = 256 * 1024  # SQS refuses a larger body in bytes, and a character is >= 1 byte
MAX_DEPTH = 16  # the deepest event nests 4 levels: envelope, data, items, a line


class EventType(StrEnum):
    PRODUCT_SEARCHED = "ProductSearched"
    ORDER_PLACED = "OrderPlaced"
    ORDER_CONFIRMED = "OrderConfirmed"
    ORDER_REJECTED = "OrderRejected"
    PRODUCT_CHANGED = "ProductChanged"


class _Payload(BaseModel):
    model_config = ConfigDict(frozen=True, extra="ignore")


ProductId = Annotated[str, Field(min_length=1, max_length=128)]
OrderId = Annotated[str, Field(min_length=1, max_length=128, pattern=r"^[A-Za-z0-9_-]+$")]


class LineData(_Payload):
    productID: ProductId  # noqa: N815
    quantity: int  # bounds are business rules: the order worker rejects with a reason


class CustomerData(_Payload):
    name: Annotated[str, Field(min_length=1, max_length=200)]
    email: EmailStr


# One web task sums the searches of one query over a short window into one event.
MAX_SEARCHES_PER_EVENT = 1_000_000


class ProductSearchedData(_Payload):
    query: Annotated[str, Field(max_length=200)]
    filters: dict[str, str] = Field(default_factory=dict)
    resultCount: Annotated[int, Field(ge=0)]  # noqa: N815
    # How many times it was searched (the web role aggregates); absent means once.
    searches: Annotated[int, Field(ge=1, le=MAX_SEARCHES_PER_EVENT)] = 1


class OrderPlacedData(_Payload):
    orderID: OrderId  # noqa: N815
    # Generous bounds: too many lines is rejected *with a reason* by the worker, but a message
    # of unbounded size is malformed and goes to the dead-letter queue.
    items: Annotated[list[LineData], Field(min_length=1, max_length=10 * MAX_ORDER_LINES)]
    customer: CustomerData


class OrderOutcomeData(_Payload):
    orderID: OrderId  # noqa: N815
    items: list[LineData]
    reason: str | None = None


class ProductChangedData(_Payload):
    productID: ProductId  # noqa: N815
    name: str
    description: str
    category: str
    price: Annotated[float, Field(ge=0)]
    stock: Annotated[int, Field(ge=0)]
    updatedAt: str  # noqa: N815
    imageUrl: str | None = None  # noqa: N815


_DATA_MODELS: dict[EventType, type[_Payload]] = {
    EventType.PRODUCT_SEARCHED: ProductSearchedData,
    EventType.ORDER_PLACED: OrderPlacedData,
    EventType.ORDER_CONFIRMED: OrderOutcomeData,
    EventType.ORDER_REJECTED: OrderOutcomeData,
    EventType.PRODUCT_CHANGED: ProductChangedData,
}


def utc_now() -> str:
    return datetime.now(UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z")


class Envelope(BaseModel):
    """One event as it travels through SNS and SQS."""

    model_config = ConfigDict(frozen=True, extra="ignore")

    type: EventType
    version: Literal[1] = 1
    id: str = Field(default_factory=lambda: str(uuid.uuid4()))
    occurredAt: str = Field(default_factory=utc_now)  # noqa: N815
    correlationId: str = Field(default_factory=lambda: str(uuid.uuid4()))  # noqa: N815
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
