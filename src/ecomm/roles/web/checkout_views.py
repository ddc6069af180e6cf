"""Checkout: the form, and the POST that places the order.

The cart cookie is cleared only after SNS has taken the OrderPlaced event; when publishing
fails the shopper sees why, and the cart (and the form as typed) are still there. When the shop
takes cards, no OrderPlaced leaves without an authorization of the total (`card_payment.py`);
one whose event could not be published is voided at once.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import structlog
from aiohttp import web

from ecomm.core.adapters.publisher import PublishFailed
from ecomm.core.contracts.events import PaymentData
from ecomm.core.domain.payments import Authorization, PaymentStatus, PaymentUnavailable
from ecomm.core.domain.payments import Payment as RecordedPayment
from ecomm.core.runtime.http import request_id_of
from ecomm.roles.web.address_form import AddressForm, read_address
from ecomm.roles.web.card_payment import CardPayments, authorize, payments_key
from ecomm.roles.web.cart import Cart
from ecomm.roles.web.checkout import (
    CustomerForm,
    new_order_id,
    order_id_from,
    read_customer,
    submit_order,
)
from ecomm.roles.web.forms import Form, read_form
from ecomm.roles.web.keys import (
    checkout_limit_key,
    cookies_key,
    lookup_key,
    pricing_key,
    publisher_key,
)
from ecomm.roles.web.pages import render, see_other
from ecomm.roles.web.priced_cart import PricedCart, price
from ecomm.roles.web.rate_limit import retry_after_seconds

log = structlog.get_logger(__name__)

PUBLISH_FAILED = (
    "We couldn't place your order just now. Nothing was charged and your cart is saved; "
    "please try again in a moment."
)


CART_CHANGED = (
    "Your cart changed since this page was shown (an item, a quantity or a price). "
    "Please check your order below and place it again."
)
SLOW_DOWN = "Too many orders in a short time. Please wait a moment and try again."


def _form_page(
    request: web.Request,
    cart: PricedCart,
    form: CustomerForm,
    address: AddressForm,
    order_id: str,
    *,
    error: str | None = None,
    status: int = 200,
    headers: dict[str, str] | None = None,
    confirm: Authorization | None = None,
) -> web.Response:
    context = {
        "cart": cart,
        "cart_digest": cart.digest(),
        "form": form,
        "address": address,
        "order_id": order_id,
        "error": error,
        "card": request.app[payments_key],
        "confirm": confirm,  # the bank asks the shopper to confirm this authorization
    }
    response = render(request, "checkout.html", context, status=status)
    response.headers.update(headers or {})
    return response


async def checkout_form(request: web.Request) -> web.Response:
    cookies = request.app[cookies_key]
    cart = cookies.cart_of(request)
    if not cart.lines:
        return see_other("/cart")
    priced = await _priced(request, cart)
    return _form_page(request, priced, CustomerForm(), AddressForm(), new_order_id())


async def _priced(request: web.Request, cart: Cart) -> PricedCart:
    """Prices and stock as they are now, not as they were when the cart was filled."""
    products = await request.app[lookup_key].products(list(cart.lines))
    return price(cart, products, request.app[pricing_key])


@dataclass(frozen=True)
class _Refusal:
    status: int
    error: str | None = None
    headers: dict[str, str] = field(default_factory=dict)
    fresh_id: bool = False  # the form's order id named another cart: offer a new one


def _refusal(
    request: web.Request,
    form: Form,
    customer: CustomerForm,
    address: AddressForm,
    priced: PricedCart,
) -> _Refusal | None:
    """Why this order cannot be placed as sent, or None when it can."""
    if form.get("cart_digest") != priced.digest():
        return _Refusal(409, CART_CHANGED, fresh_id=True)
    if customer.customer() is None or address.address() is None:
        return _Refusal(400)
    if priced.problems:
        return _Refusal(
            409, "Some items in your cart can't be ordered as they are; please adjust them."
        )
    # Only an order about to be placed spends the budget: a typo fixed four times does not.
    wait = request.app[checkout_limit_key].wait(request)
    if wait:
        return _Refusal(429, SLOW_DOWN, {"Retry-After": retry_after_seconds(wait)})
    return None


async def place(request: web.Request) -> web.Response:
    cookies = request.app[cookies_key]
    cart = cookies.cart_of(request)
    if not cart.lines:
        return see_other("/cart")
    form = await read_form(request)
    order_id = order_id_from(form)
    customer_form = read_customer(form)
    address_form = read_address(form)
    priced = await _priced(request, cart)
    refusal = _refusal(request, form, customer_form, address_form, priced)
    customer, address = customer_form.customer(), address_form.address()
    if refusal is not None or customer is None or address is None:
        refusal = refusal or _Refusal(400)
        return _form_page(
            request,
            priced,
            customer_form,
            address_form,
            new_order_id() if refusal.fresh_id else order_id,
            error=refusal.error,
            status=refusal.status,
            headers=refusal.headers,
        )
    payments = request.app[payments_key]
    payment: PaymentData | None = None
    if payments is not None:
        attempt = await authorize(payments, order_id, priced, form)
        if attempt.payment is None:
            log.info("payment_not_authorized", order_id=order_id, status=attempt.status)
            return _form_page(
                request,
                priced,
                customer_form,
                address_form,
                new_order_id() if attempt.fresh_id else order_id,
                error=attempt.error,
                status=attempt.status,
                confirm=attempt.needs_confirmation,
            )
        payment = attempt.payment
    try:
        await submit_order(
            request.app[publisher_key],
            order_id,
            priced,
            customer,
            address,
            correlation_id=request_id_of(request),
            payment=payment,
        )
    except PublishFailed as exc:
        log.warning("order_not_published", order_id=order_id, error=str(exc))
        if payment is not None and payments is not None:
            await _void(payments, payment, order_id)
            order_id = new_order_id()  # this one's authorization is spent
        return _form_page(
            request,
            priced,
            customer_form,
            address_form,
            order_id,
            error=PUBLISH_FAILED,
            status=503,
        )
    log.info("order_placed", order_id=order_id, lines=len(cart), items=cart.item_count)
    response = see_other(f"/orders/{order_id}")
    cookies.save_cart(response, Cart())
    cookies.remember_order(request, response, order_id)
    return response


async def _void(payments: CardPayments, payment: PaymentData, order_id: str) -> None:
    """No order will take this authorization: release the hold now, not in seven days. Should
    the event have reached SNS after all, the worker finds it voided and rejects the order."""
    held = RecordedPayment(
        payment.provider, payment.id, PaymentStatus.AUTHORIZED, payment.amount, payment.currency
    )
    try:
        await payments.provider.void(held, order_id)
    except PaymentUnavailable as exc:
        log.warning("authorization_not_voided", order_id=order_id, error=str(exc))
