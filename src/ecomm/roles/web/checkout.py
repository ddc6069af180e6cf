"""Checkout: read the customer's form, and place the order by publishing OrderPlaced.

The order id is chosen when the checkout form is rendered and travels in it, so a double click
or a retry after an error sends the same id again: the order service treats OrderPlaced as
idempotent on that id, and the shopper gets one order. The form also carries the digest of the
cart it showed, prices included. The id only names *that* cart: a form sent back after the cart
changed (another tab added something, or the browser's Back button brought an old form back)
would otherwise reach the order service as a duplicate of the first order and be swallowed by
its idempotency; and a form sent after a price changed would ask for an order at a price the
shopper never saw. So a digest that is not the priced cart's now is refused, with the cart kept,
the new prices shown and a fresh id.

OrderPlaced carries what the page showed: each line's price and name, the currency and the
shipping cost, and, when the shop takes cards, the authorization of that total
(`card_payment.py`). The order worker charges exactly that, or rejects the order saying what
changed (and voids the authorization).
"""

from __future__ import annotations

import re
import uuid
from collections.abc import Mapping
from dataclasses import dataclass, field

from pydantic import ValidationError

from ecomm.core.adapters.publisher import EventPublisher
from ecomm.core.contracts.customer_text import clean_customer_text
from ecomm.core.contracts.events import (
    AddressData,
    CustomerData,
    Envelope,
    EventType,
    LineData,
    OrderPlacedData,
    PaymentData,
)
from ecomm.roles.web.priced_cart import PricedCart

MAX_NAME = 200
MAX_EMAIL = 254
_ORDER_ID = re.compile(r"[0-9a-f]{32}")


def new_order_id() -> str:
    return uuid.uuid4().hex


def order_id_from(form: Mapping[str, str]) -> str:
    """The id the form was rendered with, when it looks like one of ours; else a fresh one."""
    sent = form.get("order_id", "")
    return sent if _ORDER_ID.fullmatch(sent) else new_order_id()


@dataclass(frozen=True)
class CustomerForm:
    name: str = ""
    email: str = ""
    errors: dict[str, str] = field(default_factory=dict)

    def customer(self) -> CustomerData | None:
        if self.errors:
            return None
        return CustomerData(name=self.name, email=self.email)


def read_customer(form: Mapping[str, str]) -> CustomerForm:
    """The name and email as typed, with a message per field that is not acceptable."""
    name = " ".join(form.get("name", "").split())
    email = form.get("email", "").strip()
    errors: dict[str, str] = {}
    if not name:
        errors["name"] = "Please enter your name."
    elif len(name) > MAX_NAME:
        errors["name"] = f"Please shorten your name to {MAX_NAME} characters."
    elif not _clean(name, MAX_NAME):
        errors["name"] = "Please use only letters, spaces and punctuation in your name."
    if not email:
        errors["email"] = "Please enter your email address."
    elif len(email) > MAX_EMAIL:
        errors["email"] = "This email address is too long."
    elif not _clean(email, MAX_EMAIL) or not _valid_email(email):
        errors["email"] = "Please enter a valid email address, like name@example.com."
    return CustomerForm(name[: MAX_NAME + 50], email[: MAX_EMAIL + 50], errors)


def _clean(text: str, max_length: int) -> bool:
    """The event contract's rule for customer text (no control or bidi characters)."""
    try:
        clean_customer_text(text, max_length=max_length)
    except ValueError:
        return False
    return True


def _valid_email(email: str) -> bool:
    try:
        CustomerData(name="x", email=email)
    except ValidationError:
        return False
    return True


async def submit_order(
    publisher: EventPublisher,
    order_id: str,
    cart: PricedCart,
    customer: CustomerData,
    address: AddressData,
    *,
    correlation_id: str,
    payment: PaymentData | None = None,
) -> None:
    """Publish OrderPlaced, as the page showed it, and wait for SNS to take it; raises
    `PublishFailed` if it did not."""
    lines = [line.order_line for line in cart.lines]
    data = OrderPlacedData(
        orderID=order_id,
        items=[
            LineData(
                productID=line.productID,
                quantity=line.quantity,
                unitPrice=line.unitPrice,
                name=line.name,
            )
            for line in lines
        ],
        customer=customer,
        currency=cart.pricing.currency.code,
        shippingAddress=address,
        shipping=cart.totals.shipping,
        payment=payment,
    )
    await publisher.publish(Envelope.wrap(EventType.ORDER_PLACED, data, correlation_id))
