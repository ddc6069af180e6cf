"""The web role as `python -m ecomm --role web` runs it: real SNS (the emulator), fake peers."""

from __future__ import annotations

import aiohttp
import pytest
from aiohttp.test_utils import TestClient, TestServer

from ecomm.core.contracts.events import EventType, decode
from ecomm.core.runtime.bootstrap import Runtime
from ecomm.core.runtime.settings import Settings
from ecomm.emulator import Emulator
from ecomm.roles.web.build import (
    RefusedSettings,
    build,
    check_cookie_secret,
    check_payment_settings,
)
from tests.conftest import make_settings
from tests.integration.web.web_forms import ADA, SIGNING_KEY, csrf_token, post_form
from tests.roles import running_role


@pytest.fixture
def settings(emulator: Emulator, lookup_url: str, order_url: str) -> Settings:
    """Overrides the shared fixture: the emulator for AWS, the fakes for lookup and order."""
    return make_settings(
        emulator,
        lookup_url=lookup_url,
        order_url=order_url,
        cookie_secret=SIGNING_KEY,
    )


async def test_an_order_placed_on_the_web_reaches_the_order_queue(runtime: Runtime) -> None:
    app, _ = await build(runtime)
    async with TestClient(TestServer(app, host="127.0.0.1")) as client:
        ready = await client.get("/readyz")
        assert ready.status == 200, await ready.text()
        assert (await ready.json())["checks"] == {"topic": "ok", "lookup": "ok"}

        token = await csrf_token(client)
        form = {"csrf_token": token, "product_id": "p007", "quantity": "2"}
        await client.post("/cart/items", data=form, allow_redirects=False)
        placed = await post_form(client, "/checkout", ADA)
        assert placed.status == 303
        order_id = placed.headers["Location"].removeprefix("/orders/")

    sqs = runtime.aws.sqs
    queue = (await sqs.get_queue_url(QueueName=runtime.names.order_queue))["QueueUrl"]
    got = await sqs.receive_message(QueueUrl=queue, WaitTimeSeconds=5, MaxNumberOfMessages=10)
    events = [decode(m["Body"]) for m in got.get("Messages", [])]
    assert [(e.type, e.data["orderID"]) for e in events] == [(EventType.ORDER_PLACED, order_id)]
    assert events[0].data["items"] == [
        {"productID": "p007", "quantity": 2, "unitPrice": "26.99", "name": "Desk Lamp"}
    ]
    assert (events[0].data["currency"], events[0].data["shipping"]) == ("USD", "0.00")


async def test_the_role_answers_as_web_until_stopped(settings: Settings) -> None:
    async with running_role(settings, "web", build) as url, aiohttp.ClientSession() as session:
        async with session.get(f"{url}/healthz") as response:
            assert await response.json() == {"status": "ok", "role": "web"}
        async with session.get(f"{url}/") as response:
            assert response.status == 200


def test_the_default_cookie_secret_is_refused_outside_a_laptop() -> None:
    def settings_on(host: str, **values: object) -> Settings:
        # No emulator endpoint, whatever this test process has in its environment.
        return Settings.model_validate({"host": host, "AWS_ENDPOINT_URL": None, **values})

    check_cookie_secret(settings_on("127.0.0.1"))
    check_cookie_secret(settings_on("0.0.0.0", cookie_secret=SIGNING_KEY))  # noqa: S104
    with pytest.raises(RefusedSettings, match="ECOMM_COOKIE_SECRET"):
        check_cookie_secret(settings_on("0.0.0.0"))  # noqa: S104 - as in the container


def test_card_payments_without_a_publishable_key_are_refused() -> None:
    def settings_with(**values: object) -> Settings:
        return Settings.model_validate({"AWS_ENDPOINT_URL": None, **values})

    secret = {"stripe_secret_key": "sk_test_example"}
    check_payment_settings(settings_with(payments="none"))
    check_payment_settings(settings_with(**secret, stripe_publishable_key="pk_test_example"))
    with pytest.raises(RefusedSettings, match="ECOMM_STRIPE_PUBLISHABLE_KEY"):
        check_payment_settings(settings_with(**secret))
