"""The web role's application factory: routes, middlewares, templates and static files.

`create_app` takes every dependency explicitly, so tests hand it fake peers and a fake publisher
and nothing needs patching.
"""

from __future__ import annotations

from aiohttp import web

from ecomm.core.edge import edge_page_key
from ecomm.core.http import add_probe_routes, request_context
from ecomm.core.settings import Settings
from ecomm.roles.web import cart_views, catalog_views, checkout_views, order_views, static_files
from ecomm.roles.web.cookie_hygiene import cookie_hygiene, shop_cookie_checks
from ecomm.roles.web.csrf import CsrfTokens, csrf_protection
from ecomm.roles.web.error_pages import error_pages
from ecomm.roles.web.pages import setup_templates
from ecomm.roles.web.security_headers import edge_page, security_headers
from ecomm.roles.web.shop import Shop, WebDeps, shop_key

# Forms are small; a large body is a mistake or an attack.
MAX_BODY = 64 * 1024


def create_app(settings: Settings, deps: WebDeps) -> web.Application:
    shop = Shop.build(settings, deps)
    tokens = CsrfTokens(settings.cookie_secret.get_secret_value())
    checks = shop_cookie_checks(
        cart_ok=lambda v: shop.carts.parse(v) is not None,
        orders_ok=lambda v: shop.history.parse(v) is not None,
        csrf_ok=tokens.is_ours,
    )
    app = web.Application(
        client_max_size=MAX_BODY,
        middlewares=[
            request_context,
            security_headers(secure=settings.secure_cookies),
            cookie_hygiene(checks, shop.cookies),
            error_pages,
            csrf_protection(tokens, shop.cookies),
        ],
    )
    app[shop_key] = shop
    app[edge_page_key] = edge_page(settings.secure_cookies)

    async def start_tally(_: web.Application) -> None:
        await shop.searches.start()

    async def stop_background_work(_: web.Application) -> None:
        # Cleanup runs before the runtime flushes and closes the publisher: nothing is lost.
        await shop.searches.close()
        await shop.search_pages.close()
        await shop.category_list.close()

    deps.metrics.watch_cache("search_pages", shop.search_pages.stats)
    deps.metrics.watch_cache("categories", shop.category_list.stats)
    app.on_startup.append(start_tally)
    app.on_cleanup.append(stop_background_work)
    setup_templates(app)
    add_probe_routes(app, deps.metrics, deps.readiness)
    _add_routes(app.router)
    return app


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
    router.add_routes([static_files.static_route(static_files.load())])
