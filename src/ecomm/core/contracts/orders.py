"""An order on the wire: the order API's body (`GET /api/orders/{orderID}`), both sides of it.

    {"orderID", "status", "reason", "createdAt", "updatedAt",
     "items": [{"productID", "name", "quantity", "unitPrice", "lineTotal"}],
     "currency", "subtotal", "shipping", "total",
     "customer": {"name"}, "shippingAddress": {"line1", "line2", "city", "region",
     "postalCode", "country"}, "history": [{"status", "at", "reason"}],
     "payment": {"provider", "id", "status", "card": {"brand", "last4"}}}

Amounts are decimal strings (`contracts/money.py`), never JSON numbers. An order recorded
before orders carried prices has `null` prices and totals, `null` address and customer, and a
history of its one known status; readers show what there is. The customer's email is not
served: no page shows it. `payment` is `null` when the shop took no payment; of the card, only
its brand and last four digits are ever kept or served.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Annotated, Any

from pydantic import BaseModel, ConfigDict, Field

from ecomm.core.contracts.money import Amount, amount_text
from ecomm.core.domain.money import CURRENCIES
from ecomm.core.domain.orders import (
    Address,
    Customer,
    Order,
    OrderLine,
    OrderStatus,
    StatusChange,
)
from ecomm.core.domain.payments import Card, Payment, PaymentStatus

MAX_HISTORY = 50  # a lifecycle has four steps; a record with more is not ours


def _amount(value: Decimal | None) -> str | None:
    return None if value is None else amount_text(value)


def _line_json(line: OrderLine, order: Order) -> dict[str, Any]:
    currency = CURRENCIES.get(order.currency or "")
    total = line.total(currency) if currency is not None else None
    return {
        "productID": line.productID,
        "name": line.name,
        "quantity": line.quantity,
        "unitPrice": _amount(line.unitPrice),
        "lineTotal": _amount(total),
    }


def _address_json(address: Address | None) -> dict[str, str] | None:
    if address is None:
        return None
    return {
        "line1": address.line1,
        "line2": address.line2,
        "city": address.city,
        "region": address.region,
        "postalCode": address.postalCode,
        "country": address.country,
    }


def _payment_json(payment: Payment | None) -> dict[str, Any] | None:
    if payment is None:
        return None
    return {
        "provider": payment.provider,
        "id": payment.id,
        "status": payment.status.value,
        "card": {"brand": payment.card.brand, "last4": payment.card.last4},
    }


def order_json(order: Order) -> dict[str, Any]:
    """The order as the order service answers it."""
    return {
        "orderID": order.orderID,
        "status": order.status.value,
        "items": [_line_json(line, order) for line in order.items],
        "reason": order.reason,
        "createdAt": order.createdAt,
        "updatedAt": order.updatedAt,
        "currency": order.currency,
        "subtotal": _amount(order.subtotal),
        "shipping": _amount(order.shipping),
        "total": _amount(order.total),
        "customer": {"name": order.customer.name} if order.customer else None,
        "shippingAddress": _address_json(order.shippingAddress),
        "history": [
            {"status": change.status.value, "at": change.at, "reason": change.reason}
            for change in order.timeline
        ],
        "payment": _payment_json(order.payment),
    }


class _Body(BaseModel):
    model_config = ConfigDict(extra="ignore", frozen=True)


Text = Annotated[str, Field(max_length=1000)]


class LineBody(_Body):
    productID: str  # noqa: N815
    quantity: int
    name: Text = ""
    unitPrice: Amount | None = None  # noqa: N815
    lineTotal: Amount | None = None  # noqa: N815


class AddressBody(_Body):
    line1: Text
    line2: Text = ""
    city: Text
    region: Text = ""
    postalCode: Text  # noqa: N815
    country: Annotated[str, Field(min_length=2, max_length=2)]

    def to_domain(self) -> Address:
        return Address(**self.model_dump())


class CustomerBody(_Body):
    name: Text


class ChangeBody(_Body):
    status: OrderStatus
    at: Text
    reason: Annotated[str, Field(max_length=256 * 1024)] | None = None


class CardBody(_Body):
    brand: Annotated[str, Field(max_length=20)] = ""
    last4: Annotated[str, Field(pattern=r"^[0-9]{0,4}$")] = ""


class PaymentBody(_Body):
    provider: Annotated[str, Field(max_length=20)]
    id: Annotated[str, Field(max_length=255)]
    status: PaymentStatus
    card: CardBody = CardBody()

    def to_domain(self, order: OrderBody) -> Payment:
        # What the order API serves of a payment: no amount (the order's total is it).
        currency = order.currency or ""
        known = CURRENCIES.get(currency)
        amount = known.to_minor(order.total) if known and order.total is not None else 0
        card = Card(self.card.brand, self.card.last4)
        return Payment(self.provider, self.id, self.status, amount, currency, card)


class OrderBody(_Body):
    orderID: str  # noqa: N815
    status: OrderStatus
    items: list[LineBody] = []
    reason: str | None = None
    createdAt: str = ""  # noqa: N815
    updatedAt: str = ""  # noqa: N815
    currency: Annotated[str, Field(pattern=r"^[A-Z]{3}$")] | None = None
    subtotal: Amount | None = None
    shipping: Amount | None = None
    total: Amount | None = None
    customer: CustomerBody | None = None
    shippingAddress: AddressBody | None = None  # noqa: N815
    history: Annotated[list[ChangeBody], Field(max_length=MAX_HISTORY)] = []
    payment: PaymentBody | None = None

    def to_domain(self) -> Order:
        return Order(
            orderID=self.orderID,
            status=self.status,
            items=tuple(
                OrderLine(i.productID, i.quantity, i.unitPrice, i.name) for i in self.items
            ),
            reason=self.reason,
            createdAt=self.createdAt,
            updatedAt=self.updatedAt,
            currency=self.currency,
            subtotal=self.subtotal,
            shipping=self.shipping,
            total=self.total,
            customer=Customer(self.customer.name, "") if self.customer else None,
            shippingAddress=self.shippingAddress.to_domain() if self.shippingAddress else None,
            history=tuple(StatusChange(c.status, c.at, c.reason) for c in self.history),
            payment=self.payment.to_domain(self) if self.payment else None,
        )
