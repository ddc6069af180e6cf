"""Explicit mapping between domain objects and DynamoDB items (low-level attribute values).

Written by hand rather than through a generic serializer so the table's shape is visible in one
place and a stray attribute cannot leak in or out.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from ecomm.core.domain.orders import (
    Address,
    Customer,
    Order,
    OrderLine,
    OrderStatus,
    StatusChange,
)
from ecomm.core.domain.payments import Card, Payment, PaymentStatus
from ecomm.core.domain.products import Product

Item = dict[str, Any]


def s(value: str) -> dict[str, str]:
    return {"S": value}


def n(value: int | Decimal) -> dict[str, str]:
    # `:f`: DynamoDB reads "1E+1", but a person reading the table should not have to.
    return {"N": str(value) if isinstance(value, int) else f"{value:f}"}


def product_to_item(p: Product) -> Item:
    item: Item = {
        "productID": s(p.productID),
        "name": s(p.name),
        "description": s(p.description),
        "category": s(p.category),
        "price": n(p.price),
        "stock": n(p.stock),
        "updatedAt": s(p.updatedAt),
    }
    if p.imageUrl:
        item["imageUrl"] = s(p.imageUrl)
    if p.sold:
        item["sold"] = n(p.sold)
    return item


def product_from_item(item: Item) -> Product:
    return Product(
        productID=item["productID"]["S"],
        name=item.get("name", {}).get("S", ""),
        description=item.get("description", {}).get("S", ""),
        category=item.get("category", {}).get("S", ""),
        price=Decimal(item.get("price", {}).get("N", "0")),
        stock=int(Decimal(item.get("stock", {}).get("N", "0"))),
        updatedAt=item.get("updatedAt", {}).get("S", ""),
        imageUrl=item.get("imageUrl", {}).get("S"),
        sold=int(Decimal(item.get("sold", {}).get("N", "0"))),
    )


def _line_to_attr(line: OrderLine) -> dict[str, Any]:
    entry: Item = {"productID": s(line.productID), "quantity": n(line.quantity)}
    if line.unitPrice is not None:
        entry["unitPrice"] = n(line.unitPrice)
    if line.name:
        entry["name"] = s(line.name)
    return {"M": entry}


def lines_to_attr(lines: tuple[OrderLine, ...]) -> dict[str, Any]:
    return {"L": [_line_to_attr(line) for line in lines]}


def change_to_attr(change: StatusChange) -> dict[str, Any]:
    entry: Item = {"status": s(change.status.value), "at": s(change.at)}
    if change.reason:
        entry["reason"] = s(change.reason)
    return {"M": entry}


def _address_to_attr(a: Address) -> dict[str, Any]:
    fields = {
        "line1": a.line1,
        "line2": a.line2,
        "city": a.city,
        "region": a.region,
        "postalCode": a.postalCode,
        "country": a.country,
    }
    return {"M": {k: s(v) for k, v in fields.items() if v}}


def payment_to_attr(p: Payment) -> dict[str, Any]:
    entry: Item = {
        "provider": s(p.provider),
        "id": s(p.id),
        "status": s(p.status.value),
        "amount": n(p.amount),
        "currency": s(p.currency),
    }
    if p.card.brand:
        entry["brand"] = s(p.card.brand)
    if p.card.last4:
        entry["last4"] = s(p.card.last4)
    return {"M": entry}


def _payment_from_attr(attrs: Item | None) -> Payment | None:
    if not attrs:
        return None
    return Payment(
        provider=_text(attrs, "provider"),
        id=_text(attrs, "id"),
        status=PaymentStatus(_text(attrs, "status")),
        amount=int(attrs.get("amount", {}).get("N", "0")),
        currency=_text(attrs, "currency"),
        card=Card(_text(attrs, "brand"), _text(attrs, "last4")),
    )


def order_to_item(o: Order) -> Item:
    item: Item = {
        "orderID": s(o.orderID),
        "status": s(o.status.value),
        "items": lines_to_attr(o.items),
        "createdAt": s(o.createdAt),
        "updatedAt": s(o.updatedAt),
        "history": {"L": [change_to_attr(c) for c in o.history]},
    }
    if o.customer:
        item["customer"] = {"M": {"name": s(o.customer.name), "email": s(o.customer.email)}}
    if o.reason:
        item["reason"] = s(o.reason)
    if o.correlationId:
        item["correlationId"] = s(o.correlationId)
    if o.currency:
        item["currency"] = s(o.currency)
    for name, amount in (("subtotal", o.subtotal), ("shipping", o.shipping), ("total", o.total)):
        if amount is not None:
            item[name] = n(amount)
    if o.shippingAddress:
        item["shippingAddress"] = _address_to_attr(o.shippingAddress)
    if o.payment:
        item["payment"] = payment_to_attr(o.payment)
    return item


def _text(attrs: Item, name: str) -> str:
    return str(attrs.get(name, {}).get("S", ""))


def _amount(attrs: Item, name: str) -> Decimal | None:
    number = attrs.get(name, {}).get("N")
    return None if number is None else Decimal(number)


def _line_from_attr(entry: Item) -> OrderLine:
    return OrderLine(
        productID=entry["productID"]["S"],
        quantity=int(entry["quantity"]["N"]),
        unitPrice=_amount(entry, "unitPrice"),
        name=_text(entry, "name"),
    )


def _address_from_attr(attrs: Item | None) -> Address | None:
    if not attrs:
        return None
    return Address(
        line1=_text(attrs, "line1"),
        line2=_text(attrs, "line2"),
        city=_text(attrs, "city"),
        region=_text(attrs, "region"),
        postalCode=_text(attrs, "postalCode"),
        country=_text(attrs, "country"),
    )


def order_from_item(item: Item) -> Order:
    """An order as recorded; one recorded before prices, address and history loads with None
    (and no history) where those are missing."""
    customer = item.get("customer", {}).get("M")
    return Order(
        orderID=item["orderID"]["S"],
        status=OrderStatus(item["status"]["S"]),
        items=tuple(_line_from_attr(entry["M"]) for entry in item.get("items", {}).get("L", [])),
        customer=Customer(customer["name"]["S"], customer["email"]["S"]) if customer else None,
        reason=item.get("reason", {}).get("S"),
        createdAt=_text(item, "createdAt"),
        updatedAt=_text(item, "updatedAt"),
        correlationId=item.get("correlationId", {}).get("S"),
        currency=item.get("currency", {}).get("S"),
        subtotal=_amount(item, "subtotal"),
        shipping=_amount(item, "shipping"),
        total=_amount(item, "total"),
        shippingAddress=_address_from_attr(item.get("shippingAddress", {}).get("M")),
        history=tuple(
            StatusChange(
                OrderStatus(c["M"]["status"]["S"]),
                _text(c["M"], "at"),
                c["M"].get("reason", {}).get("S"),
            )
            for c in item.get("history", {}).get("L", [])
        ),
        payment=_payment_from_attr(item.get("payment", {}).get("M")),
    )
