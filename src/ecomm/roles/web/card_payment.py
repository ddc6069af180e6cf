"""Card payment at checkout: the card form's settings, the card setup call, the authorization.

    checkout page ─ Stripe.js card element (the card never reaches this server)
    Pay ─> POST /checkout/card ─> a SetupIntent's secret ─> stripe.confirmCardSetup (its bank's
           3-D Secure prompt, if any) ─> the form, with the PaymentMethod's id ─> POST /checkout
    POST /checkout ─> authorize the priced cart's total (minor units, computed here) ─┬> OrderPlaced
                                                     the bank asks to confirm (3-D Secure) ─┤
           the page again, with the intent's secret ─> stripe.confirmCardPayment ─> POST /checkout
           with the intent's id ─> the authorization read back: this order's, this total ─┘

A declined card, or a confirmation that failed, places nothing: the page says so, the cart is
kept, and the form gets a new order id (the old one's authorization key is spent). Only the
script talks to Stripe from the browser; both calls it makes (`confirmCardSetup`,
`confirmCardPayment` with a secret only) are the same on Stripe.js and on localstripe's.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from urllib.parse import urlsplit

from aiohttp import web

from ecomm.core.contracts.events import PaymentData
from ecomm.core.domain.payments import (
    DECLINED,
    Authorization,
    AuthorizationState,
    Charge,
    PaymentDeclined,
    PaymentProvider,
    PaymentUnavailable,
)
from ecomm.core.runtime.settings import STRIPE_API, Settings
from ecomm.roles.web.forms import Form
from ecomm.roles.web.keys import cookies_key
from ecomm.roles.web.priced_cart import PricedCart
from ecomm.roles.web.rate_limit import CheckoutLimit, TokenBuckets, retry_after_seconds

_METHOD = re.compile(r"(pm|card|src)_[A-Za-z0-9_]{1,200}")  # pm_card_visa: a test card
_INTENT = re.compile(r"pi_[A-Za-z0-9]{1,200}")

NO_CARD = "Please enter your card details: card payment needs JavaScript turned on."
PROVIDER_DOWN = (
    "We couldn't reach our payment provider just now. Nothing was charged and your cart is "
    "saved; please try again in a moment."
)
CONFIRM_WITH_BANK = "Your bank asks you to confirm this payment."


@dataclass(frozen=True)
class CardPayments:
    """What the checkout needs to take cards: the provider, and what the page's script loads."""

    provider: PaymentProvider
    publishable_key: str
    js_url: str
    setups: CheckoutLimit  # card setups per client, as many as checkout attempts

    @classmethod
    def of(cls, settings: Settings, provider: PaymentProvider) -> CardPayments:
        limit = CheckoutLimit(
            TokenBuckets(settings.checkout_rate_per_minute / 60, settings.checkout_burst),
            settings.trusted_proxy_hops,
        )
        return cls(provider, settings.stripe_publishable_key, settings.stripe_js_url, limit)


def stripe_origins(settings: Settings) -> tuple[str, ...]:
    """The origins the checkout page's Stripe.js loads from and talks to, for the CSP: Stripe's
    own (its script, API, and 3-D Secure frames), or the local API's."""
    if settings.stripe_api_base is None:
        return ("https://js.stripe.com", STRIPE_API, "https://hooks.stripe.com")
    parts = urlsplit(settings.stripe_api_base)
    return (f"{parts.scheme}://{parts.netloc}",)


@dataclass(frozen=True)
class Attempt:
    """What POST /checkout made of the card: an authorization, or why there is none."""

    payment: PaymentData | None = None
    needs_confirmation: Authorization | None = None
    error: str | None = None
    status: int = 200
    fresh_id: bool = False  # the order id's authorization is spent: offer a new one


async def authorize(payments: CardPayments, order_id: str, cart: PricedCart, form: Form) -> Attempt:
    """Authorize the cart's total on the card the form names (or read back the authorization
    the shopper just confirmed with their bank)."""
    currency = cart.pricing.currency
    method, intent = form.get("payment_method", ""), form.get("payment_intent", "")
    charge = Charge(order_id, currency.to_minor(cart.totals.total), currency.code, method)
    provider = payments.provider
    try:
        if intent:
            if not _INTENT.fullmatch(intent):
                raise PaymentDeclined(DECLINED)
            auth = await provider.authorization(intent, charge)
        elif _METHOD.fullmatch(method):
            auth = await provider.authorize(charge)
        else:
            return Attempt(error=NO_CARD, status=400)
    except PaymentDeclined as declined:
        return Attempt(error=declined.message, status=402, fresh_id=True)
    except PaymentUnavailable:
        return Attempt(error=PROVIDER_DOWN, status=503)
    if auth.state is AuthorizationState.NEEDS_ACTION:
        return Attempt(needs_confirmation=auth, error=CONFIRM_WITH_BANK)
    return Attempt(
        payment=PaymentData(
            provider=provider.name,
            id=auth.payment_id,
            amount=auth.amount,
            currency=auth.currency,
            brand=auth.card.brand,
            last4=auth.card.last4,
        )
    )


payments_key: web.AppKey[CardPayments | None] = web.AppKey("payments")


async def card_setup(request: web.Request) -> web.Response:
    """`POST /checkout/card` (the page's script, with the form's CSRF token): a secret to
    confirm the card with. JSON, as only the script asks."""
    payments = request.app[payments_key]
    if payments is None:
        raise web.HTTPNotFound(text="This shop takes no card payments.")
    if not request.app[cookies_key].cart_of(request).lines:
        return web.json_response({"error": "Your cart is empty."}, status=409)
    wait = payments.setups.wait(request)
    if wait:
        return web.json_response(
            {"error": "Too many attempts in a short time. Please wait a moment."},
            status=429,
            headers={"Retry-After": retry_after_seconds(wait)},
        )
    try:
        secret = await payments.provider.card_setup()
    except PaymentUnavailable:
        return web.json_response({"error": PROVIDER_DOWN}, status=503)
    return web.json_response({"clientSecret": secret}, headers={"Cache-Control": "no-store"})
