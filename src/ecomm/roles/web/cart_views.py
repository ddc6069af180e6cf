"""The cart page and the forms that change it; each POST redirects back to a GET."""

from __future__ import annotations

from aiohttp import web
from yarl import URL

from ecomm.core.contracts.identifiers import is_product_id
from ecomm.core.domain.products import ProductNotFound
from ecomm.roles.web.cart import Cart, CartError, parse_quantity
from ecomm.roles.web.forms import read_form
from ecomm.roles.web.keys import cookies_key, lookup_key, pricing_key
from ecomm.roles.web.pages import product_id_of, render, see_other
from ecomm.roles.web.priced_cart import addable, price


async def render_cart(
    request: web.Request,
    cart: Cart,
    *,
    errors: dict[str, str] | None = None,
    status: int = 200,
) -> web.Response:
    products = await request.app[lookup_key].products([line.productID for line in cart])
    priced = price(cart, products, request.app[pricing_key])
    added = request.query.get("added", "")
    context = {
        "cart": priced,
        "errors": errors or {},
        "added": products.get(added) if added in cart.lines else None,
    }
    return render(request, "cart.html", context, status=status)


def _saved(request: web.Request, cart: Cart, location: str) -> web.Response:
    response = see_other(location)
    request.app[cookies_key].save_cart(response, cart)
    return response


async def view_cart(request: web.Request) -> web.Response:
    return await render_cart(request, request.app[cookies_key].cart_of(request))


async def add_to_cart(request: web.Request) -> web.Response:
    form = await read_form(request)
    product_id = form.get("product_id", "")
    if not is_product_id(product_id):
        raise web.HTTPBadRequest(text="Please choose a product to add.")
    product = await request.app[lookup_key].product(product_id)
    cart = request.app[cookies_key].cart_of(request)
    in_cart = cart.quantity_of(product_id)
    raw_quantity = form.get("quantity", "")
    try:
        quantity = parse_quantity(raw_quantity)
        problem = addable(product, in_cart, quantity)
        if problem:
            raise CartError(problem)
        cart = cart.adding(product_id, quantity)
        response = _saved(request, cart, str(URL("/cart").with_query(added=product_id)))
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
    product_id = product_id_of(request)
    cart = request.app[cookies_key].cart_of(request)
    if product_id not in cart.lines:
        return see_other("/cart")
    form = await read_form(request)
    try:
        quantity = parse_quantity(form.get("quantity", ""))
        try:
            product = await request.app[lookup_key].product(product_id)
        except ProductNotFound:
            raise CartError("This product is no longer available; please remove it.") from None
        problem = addable(product, 0, quantity)
        if problem:
            raise CartError(problem)
        return _saved(request, cart.with_quantity(product_id, quantity), "/cart")
    except CartError as exc:
        return await render_cart(request, cart, errors={product_id: str(exc)}, status=400)


async def remove_line(request: web.Request) -> web.Response:
    cart = request.app[cookies_key].cart_of(request).without(product_id_of(request))
    return _saved(request, cart, "/cart")
