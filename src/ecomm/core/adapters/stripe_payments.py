"""The payment port on Stripe's PaymentIntents, through the official `stripe` package (async).

    authorize  POST /v1/payment_intents  capture_method=manual, confirm=true, the card the
               page's script set up (a PaymentMethod), metadata.orderID     key order-<id>-authorize
    capture    POST /v1/payment_intents/<id>/capture                         key order-<id>-capture
    void       POST /v1/payment_intents/<id>/cancel                          key order-<id>-void
    refund     GET  /v1/payment_intents/<id> (its charge), then
               POST /v1/refunds  payment_intent=<id>, what is left to refund  key order-<id>-refund

Stripe replays a key's first answer for 24 hours. Past that, or with a server that ignores keys
(localstripe does), a step sent again meets the intent's state machine: a capture or a void
that Stripe refuses as "unexpected state" is resolved by reading the intent (already captured,
already cancelled), and a refund first reads what is left to refund, so no path here captures
after a void, refunds an uncaptured authorization or refunds more than was captured, whatever
the server enforces. Every call is reported to `telemetry.payment` by outcome, with its time.
"""

from __future__ import annotations

import time
from typing import Any

import stripe

from ecomm.core.adapters.telemetry import Telemetry
from ecomm.core.domain.payments import (
    DECLINED,
    NOT_CONFIRMED,
    AlreadyCaptured,
    Authorization,
    AuthorizationState,
    CaptureFailed,
    Card,
    Charge,
    Payment,
    PaymentDeclined,
    PaymentUnavailable,
    RefundRefused,
    Step,
    idempotency_key,
)

Intent = dict[str, Any]
# A card the shopper pays with now, confirmed by the page's script (with its bank if it asks).
_SETUP: dict[str, Any] = {"payment_method_types": ["card"], "usage": "on_session"}


class StripePayments:
    """`PaymentProvider` on a `stripe.StripeClient` (whose HTTP client its owner closes)."""

    name = "stripe"

    def __init__(self, client: stripe.StripeClient, telemetry: Telemetry) -> None:
        self._intents = client.v1.payment_intents
        self._refunds = client.v1.refunds
        self._setups = client.v1.setup_intents
        self._telemetry = telemetry

    async def card_setup(self) -> str:
        """A SetupIntent's client secret: the page's script confirms the card on it (and its
        bank's 3-D Secure prompt, if any) and sends back the PaymentMethod's id."""
        started = time.monotonic()
        try:
            setup = await self._setups.create_async(_SETUP)  # type: ignore[arg-type]
        except stripe.StripeError as exc:
            self._report("setup_failed", started)
            raise PaymentUnavailable(_describe(exc)) from exc
        self._report("setup", started)
        return str(setup.client_secret)

    async def authorize(self, charge: Charge) -> Authorization:
        started = time.monotonic()
        params: dict[str, Any] = {
            "amount": charge.amount,
            "currency": charge.currency.lower(),
            "payment_method": charge.payment_method,
            # Cards only: no redirect-based method can need a return URL.
            "payment_method_types": ["card"],
            "capture_method": "manual",
            "confirm": True,
            "metadata": {"orderID": charge.order_id},
            "expand": ["payment_method"],
        }
        key = idempotency_key(charge.order_id, Step.AUTHORIZE)
        try:
            intent = await self._intents.create_async(params, {"idempotency_key": key})  # type: ignore[arg-type]
        except (stripe.CardError, stripe.InvalidRequestError, stripe.IdempotencyError) as exc:
            # A refused card, or a card id that is not a usable card (a forged form).
            self._report("declined", started)
            raise PaymentDeclined(DECLINED) from exc
        except stripe.StripeError as exc:
            self._report("error", started)
            raise PaymentUnavailable(_describe(exc)) from exc
        return self._authorization(intent.to_dict(), started)

    async def authorization(self, payment_id: str, charge: Charge) -> Authorization:
        started = time.monotonic()
        try:
            intent = await self._intents.retrieve_async(payment_id, {"expand": ["payment_method"]})
        except stripe.InvalidRequestError as exc:
            self._report("declined", started)
            raise PaymentDeclined(NOT_CONFIRMED) from exc
        except stripe.StripeError as exc:
            self._report("error", started)
            raise PaymentUnavailable(_describe(exc)) from exc
        found = intent.to_dict()
        # The browser named this intent: it pays for this order, this amount, or not at all.
        if (
            found.get("metadata", {}).get("orderID") != charge.order_id
            or found.get("amount") != charge.amount
            or str(found.get("currency", "")).upper() != charge.currency
        ):
            self._report("declined", started)
            raise PaymentDeclined(NOT_CONFIRMED)
        return self._authorization(found, started)

    def _authorization(self, intent: Intent, started: float) -> Authorization:
        status = intent.get("status")
        if status == "requires_capture":
            state = AuthorizationState.AUTHORIZED
        elif status == "requires_action":
            state = AuthorizationState.NEEDS_ACTION
        else:  # requires_payment_method: declined, or the bank's confirmation failed
            self._report("declined", started)
            raise PaymentDeclined(NOT_CONFIRMED if intent.get("last_payment_error") else DECLINED)
        self._report(state.value, started)
        return Authorization(
            payment_id=str(intent["id"]),
            state=state,
            amount=int(intent["amount"]),
            currency=str(intent["currency"]).upper(),
            card=_card(intent.get("payment_method")),
            client_secret=str(intent.get("client_secret") or "")
            if state is AuthorizationState.NEEDS_ACTION
            else "",
        )

    async def capture(self, payment: Payment, order_id: str) -> None:
        started = time.monotonic()
        key = idempotency_key(order_id, Step.CAPTURE)
        try:
            intent = (
                await self._intents.capture_async(payment.id, {}, {"idempotency_key": key})
            ).to_dict()
        except stripe.InvalidRequestError:
            intent = await self._read(payment.id, started)
        except stripe.StripeError as exc:
            self._report("capture_error", started)
            raise PaymentUnavailable(_describe(exc)) from exc
        if intent.get("status") == "succeeded":
            self._report("captured", started)
            return
        if intent.get("status") == "requires_capture":  # refused for a reason of the moment
            self._report("capture_error", started)
            raise PaymentUnavailable(f"capture of {payment.id} refused; still capturable")
        self._report("capture_failed", started)
        raise CaptureFailed(f"{payment.id} is {intent.get('status')}: nothing to capture")

    async def void(self, payment: Payment, order_id: str) -> None:
        started = time.monotonic()
        key = idempotency_key(order_id, Step.VOID)
        try:
            intent = (
                await self._intents.cancel_async(payment.id, {}, {"idempotency_key": key})
            ).to_dict()
        except stripe.InvalidRequestError:
            intent = await self._read(payment.id, started)
        except stripe.StripeError as exc:
            self._report("void_error", started)
            raise PaymentUnavailable(_describe(exc)) from exc
        if intent.get("status") == "canceled":
            self._report("voided", started)
            return
        if intent.get("status") == "succeeded":
            self._report("void_after_capture", started)
            raise AlreadyCaptured(f"{payment.id} was captured: refund it instead")
        self._report("void_error", started)
        raise PaymentUnavailable(f"void of {payment.id} refused while {intent.get('status')}")

    async def refund(self, payment: Payment, order_id: str) -> None:
        started = time.monotonic()
        intent = await self._read(payment.id, started, expand=["latest_charge"])
        left = _refundable(intent)
        if intent.get("status") != "succeeded":
            self._report("refund_refused", started)
            raise RefundRefused(f"{payment.id} is {intent.get('status')}: nothing was captured")
        if left <= 0:  # refunded already: a step taken again after its key expired
            self._report("refunded", started)
            return
        key = idempotency_key(order_id, Step.REFUND)
        params = {"payment_intent": payment.id, "amount": min(left, payment.amount)}
        try:
            await self._refunds.create_async(params, {"idempotency_key": key})  # type: ignore[arg-type]
        except stripe.StripeError as exc:
            self._report("refund_error", started)
            raise PaymentUnavailable(_describe(exc)) from exc
        self._report("refunded", started)

    async def _read(
        self, payment_id: str, started: float, expand: list[str] | None = None
    ) -> Intent:
        try:
            intent = await self._intents.retrieve_async(payment_id, {"expand": expand or []})
        except stripe.StripeError as exc:
            self._report("error", started)
            raise PaymentUnavailable(_describe(exc)) from exc
        return intent.to_dict()

    def _report(self, outcome: str, started: float) -> None:
        self._telemetry.payment(self.name, outcome, time.monotonic() - started)


def _card(method: object) -> Card:
    """Brand and last four digits of an expanded PaymentMethod; nothing else of the card."""
    if not isinstance(method, dict):
        return Card()
    card = method.get("card") or {}
    return Card(str(card.get("brand") or "")[:20], str(card.get("last4") or "")[:4])


def _refundable(intent: Intent) -> int:
    charge = intent.get("latest_charge")
    if not isinstance(charge, dict):
        return 0
    captured = charge.get("amount_captured")
    if captured is None:  # an older answer: the whole amount, once captured
        captured = charge.get("amount", 0) if charge.get("captured") else 0
    return int(captured) - int(charge.get("amount_refunded") or 0)


def _describe(exc: stripe.StripeError) -> str:
    return f"stripe {type(exc).__name__} {exc.http_status or ''}: {exc.user_message or ''}"[:300]
