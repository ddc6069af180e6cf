"""Checkout with card payments, on the fake Stripe (tests/stripe_fake.py): the page, the
authorization of the total web computed, a decline that places nothing, and the webhook."""

from __future__ import annotations

import json
import time
from collections.abc import AsyncIterator
from typing import Any

import pytest
import stripe
from aiohttp.test_utils import TestClient, TestServer

from ecomm.core.contracts.events import EventType, OrderPlacedData, PaymentReportedData
from ecomm.core.domain.payments import DECLINED
from ecomm.roles.web.app import WebDeps, create_app
from ecomm.roles.web.card_payment import NO_CARD
from tests.integration.web.storefront_fakes import FakePublisher
from tests.integration.web.web_forms import ADA, hidden_fields, make_settings, post_form
from tests.payments import on_fake_stripe
from tests.stripe_fake import DECLINED as DECLINED_CARD
from tests.stripe_fake import VISA, FakeStripe

Client = TestClient[Any, Any]
HOOK_SECRET = "whsec_test_only"  # noqa: S105 - a test's
TOTAL_CENTS = 6297  # the cart below: $26.99 x 2 + $8.99, shipping free from $50


@pytest.fixture
def fake_stripe() -> FakeStripe:
    return FakeStripe()


@pytest.fixture
async def card_client(
    lookup_url: str, order_url: str, publisher: FakePublisher, fake_stripe: FakeStripe
) -> AsyncIterator[Client]:
    async with on_fake_stripe(fake_stripe) as payments:
        api_base = payments._intents._requestor.base_addresses["api"]  # type: ignore[attr-defined]
        settings = make_settings(
            lookup_url=lookup_url,
            order_url=order_url,
            payments="stripe",
            stripe_secret_key="sk_test_fake",  # noqa: S106 - a fake's
            stripe_publishable_key="pk_test_fake",
            stripe_api_base=api_base,
            stripe_webhook_secret=HOOK_SECRET,
        )
        app = create_app(settings, WebDeps(publisher=publisher, payments=payments))
        async with TestClient(TestServer(app, host="127.0.0.1")) as client:
            await post_form(client, "/cart/items", {"product_id": "p007", "quantity": "2"})
            await post_form(client, "/cart/items", {"product_id": "p001", "quantity": "1"})
            client.app_api_base = api_base  # type: ignore[attr-defined]
            yield client


def _placed(publisher: FakePublisher) -> list[OrderPlacedData]:
    found = [e.payload() for e in publisher.published if e.type is EventType.ORDER_PLACED]
    return [p for p in found if isinstance(p, OrderPlacedData)]


async def test_the_checkout_page_loads_stripe_js_from_the_configured_origin_only(
    card_client: Client,
) -> None:
    response = await card_client.get("/checkout")
    html = await response.text()
    origin = card_client.app_api_base  # type: ignore[attr-defined]
    assert f'<script src="{origin}/js.stripe.com/v3/" defer></script>' in html
    assert '<script src="/static/checkout.js" defer></script>' in html
    assert "Card payment needs JavaScript" in html  # until the script hides it
    policy = dict(
        part.strip().split(" ", 1)
        for part in response.headers["Content-Security-Policy"].split(";")
    )
    assert policy["script-src"] == f"'self' {origin}"
    assert policy["connect-src"] == f"'self' {origin}"
    assert "unsafe-inline" not in response.headers["Content-Security-Policy"]
    script = await card_client.get("/static/checkout.js")
    assert script.status == 200


async def test_a_declined_card_places_no_order_and_keeps_the_cart(
    card_client: Client, publisher: FakePublisher, fake_stripe: FakeStripe
) -> None:
    before = (await hidden_fields(card_client, "/checkout"))["order_id"]
    response = await post_form(card_client, "/checkout", {**ADA, "payment_method": DECLINED_CARD})
    assert response.status == 402
    html = (await response.text()).replace("&#39;", "'")
    assert DECLINED in html
    assert _placed(publisher) == []
    # Stripe keeps the declined attempt; nothing is held on the card.
    assert [i.status for i in fake_stripe.intents.values()] == ["requires_payment_method"]
    assert "Desk Lamp" in await (await card_client.get("/cart")).text()
    assert (await hidden_fields(card_client, "/checkout"))["order_id"] != before


async def test_the_authorization_is_the_total_web_computed_not_the_browsers(
    card_client: Client, publisher: FakePublisher, fake_stripe: FakeStripe
) -> None:
    form = {**ADA, "payment_method": VISA, "amount": "1", "total": "0.01"}
    response = await post_form(card_client, "/checkout", form)
    assert response.status == 303
    [placed] = _placed(publisher)
    assert placed.payment is not None
    assert (placed.payment.amount, placed.payment.currency) == (TOTAL_CENTS, "USD")
    assert (placed.payment.brand, placed.payment.last4) == ("visa", "4242")
    [intent] = fake_stripe.intents.values()
    assert (intent.id, intent.amount, intent.status) == (
        placed.payment.id,
        TOTAL_CENTS,
        "requires_capture",  # authorized only: the order worker captures
    )
    assert intent.metadata == {"orderID": placed.orderID}


async def test_without_a_card_nothing_is_authorized_and_the_page_says_why(
    card_client: Client, publisher: FakePublisher, fake_stripe: FakeStripe
) -> None:
    for method in ("", "not-a-card-id", "pm_" + "x" * 300):
        response = await post_form(card_client, "/checkout", {**ADA, "payment_method": method})
        assert response.status == 400
        assert NO_CARD in await response.text()
    assert _placed(publisher) == []
    assert fake_stripe.intents == {}


async def test_an_order_that_could_not_be_published_has_its_authorization_voided(
    card_client: Client, publisher: FakePublisher, fake_stripe: FakeStripe
) -> None:
    publisher.fail = True
    response = await post_form(card_client, "/checkout", {**ADA, "payment_method": VISA})
    assert response.status == 503
    [intent] = fake_stripe.intents.values()
    assert intent.status == "canceled"
    assert "Desk Lamp" in await (await card_client.get("/cart")).text()


def _event(kind: str, order_id: str = "a" * 32, status: str = "succeeded") -> str:
    intent = {"id": "pi_123", "object": "payment_intent", "status": status}
    intent["metadata"] = {"orderID": order_id}  # type: ignore[assignment]
    return json.dumps({"id": "evt_1", "type": kind, "data": {"object": intent}})


def _signed(payload: str, secret: str = HOOK_SECRET, at: float | None = None) -> dict[str, str]:
    header = stripe.WebhookSignature.generate_signature_header(
        payload, secret, int(at if at is not None else time.time())
    )
    return {"Stripe-Signature": header, "Content-Type": "application/json"}


async def test_a_signed_webhook_is_handed_to_the_order_worker_without_a_csrf_token(
    card_client: Client, publisher: FakePublisher
) -> None:
    payload = _event("payment_intent.succeeded")
    response = await card_client.post(
        "/payments/stripe/webhook", data=payload, headers=_signed(payload)
    )
    assert response.status == 200
    [event] = publisher.published
    assert event.type is EventType.PAYMENT_REPORTED
    assert event.payload() == PaymentReportedData(
        orderID="a" * 32, provider="stripe", paymentID="pi_123", captured=True, eventID="evt_1"
    )


@pytest.mark.parametrize(
    ("payload", "headers"),
    [
        (
            _event("payment_intent.succeeded"),
            _signed(_event("payment_intent.succeeded"), "whsec_other"),
        ),
        (_event("payment_intent.succeeded"), {}),
        # A replay: signed correctly, but ten minutes ago.
        (
            _event("payment_intent.succeeded"),
            _signed(_event("payment_intent.succeeded"), at=time.time() - 600),
        ),
        (b"\xff\xfe not text", {"Stripe-Signature": "t=1,v1=00"}),
        ("[" * 10_000, _signed("[" * 10_000)),
    ],
    ids=["other-secret", "unsigned", "stale", "not-utf8", "deep-json"],
)
async def test_a_webhook_that_is_not_stripes_is_refused_and_hands_nothing_on(
    card_client: Client, publisher: FakePublisher, payload: str | bytes, headers: dict[str, str]
) -> None:
    response = await card_client.post("/payments/stripe/webhook", data=payload, headers=headers)
    assert response.status == 400
    assert "error" in await response.json()
    assert publisher.published == []


@pytest.mark.parametrize(
    "payload",
    [
        _event("customer.created"),
        _event("payment_intent.succeeded", order_id="not an order id!"),
        json.dumps({"type": "payment_intent.succeeded", "data": {"object": {"id": "pi-bad id"}}}),
    ],
    ids=["other-type", "bad-order-id", "bad-payment-id"],
)
async def test_a_signed_event_about_no_order_of_ours_is_acknowledged_and_ignored(
    card_client: Client, publisher: FakePublisher, payload: str
) -> None:
    response = await card_client.post(
        "/payments/stripe/webhook", data=payload, headers=_signed(payload)
    )
    assert (response.status, await response.json()) == (200, {"received": True, "recorded": False})
    assert publisher.published == []
