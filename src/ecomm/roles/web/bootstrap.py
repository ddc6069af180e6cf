"""The web role's composition root: opens what it needs, serves, and closes it all on stop."""

from __future__ import annotations

import asyncio
from contextlib import AsyncExitStack

import aiohttp

from ecomm.core.aws import open_clients
from ecomm.core.http import Readiness, serve_until
from ecomm.core.metrics import Metrics
from ecomm.core.publisher import SnsPublisher, resolve_topic_arn
from ecomm.core.settings import Settings
from ecomm.roles.web.app import create_app
from ecomm.roles.web.peers import LookupClient, OrderClient
from ecomm.roles.web.shop import WebDeps

_DEFAULT_SECRET = Settings.model_fields["cookie_secret"].default.get_secret_value()


class InsecureSettings(RuntimeError):
    """The web role refuses to sign cookies with the published default secret in production."""


def check_cookie_secret(settings: Settings) -> None:
    local = settings.uses_local_emulator or settings.host in {"127.0.0.1", "localhost", "::1"}
    if settings.cookie_secret.get_secret_value() == _DEFAULT_SECRET and not local:
        raise InsecureSettings(
            "ECOMM_COOKIE_SECRET is the built-in development default; set a real secret "
            "(the infrastructure injects one from Secrets Manager)."
        )


async def serve(settings: Settings, stop: asyncio.Event) -> None:
    """Run the web role until `stop` is set."""
    check_cookie_secret(settings)
    metrics = Metrics("web")
    async with AsyncExitStack() as stack:
        clients = await open_clients(stack, settings, metrics)
        topic_arn = await resolve_topic_arn(clients.sns, settings)
        publisher = SnsPublisher(clients.sns, topic_arn, metrics)
        await publisher.start()
        stack.push_async_callback(publisher.close)
        session = await stack.enter_async_context(
            aiohttp.ClientSession(
                connector=aiohttp.TCPConnector(limit=200, keepalive_timeout=30),
                timeout=aiohttp.ClientTimeout(total=settings.peer_timeout),
                raise_for_status=False,
            )
        )
        lookup = LookupClient(session, settings.lookup_url)
        readiness = Readiness()

        async def topic_answers() -> None:
            await clients.sns.get_topic_attributes(TopicArn=topic_arn)

        readiness.add("topic", topic_answers)
        readiness.add("lookup", lookup.healthz)
        deps = WebDeps(
            lookup=lookup,
            orders=OrderClient(session, settings.order_url),
            publisher=publisher,
            metrics=metrics,
            readiness=readiness,
        )
        await serve_until(create_app(settings, deps), settings.host, settings.web_port, stop)
