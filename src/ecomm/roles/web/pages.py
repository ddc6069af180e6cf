"""Rendering pages: the Jinja environment (autoescaped) and what every page's context holds."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from datetime import UTC, datetime
from decimal import Decimal
from typing import Any
from urllib.parse import quote

import aiohttp_jinja2
import jinja2
from aiohttp import web

from ecomm.core.contracts.countries import COUNTRIES
from ecomm.core.contracts.identifiers import MAX_ID_LENGTH, is_product_id
from ecomm.core.contracts.search import SORT_LABELS
from ecomm.core.domain.money import CURRENCIES, Currency
from ecomm.core.domain.orders import MAX_LINE_QUANTITY, MAX_ORDER_LINES
from ecomm.core.domain.products import ProductNotFound
from ecomm.roles.web.csrf import CSRF_FIELD, csrf_token_key
from ecomm.roles.web.keys import cookies_key
from ecomm.roles.web.priced_cart import stock_badge
from ecomm.roles.web.product_images import image_url

SHOP_NAME = "Ecomm"


def money_filter(shop: Currency) -> Callable[..., str]:
    """`{{ amount|money }}` in the shop's currency, `{{ amount|money(order.currency) }}` in an
    order's own; an amount of None (an order recorded before prices) shows as a dash."""

    def money(value: Decimal | int | None, code: str | None = None) -> str:
        if value is None:
            return "—"
        return CURRENCIES.get(code or "", shop).format(Decimal(value))

    return money


def when(timestamp: str) -> str:
    """`2026-11-25T10:00:00.000Z` as `25 Nov 2026, 10:00 UTC`; what it cannot read, as it is."""
    try:
        moment = datetime.fromisoformat(timestamp).astimezone(UTC)
    except ValueError:
        return timestamp
    return moment.strftime("%d %b %Y, %H:%M UTC").lstrip("0")


def path_segment(value: str) -> str:
    """One URL path segment: a product id with a space or a slash still makes one segment."""
    return quote(value, safe="")


def setup_templates(app: web.Application, currency: Currency) -> jinja2.Environment:
    env = aiohttp_jinja2.setup(
        app,
        loader=jinja2.PackageLoader("ecomm.roles.web", "templates"),
        autoescape=jinja2.select_autoescape(default=True, default_for_string=True),
        undefined=jinja2.StrictUndefined,
        # Templates never change under a running process: no stat() per render.
        auto_reload=False,
        trim_blocks=True,
        lstrip_blocks=True,
        default_helpers=False,
    )
    env.filters["money"] = money_filter(currency)
    env.filters["when"] = when
    env.filters["image_url"] = image_url
    env.filters["path"] = path_segment
    env.globals.update(
        shop_name=SHOP_NAME,
        csrf_field=CSRF_FIELD,
        sorts={sort.value: label for sort, label in SORT_LABELS.items()},
        stock_badge=stock_badge,
        max_line_quantity=MAX_LINE_QUANTITY,
        max_order_lines=MAX_ORDER_LINES,
        countries=COUNTRIES,
    )
    # Compile every template now, at startup, rather than reading files during a request.
    for name in env.list_templates(extensions=["html"]):
        env.get_template(name)
    return env


def render(
    request: web.Request,
    template: str,
    context: Mapping[str, Any],
    *,
    status: int = 200,
) -> web.Response:
    common = {
        "csrf_token": request.get(csrf_token_key, ""),
        "cart_count": request.app[cookies_key].cart_of(request).item_count,
        "path": request.path,
        "search_text": request.query.get("q", "")[:200],
    }
    return aiohttp_jinja2.render_template(template, request, {**common, **context}, status=status)


def product_id_of(request: web.Request) -> str:
    """The `{product_id}` of the path; `ProductNotFound` (a 404 page) for any other shape."""
    product_id = request.match_info["product_id"]
    if not is_product_id(product_id):
        raise ProductNotFound(product_id[:MAX_ID_LENGTH])
    return product_id


def see_other(location: str) -> web.Response:
    """The redirect after a successful POST (POST/redirect/GET)."""
    return web.Response(status=303, headers={"Location": location})
