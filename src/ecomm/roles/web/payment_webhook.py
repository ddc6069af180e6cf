"""`POST /payments/stripe/webhook`: what Stripe reports of a payment, handed to the order worker.

Here because web is the one role the internet reaches (order and lookup answer only inside the
cluster). This view never writes the Orders table: it checks the signature, then publishes
PaymentReported, which the order worker applies with the same conditional writes as its own
steps, so a delivery repeated (or a payment it already recorded) changes nothing. The answer is
2xx once SNS has taken the event; anything else makes Stripe deliver again later.
"""

from __future__ import annotations

import structlog
from aiohttp import web

from ecomm.core.adapters.publisher import PublishFailed
from ecomm.core.adapters.stripe_webhooks import WebhookRefused, read_event
from ecomm.core.contracts.events import Envelope, EventType, PaymentReportedData
from ecomm.core.runtime.http import request_id_of
from ecomm.roles.web.keys import publisher_key

log = structlog.get_logger(__name__)

PATH = "/payments/stripe/webhook"
webhook_secret_key: web.AppKey[str | None] = web.AppKey("stripe_webhook_secret")


async def stripe_webhook(request: web.Request) -> web.Response:
    secret = request.app[webhook_secret_key]
    if secret is None:
        return web.json_response({"error": "no webhook is configured here"}, status=404)
    payload = await request.read()  # bounded by the app's client_max_size
    try:
        reported = read_event(payload, request.headers.get("Stripe-Signature"), secret)
    except WebhookRefused as refused:
        log.warning("webhook_refused", error=str(refused))
        return web.json_response({"error": str(refused)}, status=400)
    if reported is None:
        return web.json_response({"received": True, "recorded": False})
    data = PaymentReportedData(
        orderID=reported.order_id,
        provider="stripe",
        paymentID=reported.payment_id,
        captured=reported.captured,
        eventID=reported.event_id,
    )
    try:
        event = Envelope.wrap(EventType.PAYMENT_REPORTED, data, request_id_of(request))
        await request.app[publisher_key].publish(event)
    except PublishFailed as exc:
        log.warning("payment_report_not_published", error=str(exc))
        return web.json_response({"error": "try again later"}, status=503)
    log.info("payment_reported", order_id=reported.order_id, captured=reported.captured)
    return web.json_response({"received": True, "recorded": True})
