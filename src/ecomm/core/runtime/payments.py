"""The payment provider a process uses, opened once: Stripe's client on aiohttp, or none.

    ECOMM_PAYMENTS=none (or no secret key)  ─> None: orders are placed without payment
    ECOMM_PAYMENTS=stripe                   ─> StripePayments on ECOMM_STRIPE_API_BASE (unset:
                                               api.stripe.com; locally, localstripe)

Opening makes no call; the HTTP client's connections are closed when the block ends.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

import stripe

from ecomm.core.adapters.stripe_payments import StripePayments
from ecomm.core.adapters.telemetry import Telemetry
from ecomm.core.domain.payments import PaymentProvider
from ecomm.core.runtime.settings import PaymentsMode, Settings

# Network failures and 409/429/5xx answers, retried by the library with the request's own
# idempotency key (every step has one), before the step is left to the queue's redelivery.
NETWORK_RETRIES = 2


@asynccontextmanager
async def open_payments(
    settings: Settings, telemetry: Telemetry
) -> AsyncIterator[PaymentProvider | None]:
    if settings.payment_provider is PaymentsMode.NONE or settings.stripe_secret_key is None:
        yield None
        return
    http = stripe.AIOHTTPClient(timeout=settings.payment_timeout)
    base = {"api": settings.stripe_api_base} if settings.stripe_api_base else None
    client = stripe.StripeClient(
        settings.stripe_secret_key.get_secret_value(),
        base_addresses=base,  # type: ignore[arg-type]
        http_client=http,
        max_network_retries=NETWORK_RETRIES,
    )
    try:
        yield StripePayments(client, telemetry)
    finally:
        await http.close_async()  # type: ignore[no-untyped-call]  # untyped in stripe 16
