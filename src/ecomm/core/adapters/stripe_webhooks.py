"""Stripe's webhooks, read: the signature checked, then what the event says of a payment.

Stripe signs each delivery with the endpoint's secret (`Stripe-Signature: t=<time>,v1=<hmac>`);
one that does not verify, or is older than five minutes (a replay), is refused before its body
is read. Of the events, two matter to an order (the endpoint subscribes to those only):

    payment_intent.succeeded       the money was captured (by the worker, or out of band)
    payment_intent.payment_failed  a payment attempt failed

Each names its order in the intent's metadata (`orderID`, set when it was authorized).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

import stripe

from ecomm.core.contracts.boundedjson import UnreadableJson, bounded_loads
from ecomm.core.contracts.identifiers import is_order_id
from ecomm.core.domain.errors import DomainError

REPORTED = frozenset({"payment_intent.succeeded", "payment_intent.payment_failed"})
TOLERANCE_SECONDS = 300
_MAX_DEPTH = 32
_PAYMENT_ID = re.compile(r"[A-Za-z0-9_]{1,255}")


class WebhookRefused(DomainError):
    """Not a delivery from Stripe (bad or stale signature), or not an event we can read."""


@dataclass(frozen=True)
class ReportedPayment:
    event_id: str
    order_id: str
    payment_id: str
    captured: bool


def read_event(payload: bytes, signature: str | None, secret: str) -> ReportedPayment | None:
    """The payment the event reports, or None for an event about no order of ours."""
    try:
        # Decoded here: the library would decode it itself, and raise on bytes that are not
        # UTF-8 where a refusal is due.
        text = payload.decode()
    except UnicodeDecodeError as exc:
        raise WebhookRefused("the event is not UTF-8 text") from exc
    try:
        stripe.WebhookSignature.verify_header(text, signature, secret, TOLERANCE_SECONDS)
    except stripe.SignatureVerificationError as exc:
        raise WebhookRefused("the signature does not verify") from exc
    try:
        event = bounded_loads(text, max_chars=len(text), max_depth=_MAX_DEPTH)
    except UnreadableJson as exc:
        raise WebhookRefused("the event is not JSON") from exc
    if not isinstance(event, dict) or event.get("type") not in REPORTED:
        return None
    intent = _dict(_dict(event.get("data")).get("object"))
    order_id = _dict(intent.get("metadata")).get("orderID")
    payment_id = intent.get("id")
    if (
        not isinstance(order_id, str)
        or not is_order_id(order_id)
        or not isinstance(payment_id, str)
        or not _PAYMENT_ID.fullmatch(payment_id)
    ):
        return None
    return ReportedPayment(
        event_id=str(event.get("id", ""))[:255],
        order_id=str(order_id),
        payment_id=str(payment_id),
        captured=event["type"] == "payment_intent.succeeded"
        and intent.get("status") == "succeeded",
    )


def _dict(value: Any) -> dict[str, Any]:
    return value if isinstance(value, dict) else {}
