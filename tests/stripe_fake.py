"""A fake Stripe API that keeps the rules Stripe documents and localstripe does not.

Served over HTTP on 127.0.0.1, so the real adapter (`StripePayments`, on the official `stripe`
package) runs against it unchanged. What it holds to, from Stripe's API reference:

- Idempotency: the first answer to a key (status and body, errors included) is saved and
  replayed for every later request with that key; the same key with other parameters is a 400
  `idempotency_error`. Keys are forgotten after 24 hours: `forget_keys()` is that day passing.
- PaymentIntent states: create+confirm with capture_method=manual -> `requires_capture` (or
  `requires_action` for a card whose bank asks, or a 402 `card_declined`); capture only from
  `requires_capture` -> `succeeded`; cancel (void) from anything but `succeeded`/`canceled`;
  otherwise a 400 `payment_intent_unexpected_state`. `expire()` is an authorization's seven
  days passing: Stripe cancels it.
- Refunds: only of a captured (`succeeded`) intent, never more than is left of what was
  captured (400 `charge_already_refunded` / `amount_too_large`).

`moves` counts what moved money, per intent: the captures, voids and refunds that took effect
(a replay moves nothing), which is what the tests hold to "exactly once".
"""

from __future__ import annotations

import secrets
from collections import Counter
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import parse_qsl

from aiohttp import web

# Stripe's test PaymentMethods (https://docs.stripe.com/testing), as far as these tests use them.
VISA = "pm_card_visa"
DECLINED = "pm_card_chargeCustomerFail"  # attaches, then its charge is declined
NEEDS_3DS = "pm_card_authenticationRequired"


@dataclass
class Intent:
    id: str
    amount: int
    currency: str
    payment_method: str
    metadata: dict[str, str]
    status: str
    captured: int = 0
    refunded: int = 0

    def json(self, expand: list[str]) -> dict[str, Any]:
        body: dict[str, Any] = {
            "id": self.id,
            "object": "payment_intent",
            "amount": self.amount,
            "currency": self.currency,
            "status": self.status,
            "metadata": self.metadata,
            "client_secret": f"{self.id}_secret_fake",
            "capture_method": "manual",
            "payment_method": self.payment_method,
            "latest_charge": f"ch_{self.id}",
        }
        if "payment_method" in expand:
            body["payment_method"] = {
                "id": self.payment_method,
                "object": "payment_method",
                "card": {"brand": "visa", "last4": "4242", "exp_year": 2030},
            }
        if "latest_charge" in expand:
            body["latest_charge"] = {
                "id": f"ch_{self.id}",
                "object": "charge",
                "amount": self.amount,
                "amount_captured": self.captured,
                "amount_refunded": self.refunded,
                "captured": self.captured > 0,
            }
        return body


def _error(status: int, kind: str, code: str, message: str) -> web.Response:
    body = {"error": {"type": kind, "code": code, "message": message}}
    return web.json_response(body, status=status)


def _unexpected(intent: Intent, action: str) -> web.Response:
    return _error(
        400,
        "invalid_request_error",
        "payment_intent_unexpected_state",
        f"You cannot {action} this PaymentIntent because it has a status of {intent.status}.",
    )


@dataclass
class FakeStripe:
    intents: dict[str, Intent] = field(default_factory=dict)
    moves: Counter[tuple[str, str]] = field(default_factory=Counter)  # (intent, step) -> count
    calls: Counter[str] = field(default_factory=Counter)  # "POST /v1/..." -> count
    _keys: dict[str, tuple[str, int, str]] = field(default_factory=dict)

    def app(self) -> web.Application:
        app = web.Application(middlewares=[self._idempotency])
        app.router.add_post("/v1/setup_intents", self._setup)
        app.router.add_post("/v1/payment_intents", self._create)
        app.router.add_get("/v1/payment_intents/{id}", self._retrieve)
        app.router.add_post("/v1/payment_intents/{id}/capture", self._capture)
        app.router.add_post("/v1/payment_intents/{id}/cancel", self._cancel)
        app.router.add_post("/v1/refunds", self._refund)
        return app

    def forget_keys(self) -> None:
        self._keys.clear()

    def expire(self, intent_id: str) -> None:
        self.intents[intent_id].status = "canceled"

    def count(self, step: str) -> int:
        return sum(n for (_, s), n in self.moves.items() if s == step)

    @web.middleware
    async def _idempotency(self, request: web.Request, handler: Any) -> web.StreamResponse:
        if not request.headers.get("Authorization", "").startswith("Bearer sk_"):
            return _error(401, "invalid_request_error", "api_key_invalid", "Invalid API Key")
        self.calls[f"{request.method} {request.path}"] += 1
        key = request.headers.get("Idempotency-Key")
        body = (await request.read()).decode()
        if request.method != "POST" or key is None:
            answer: web.Response = await handler(request)
            return answer
        fingerprint = f"{request.path}?{body}"
        if key in self._keys:
            first_params, status, text = self._keys[key]
            if first_params != fingerprint:
                return _error(
                    400,
                    "idempotency_error",
                    "idempotency_key_in_use",
                    "Keys for idempotent requests can only be used with the same parameters.",
                )
            return web.Response(
                text=text,
                status=status,
                content_type="application/json",
                headers={"Idempotent-Replayed": "true"},
            )
        answer = await handler(request)
        self._keys[key] = (fingerprint, answer.status, answer.text or "")
        return answer

    async def _form(self, request: web.Request) -> dict[str, str]:
        return dict(parse_qsl((await request.read()).decode(), keep_blank_values=True))

    async def _setup(self, request: web.Request) -> web.Response:
        seti = f"seti_{secrets.token_hex(8)}"
        return web.json_response({"id": seti, "client_secret": f"{seti}_secret_fake"})

    async def _create(self, request: web.Request) -> web.Response:
        form = await self._form(request)
        method = form.get("payment_method", "")
        if method not in (VISA, DECLINED, NEEDS_3DS) or form.get("capture_method") != "manual":
            return _error(400, "invalid_request_error", "resource_missing", "No such method")
        intent = Intent(
            id=f"pi_{secrets.token_hex(8)}",
            amount=int(form["amount"]),
            currency=form["currency"],
            payment_method=method,
            metadata={k[9:-1]: v for k, v in form.items() if k.startswith("metadata[")},
            status="requires_capture",
        )
        self.intents[intent.id] = intent
        if method == DECLINED:
            intent.status = "requires_payment_method"
            return _error(402, "card_error", "card_declined", "Your card was declined.")
        if method == NEEDS_3DS:
            intent.status = "requires_action"
        return web.json_response(intent.json(_expand(form)))

    def _intent(self, request: web.Request) -> Intent | None:
        return self.intents.get(request.match_info.get("id", ""))

    async def _retrieve(self, request: web.Request) -> web.Response:
        intent = self._intent(request)
        if intent is None:
            return _error(404, "invalid_request_error", "resource_missing", "No such intent")
        return web.json_response(intent.json(_expand(dict(request.query))))

    async def _capture(self, request: web.Request) -> web.Response:
        intent = self._intent(request)
        if intent is None:
            return _error(404, "invalid_request_error", "resource_missing", "No such intent")
        if intent.status != "requires_capture":
            return _unexpected(intent, "capture")
        intent.status, intent.captured = "succeeded", intent.amount
        self.moves[(intent.id, "capture")] += 1
        return web.json_response(intent.json([]))

    async def _cancel(self, request: web.Request) -> web.Response:
        intent = self._intent(request)
        if intent is None:
            return _error(404, "invalid_request_error", "resource_missing", "No such intent")
        if intent.status in ("succeeded", "canceled"):
            return _unexpected(intent, "cancel")
        intent.status = "canceled"
        self.moves[(intent.id, "void")] += 1
        return web.json_response(intent.json([]))

    async def _refund(self, request: web.Request) -> web.Response:
        form = await self._form(request)
        intent = self.intents.get(form.get("payment_intent", ""))
        if intent is None:
            return _error(404, "invalid_request_error", "resource_missing", "No such intent")
        if intent.status != "succeeded":
            return _unexpected(intent, "refund")
        left = intent.captured - intent.refunded
        amount = int(form.get("amount", left))
        if left <= 0:
            return _error(400, "invalid_request_error", "charge_already_refunded", "Refunded.")
        if amount > left:
            return _error(400, "invalid_request_error", "amount_too_large", "Too large.")
        intent.refunded += amount
        self.moves[(intent.id, "refund")] += 1
        return web.json_response({"id": f"re_{secrets.token_hex(8)}", "amount": amount})


def _expand(params: dict[str, str]) -> list[str]:
    return [v for k, v in params.items() if k.startswith("expand")]
