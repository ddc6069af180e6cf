"""The web role's composition root: opens what it needs, serves, and closes it all on stop."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

import aiohttp
from aiohttp import web

from ecomm.core.bootstrap import Runtime, open_runtime, run_service
from ecomm.core.http import Readiness
from ecomm.core.publisher import resolve_topic_arn
from ecomm.core.settings import Settings
from ecomm.roles.web.app import create_app
from ecomm.roles.web.peers import LookupClient, OrderClient
from ecomm.roles.web.shop import WebDeps

_DEFAULT_SECRET = Settings.model_fields["cookie_secret"].default.get_secret_value()
_LOOPBACK = frozenset({"127.0.0.1", "localhost", "::1"})


class InsecureSettings(RuntimeError):
    """The web role refuses to sign cookies with the published default secret in production."""


def check_cookie_secret(settings: Settings) -> None:
    local = settings.uses_local_emulator or settings.host in _LOOPBACK
    if settings.cookie_secret.get_secret_value() == _DEFAULT_SECRET and not local:
        raise InsecureSettings(
            "ECOMM_COOKIE_SECRET is the built-in development default; set a real secret "
            "(the infrastructure injects one from Secrets Manager)."
        )


@asynccontextmanager
async def peer_session(settings: Settings) -> AsyncIterator[aiohttp.ClientSession]:
    """One keep-alive session for every call to lookup and order, bounded by `peer_timeout`."""
    async with aiohttp.ClientSession(
        connector=aiohttp.TCPConnector(limit=200, keepalive_timeout=30),
        timeout=aiohttp.ClientTimeout(total=settings.peer_timeout),
    ) as session:
        yield session


async def build(rt: Runtime, session: aiohttp.ClientSession) -> web.Application:
    """The web app wired to `rt`: real peers, the SNS publisher, and its readiness checks."""
    settings = rt.settings
    lookup = LookupClient(session, settings.lookup_url)
    topic_arn = await resolve_topic_arn(rt.aws.sns, settings)

    async def topic_answers() -> None:
        await rt.aws.sns.get_topic_attributes(TopicArn=topic_arn)

    readiness = Readiness()
    readiness.add("topic", topic_answers)
    readiness.add("lookup", lookup.healthz)
    deps = WebDeps(
        lookup=lookup,
        orders=OrderClient(session, settings.order_url),
        publisher=rt.publisher,
        metrics=rt.metrics,
        readiness=readiness,
    )
    return create_app(settings, deps)


async def serve(settings: Settings, stop: asyncio.Event) -> None:
    """Run the web role until `stop` is set."""
    check_cookie_secret(settings)
    async with open_runtime(settings, "web") as rt, peer_session(settings) as session:
        app = await build(rt, session)
        await run_service(app, settings.web_port, [], settings, stop)
