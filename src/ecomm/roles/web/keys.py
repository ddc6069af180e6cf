"""What the web role's views find on the application, each under its own typed key."""

from __future__ import annotations

from aiohttp import web

from ecomm.core.adapters.publisher import EventPublisher
from ecomm.core.domain.orders import Pricing
from ecomm.roles.web.cookies import ShopperCookies
from ecomm.roles.web.peers import LookupClient, OrderClient
from ecomm.roles.web.rate_limit import CheckoutLimit
from ecomm.roles.web.search_tally import SearchTally

lookup_key = web.AppKey("lookup", LookupClient)
orders_key = web.AppKey("orders", OrderClient)
publisher_key = web.AppKey("publisher", EventPublisher)
cookies_key = web.AppKey("cookies", ShopperCookies)
checkout_limit_key = web.AppKey("checkout_limit", CheckoutLimit)
searches_key = web.AppKey("searches", SearchTally)
pricing_key = web.AppKey("pricing", Pricing)
