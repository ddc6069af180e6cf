"""localstripe for tests, the way moto is: its own process on 127.0.0.1, and test cards on it."""

from __future__ import annotations

import stripe

from ecomm.core.runtime.settings import PaymentsMode
from ecomm.emulator.local_stripe import SECRET_KEY, LocalStripe

# Stripe's documented test cards (https://docs.stripe.com/testing).
PAYS = "4242424242424242"
DECLINES = "4000000000000341"  # attaches to a customer, then every charge is declined


def paying_settings(stripe_server: LocalStripe, **overrides: object) -> dict[str, object]:
    """The settings a role pays through `stripe_server` with."""
    return {
        "payments": PaymentsMode.STRIPE,
        "stripe_api_base": stripe_server.url,
        "stripe_secret_key": SECRET_KEY,
        **overrides,
    }


async def card_method(stripe_server: LocalStripe, number: str) -> str:
    """A PaymentMethod for a test card, as Stripe.js makes one from the card element."""
    http = stripe.AIOHTTPClient()
    client = stripe.StripeClient(
        SECRET_KEY,
        base_addresses={"api": stripe_server.url},  # type: ignore[typeddict-item]
        http_client=http,
    )
    try:
        card = {"number": number, "exp_month": 12, "exp_year": 2040, "cvc": "123"}
        method = await client.v1.payment_methods.create_async({"type": "card", "card": card})  # type: ignore[typeddict-item]
    finally:
        await http.close_async()  # type: ignore[no-untyped-call]
    return str(method.id)
