"""The web role as `python -m ecomm --role web` runs it: real SNS (the emulator), fake peers."""

from __future__ import annotations

import asyncio
import json
import socket
from typing import Any

import aiohttp
import pytest
from aiohttp.test_utils import TestClient, TestServer

from ecomm.core.bootstrap import Runtime
from ecomm.core.events import EventType, decode
from ecomm.core.settings import Settings
from ecomm.emulator import Emulator
from ecomm.roles.web import serve
from ecomm.roles.web.bootstrap import InsecureSettings, build, check_cookie_secret, peer_session
from tests.conftest import make_settings
from tests.integration.web.web_forms import SIGNING_KEY, csrf_token, post_form


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


@pytest.fixture
def settings(emulator: Emulator, lookup_url: str, order_url: str) -> Settings:
    """Overrides the shared fixture: the emulator for AWS, the fakes for lookup and order."""
    return make_settings(
        emulator,
        lookup_url=lookup_url,
        order_url=order_url,
        cookie_secret=SIGNING_KEY,
        web_port=_free_port(),
    )


async def test_an_order_placed_on_the_web_reaches_the_order_queue(runtime: Runtime) -> None:
    async with peer_session(runtime.settings) as session:
        app = await build(runtime, session)
        async with TestClient(TestServer(app, host="127.0.0.1")) as client:
            ready = await client.get("/readyz")
            assert ready.status == 200, await ready.text()
            assert (await ready.json())["checks"] == {"topic": "ok", "lookup": "ok"}

            token = await csrf_token(client)
            form = {"csrf_token": token, "product_id": "p007", "quantity": "2"}
            await client.post("/cart/items", data=form, allow_redirects=False)
            customer = {"name": "Ada", "email": "ada@example.com"}
            placed = await post_form(client, "/checkout", customer)
            assert placed.status == 303
            order_id = placed.headers["Location"].removeprefix("/orders/")

    sqs = runtime.aws.sqs
    queue = (await sqs.get_queue_url(QueueName=runtime.names.order_queue))["QueueUrl"]
    got = await sqs.receive_message(QueueUrl=queue, WaitTimeSeconds=5, MaxNumberOfMessages=10)
    events = [decode(m["Body"]) for m in got.get("Messages", [])]
    assert [(e.type, e.data["orderID"]) for e in events] == [(EventType.ORDER_PLACED, order_id)]
    assert events[0].data["items"] == [{"productID": "p007", "quantity": 2}]


async def test_serve_answers_until_stopped(settings: Settings) -> None:
    stop = asyncio.Event()
    task = asyncio.create_task(serve(settings, stop))
    url = f"http://127.0.0.1:{settings.web_port}"
    async with aiohttp.ClientSession() as session:
        body: dict[str, Any] = {}
        for _ in range(100):
            try:
                async with session.get(f"{url}/healthz") as response:
                    body = json.loads(await response.text())
                    break
            except aiohttp.ClientConnectionError:
                await asyncio.sleep(0.05)
        assert body == {"status": "ok", "role": "web"}
        async with session.get(f"{url}/") as response:
            assert response.status == 200
    stop.set()
    await asyncio.wait_for(task, timeout=15)


def test_the_default_cookie_secret_is_refused_outside_a_laptop() -> None:
    def settings_on(host: str, **values: object) -> Settings:
        # No emulator endpoint, whatever this test process has in its environment.
        return Settings.model_validate({"host": host, "AWS_ENDPOINT_URL": None, **values})

    check_cookie_secret(settings_on("127.0.0.1"))
    check_cookie_secret(settings_on("0.0.0.0", cookie_secret=SIGNING_KEY))  # noqa: S104
    with pytest.raises(InsecureSettings, match="ECOMM_COOKIE_SECRET"):
        check_cookie_secret(settings_on("0.0.0.0"))  # noqa: S104 - as in the container
