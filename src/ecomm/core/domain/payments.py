"""Paying for an order: the payment port, what a payment is, and the errors its steps name.

A card payment is taken in the two steps card networks are built for, so a shopper is never
charged for goods the shop could not reserve:

    authorize (checkout, web) ──> capture   (order worker, after the stock is reserved)
                              └─> void      (the order was rejected, or the capture failed)
    capture ──> refund                      (a paid order was cancelled)

Every step carries an idempotency key made of the order id and the step (`idempotency_key`), so
a step sent twice (a retry, a redelivered message) moves money at most once for as long as the
provider keeps its keys; past that, the order's record says which steps were taken
(`settlement.py` decides the next one from it). Amounts are integers of the currency's minor
unit, computed from the order's total, never taken from the browser.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum
from typing import Protocol

from ecomm.core.domain.errors import DomainError, TransientError


class PaymentStatus(StrEnum):
    AUTHORIZED = "authorized"  # the amount is held on the card, nothing taken yet
    PAID = "paid"  # captured: the money is taken
    VOIDED = "voided"  # the hold is released; nothing was ever taken
    REFUNDED = "refunded"  # taken, then given back in full


class Step(StrEnum):
    AUTHORIZE = "authorize"
    CAPTURE = "capture"
    VOID = "void"
    REFUND = "refund"


def idempotency_key(order_id: str, step: Step) -> str:
    """The key a step of one order's payment is sent with: the same on every retry."""
    return f"order-{order_id}-{step.value}"


@dataclass(frozen=True)
class Card:
    """What a page may show of the card: its brand and last four digits, nothing more."""

    brand: str = ""
    last4: str = ""


@dataclass(frozen=True)
class Payment:
    """One order's payment as its record keeps it."""

    provider: str  # "stripe"
    id: str  # the provider's id (a PaymentIntent's)
    status: PaymentStatus
    amount: int  # minor units of `currency`
    currency: str  # ISO 4217
    card: Card = Card()


@dataclass(frozen=True)
class Charge:
    """What to authorize: an order's total, in minor units, on the card the shopper gave."""

    order_id: str
    amount: int
    currency: str
    payment_method: str  # the provider's id of the card, from its browser script


class AuthorizationState(StrEnum):
    AUTHORIZED = "authorized"
    NEEDS_ACTION = "needs_action"  # the bank asks the shopper to confirm (3-D Secure)


@dataclass(frozen=True)
class Authorization:
    payment_id: str
    state: AuthorizationState
    amount: int
    currency: str
    card: Card = Card()
    # For the page's script, while the bank asks the shopper to confirm; never stored.
    client_secret: str = ""

    def payment(self, provider: str) -> Payment:
        return Payment(
            provider,
            self.payment_id,
            PaymentStatus.AUTHORIZED,
            self.amount,
            self.currency,
            self.card,
        )


class PaymentProvider(Protocol):
    """The port: one provider's four steps (and the look a 3-D Secure confirmation needs)."""

    name: str

    async def card_setup(self) -> str:
        """A secret with which the page's script confirms a card (a SetupIntent's, on Stripe)."""
        ...

    async def authorize(self, charge: Charge) -> Authorization:
        """Hold `charge.amount` on the card; `PaymentDeclined` when the card is refused."""
        ...

    async def authorization(self, payment_id: str, charge: Charge) -> Authorization:
        """The authorization `payment_id`, once the shopper confirmed it with their bank;
        `PaymentDeclined` when it is not a held authorization of exactly `charge`."""
        ...

    async def capture(self, payment: Payment, order_id: str) -> None:
        """Take the held amount; `CaptureFailed` when the hold is gone (expired, voided)."""
        ...

    async def void(self, payment: Payment, order_id: str) -> None:
        """Release the hold; `AlreadyCaptured` when the money was taken meanwhile."""
        ...

    async def refund(self, payment: Payment, order_id: str) -> None:
        """Give back what is left of the captured amount (nothing, when it was refunded
        already); `RefundRefused` when nothing was captured."""
        ...


class PaymentDeclined(DomainError):
    """The card was refused, or its bank's confirmation failed: no authorization, no order."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


class CaptureFailed(DomainError):
    """The authorization can no longer be captured (it expired or was voided): nothing taken."""


class AlreadyCaptured(DomainError):
    """A void came after the money was taken: it has to be refunded instead."""


class RefundRefused(DomainError):
    """A refund the provider's state machine refuses: nothing was captured to give back."""


class PaymentUnavailable(TransientError):
    """The provider could not be reached or answered with an error of its own: try again."""


DECLINED = "Your card was declined. Nothing was charged; please try another card."
NOT_CONFIRMED = (
    "Your bank did not confirm this payment. Nothing was charged; please try again or use "
    "another card."
)
