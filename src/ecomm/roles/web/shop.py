"""What the web role's views work with: its dependencies and the cookie codecs, in one place.

`WebDeps` is what a caller supplies (real clients in `serve`, fakes in tests); `Shop` adds what is
derived from settings, and is stored once on the application under `shop_key`.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass, field

from aiohttp import web
from markupsafe import Markup

from ecomm.core.http import Readiness
from ecomm.core.metrics import Metrics
from ecomm.core.publisher import EventPublisher
from ecomm.core.settings import Settings
from ecomm.roles.web.cart import CART_COOKIE, Cart, CartCodec
from ecomm.roles.web.cookies import CookiePolicy
from ecomm.roles.web.order_history import ORDERS_COOKIE, OrderHistoryCodec
from ecomm.roles.web.peers import Category, LookupClient, OrderClient
from ecomm.roles.web.rate_limit import TokenBuckets, client_address
from ecomm.roles.web.search_tally import SearchTally
from ecomm.roles.web.ttl_cache import TtlCache


@dataclass(frozen=True)
class WebDeps:
    lookup: LookupClient
    orders: OrderClient
    publisher: EventPublisher
    metrics: Metrics = field(default_factory=lambda: Metrics("web"))
    readiness: Readiness = field(default_factory=Readiness)
    clock: Callable[[], float] = time.monotonic


@dataclass(frozen=True)
class RenderedSearch:
    """A search's filters and results as HTML, the same for every shopper, and its total."""

    content: Markup
    total: int
    answer: bytes  # lookup's, as sent: the same answer renders the same HTML
    categories: list[Category]


SearchKey = tuple[tuple[str, str], ...]


@dataclass(frozen=True)
class Shop:
    settings: Settings
    lookup: LookupClient
    orders: OrderClient
    publisher: EventPublisher
    carts: CartCodec
    history: OrderHistoryCodec
    cookies: CookiePolicy
    checkout_limit: TokenBuckets
    search_pages: TtlCache[SearchKey, RenderedSearch]
    category_list: TtlCache[str, list[Category]]
    searches: SearchTally

    @classmethod
    def build(cls, settings: Settings, deps: WebDeps) -> Shop:
        secret = settings.cookie_secret.get_secret_value()
        return cls(
            settings=settings,
            lookup=deps.lookup,
            orders=deps.orders,
            publisher=deps.publisher,
            carts=CartCodec(secret),
            history=OrderHistoryCodec(secret),
            cookies=CookiePolicy(secure=settings.secure_cookies),
            checkout_limit=TokenBuckets(
                settings.checkout_rate_per_minute / 60,
                settings.checkout_burst,
                clock=deps.clock,
            ),
            search_pages=TtlCache(settings.search_cache_seconds, clock=deps.clock),
            category_list=TtlCache(settings.search_cache_seconds, clock=deps.clock),
            searches=SearchTally(deps.publisher, window=settings.search_event_window),
        )

    async def categories(self) -> list[Category]:
        return await self.category_list.get("all", lambda _: self.lookup.categories())

    def cart_of(self, request: web.Request) -> Cart:
        return self.carts.decode(request.cookies.get(CART_COOKIE))

    def history_of(self, request: web.Request) -> list[str]:
        return self.history.decode(request.cookies.get(ORDERS_COOKIE))

    def client_of(self, request: web.Request) -> str:
        return client_address(request, self.settings.trusted_proxy_hops)


shop_key = web.AppKey("shop", Shop)
