"""An order as the order pages show it: its lines and totals, its address, its timeline, and
which buttons it offers. Plain values for the templates and the status JSON; no I/O here."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from ecomm.core.contracts.countries import COUNTRIES
from ecomm.core.contracts.money import amount_text
from ecomm.core.domain.lifecycle import Action, can
from ecomm.core.domain.money import CURRENCIES
from ecomm.core.domain.orders import Address, Order, OrderStatus, StatusChange
from ecomm.core.domain.payments import PaymentStatus
from ecomm.core.domain.products import Product
from ecomm.core.domain.settlement import next_step

STATUS_TEXT = {
    OrderStatus.PENDING: "We're checking stock and reserving your items…",
    OrderStatus.CONFIRMED: "Your order is confirmed. Thank you!",
    OrderStatus.REJECTED: "Sorry, we couldn't accept your order.",
    OrderStatus.SHIPPED: "Your order is on its way.",
    OrderStatus.DELIVERED: "Your order was delivered.",
    OrderStatus.CANCELLED: "Your order was cancelled, and nothing is owed.",
}
PAYMENT_TEXT = {
    PaymentStatus.AUTHORIZED: "Authorized, not yet charged",
    PaymentStatus.PAID: "Paid",
    PaymentStatus.VOIDED: "Voided: nothing was charged",
    PaymentStatus.REFUNDED: "Refunded",
}
CANCELLING_TEXT = "We're cancelling your order…"
LOST_ORDER = (
    "We can't find this order. It was placed from this browser, but the shop has no record of "
    "it: the shop may have been reset since. Nothing was reserved or charged."
)


@dataclass(frozen=True)
class ItemView:
    name: str
    product_id: str
    quantity: int
    unit_price: Decimal | None  # None: recorded before orders carried prices
    line_total: Decimal | None

    def as_json(self) -> dict[str, object]:
        return {
            "name": self.name,
            "productID": self.product_id,
            "quantity": self.quantity,
            "unitPrice": _text(self.unit_price),
            "lineTotal": _text(self.line_total),
        }


@dataclass(frozen=True)
class OrderView:
    order: Order
    items: list[ItemView]
    mine: bool  # placed from this browser: its address is shown and it may be cancelled
    cancelling: bool = False  # cancel asked from this browser; the worker has not yet applied it

    @property
    def order_id(self) -> str:
        return self.order.orderID

    @property
    def status(self) -> OrderStatus:
        return self.order.status

    @property
    def reason(self) -> str | None:
        return self.order.reason

    @property
    def cancelling_now(self) -> bool:
        return self.cancelling and self.status is OrderStatus.CONFIRMED

    @property
    def final(self) -> bool:
        """Nothing is on its way to change what the page shows (the page stops refreshing): a
        payment to capture, void or refund still is."""
        return (
            self.status is not OrderStatus.PENDING
            and not self.cancelling_now
            and next_step(self.order) is None
        )

    @property
    def payment(self) -> str:
        """The payment's status and the card, as the page says them ("" without a payment)."""
        payment = self.order.payment
        if payment is None:
            return ""
        card = payment.card
        on_card = f" · {card.brand.title()} ending {card.last4}" if card.last4 else ""
        return f"{PAYMENT_TEXT[payment.status]}{on_card}"

    @property
    def text(self) -> str:
        return CANCELLING_TEXT if self.cancelling_now else STATUS_TEXT[self.status]

    @property
    def cancellable(self) -> bool:
        return self.mine and can(self.order, Action.CANCEL) and not self.cancelling_now

    @property
    def returnable(self) -> bool:
        """A rejected order's items can go back in the cart, at today's prices."""
        return self.mine and self.status is OrderStatus.REJECTED and bool(self.items)

    @property
    def address(self) -> Address | None:
        return self.order.shippingAddress if self.mine else None

    @property
    def country(self) -> str:
        address = self.order.shippingAddress
        return COUNTRIES.get(address.country, address.country) if address else ""

    @property
    def customer_name(self) -> str:
        return self.order.customer.name if self.mine and self.order.customer else ""

    @property
    def timeline(self) -> tuple[StatusChange, ...]:
        return self.order.timeline

    @property
    def item_count(self) -> int:
        return sum(item.quantity for item in self.items)

    def as_json(self) -> dict[str, object]:
        order = self.order
        return {
            "orderID": order.orderID,
            "status": order.status.value,
            "payment": order.payment.status.value if order.payment else None,
            "final": self.final,
            "text": self.text,
            "reason": order.reason,
            "items": [item.as_json() for item in self.items],
            "currency": order.currency,
            "subtotal": _text(order.subtotal),
            "shipping": _text(order.shipping),
            "total": _text(order.total),
        }


def view_of(
    order: Order, products: dict[str, Product], *, mine: bool, cancelling: bool = False
) -> OrderView:
    """`products`: the catalog's, for the names of lines recorded without one."""
    currency = CURRENCIES.get(order.currency or "")
    items = []
    for line in order.items:
        known = products.get(line.productID)
        name = line.name or (known.name if known else line.productID)
        total = line.total(currency) if currency else None
        items.append(ItemView(name, line.productID, line.quantity, line.unitPrice, total))
    return OrderView(order, items, mine=mine, cancelling=cancelling)


def _text(amount: Decimal | None) -> str | None:
    return None if amount is None else amount_text(amount)
