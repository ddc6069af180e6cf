"""The cart page and the forms that change it; each POST redirects back to a GET."""

from __future__ import annotations

from aiohttp import web
from yarl import URL

from ecomm.core.domain import ProductNotFound
from ecomm.core.identifiers import is_product_id
from ecomm.roles.web.cart import CART_COOKIE, Cart, CartError, parse_quantity
from ecomm.roles.web.cookies import THIRTY_DAYS
from ecomm.roles.web.forms import read_form
from ecomm.roles.web.pages import product_id_of, render, see_other
from ecomm.roles.web.priced_cart import addable, price
from ecomm.roles.web.shop import Shop, shop_key


async def render_cart(
    request: web.Request,
    cart: Cart,
    *,
    errors: dict[str, str] | None = None,
    status: int = 200,
) -> web.Response:
    shop = request.app[shop_key]
    products = await shop.lookup.products([line.productID for line in cart])
    priced = price(cart, products)
    added = request.query.get("added", "")
    context = {
        "cart": priced,
        "errors": errors or {},
        "added": products.get(added) if added in cart.lines else None,
    }
    return render(request, "cart.html", context, status=status)


def _saved(shop: Shop, cart: Cart, location: str) -> web.Response:
    response = see_other(location)
    if cart.lines:
        shop.cookies.set(response, CART_COOKIE, shop.carts.encode(cart), max_age=THIRTY_DAYS)
    else:
        shop.cookies.delete(response, CART_COOKIE)
    return response


async def view_cart(request: web.Request) -> web.Response:
    return await render_cart(request, request.app[shop_key].cart_of(request))


async def add_to_cart(request: web.Request) -> web.Response:
    shop = request.app[shop_key]
    form = await read_form(request)
    product_id = form.get("product_id", "")
    if not is_product_id(product_id):
        raise web.HTTPBadRequest(text="Please choose a product to add.")
    product = await shop.lookup.product(product_id)
    cart = shop.cart_of(request)
    in_cart = cart.quantity_of(product_id)
    raw_quantity = form.get("quantity", "")
    try:
        quantity = parse_quantity(raw_quantity)
        problem = addable(product, in_cart, quantity)
        if problem:
            raise CartError(problem)
        cart = cart.adding(product_id, quantity)
        response = _saved(shop, cart, str(URL("/cart").with_query(added=product_id)))
    except CartError as exc:
        context = {
            "product": product,
            "in_cart": in_cart,
            "error": str(exc),
            "quantity": raw_quantity,
        }
        return render(request, "product.html", context, status=400)
    return response


async def update_line(request: web.Request) -> web.Response:
    shop = request.app[shop_key]
    product_id = product_id_of(request)
    cart = shop.cart_of(request)
    if product_id not in cart.lines:
        return see_other("/cart")
    form = await read_form(request)
    try:
        quantity = parse_quantity(form.get("quantity", ""))
        try:
            product = await shop.lookup.product(product_id)
        except ProductNotFound:
            raise CartError("This product is no longer available; please remove it.") from None
        problem = addable(product, 0, quantity)
        if problem:
            raise CartError(problem)
        return _saved(shop, cart.with_quantity(product_id, quantity), "/cart")
    except CartError as exc:
        return await render_cart(request, cart, errors={product_id: str(exc)}, status=400)


async def remove_line(request: web.Request) -> web.Response:
    shop = request.app[shop_key]
    cart = shop.cart_of(request).without(product_id_of(request))
    return _saved(shop, cart, "/cart")
