"""The web role's application factory: routes, middlewares, templates, and what the views use.

`create_app` takes its dependencies explicitly (tests hand it a fake publisher and point the
peers at fake services); everything it opens, it opens in the app's cleanup_ctx: the peer session
and its clients, and the search tally's window.
"""

from __future__ import annotations

import time
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass, field

import aiohttp
from aiohttp import web

from ecomm.core.adapters.publisher import EventPublisher
from ecomm.core.runtime.edge import edge_page_key
from ecomm.core.runtime.http import Check, Readiness, add_probe_routes, request_context
from ecomm.core.runtime.metrics import Metrics
from ecomm.core.runtime.settings import Settings
from ecomm.roles.web import (
    cart_views,
    catalog_views,
    checkout_views,
    order_actions,
    order_views,
    static_files,
)
from ecomm.roles.web.cookie_hygiene import cookie_hygiene, shop_cookie_checks
from ecomm.roles.web.cookies import ShopperCookies
from ecomm.roles.web.csrf import CsrfTokens, csrf_protection
from ecomm.roles.web.error_pages import error_pages
from ecomm.roles.web.keys import (
    checkout_limit_key,
    cookies_key,
    lookup_key,
    orders_key,
    pricing_key,
    publisher_key,
    searches_key,
)
from ecomm.roles.web.pages import setup_templates
from ecomm.roles.web.peers import LookupClient, OrderClient
from ecomm.roles.web.product_images import icons
from ecomm.roles.web.rate_limit import CheckoutLimit, TokenBuckets
from ecomm.roles.web.search_tally import SearchTally
from ecomm.roles.web.security_headers import edge_page, security_headers

# Forms are small; a large body is a mistake or an attack.
MAX_BODY = 64 * 1024


@dataclass(frozen=True)
class WebDeps:
    """What the caller supplies: the runtime's publisher and metrics, or fakes."""

    publisher: EventPublisher
    metrics: Metrics = field(default_factory=lambda: Metrics("web"))
    checks: dict[str, Check] = field(default_factory=dict)  # readiness, beside lookup's
    clock: Callable[[], float] = time.monotonic


def create_app(settings: Settings, deps: WebDeps) -> web.Application:
    secret = settings.cookie_secret.get_secret_value()
    cookies = ShopperCookies.signed_with(secret, secure=settings.secure_cookies)
    tokens = CsrfTokens(secret)
    checks = shop_cookie_checks(
        cart_ok=lambda v: cookies.carts.parse(v) is not None,
        orders_ok=lambda v: cookies.history.parse(v) is not None,
        csrf_ok=tokens.is_ours,
    )
    app = web.Application(
        client_max_size=MAX_BODY,
        middlewares=[
            request_context,
            security_headers(secure=settings.secure_cookies),
            cookie_hygiene(checks, cookies.policy),
            error_pages,
            csrf_protection(tokens, cookies.policy),
        ],
    )
    app[edge_page_key] = edge_page(settings.secure_cookies)
    app[publisher_key] = deps.publisher
    app[cookies_key] = cookies
    app[pricing_key] = settings.pricing
    app[checkout_limit_key] = CheckoutLimit(
        TokenBuckets(
            settings.checkout_rate_per_minute / 60, settings.checkout_burst, clock=deps.clock
        ),
        settings.trusted_proxy_hops,
    )
    app[searches_key] = SearchTally(
        deps.publisher, deps.metrics, window=settings.search_event_window
    )
    app.cleanup_ctx.extend([peers(settings), background_work])

    async def lookup_answers() -> None:
        await app[lookup_key].healthz()

    readiness = Readiness()
    for name, check in {**deps.checks, "lookup": lookup_answers}.items():
        readiness.add(name, check)
    setup_templates(app, settings.shop_currency)
    icons()  # read the pictograms now, not during the first request that draws one
    add_probe_routes(app, "web", deps.metrics, readiness)
    _add_routes(app.router)
    return app


def peers(settings: Settings) -> Callable[[web.Application], AsyncIterator[None]]:
    """One keep-alive session for every call to lookup and order, bounded by `peer_timeout`,
    and the two clients that use it."""

    async def ctx(app: web.Application) -> AsyncIterator[None]:
        async with aiohttp.ClientSession(
            connector=aiohttp.TCPConnector(limit=200, keepalive_timeout=30),
            timeout=aiohttp.ClientTimeout(total=settings.peer_timeout),
        ) as session:
            app[lookup_key] = LookupClient(session, settings.lookup_url)
            app[orders_key] = OrderClient(session, settings.order_url)
            yield

    return ctx


async def background_work(app: web.Application) -> AsyncIterator[None]:
    await app[searches_key].start()
    yield
    # While the publisher's AWS client is still open: the last window is not lost.
    await app[searches_key].close()


def _add_routes(router: web.UrlDispatcher) -> None:
    router.add_get("/", catalog_views.home)
    router.add_get("/search", catalog_views.search)
    router.add_get("/products/{product_id}", catalog_views.product_page)
    router.add_get("/images/{product_id}.svg", catalog_views.product_image)
    router.add_get("/cart", cart_views.view_cart)
    router.add_post("/cart/items", cart_views.add_to_cart)
    router.add_post("/cart/items/{product_id}", cart_views.update_line)
    router.add_post("/cart/items/{product_id}/remove", cart_views.remove_line)
    router.add_get("/checkout", checkout_views.checkout_form)
    router.add_post("/checkout", checkout_views.place)
    router.add_get("/orders", order_views.your_orders)
    router.add_get("/orders/{order_id}", order_views.order_page)
    router.add_get("/orders/{order_id}/status.json", order_views.order_status)
    router.add_post("/orders/{order_id}/cancel", order_actions.cancel_order)
    router.add_post("/orders/{order_id}/cart", order_actions.return_to_cart)
    router.add_routes([static_files.static_route(static_files.load())])
