"""Explicit mapping between domain objects and DynamoDB items (low-level attribute values).

Written by hand rather than through a generic serializer so the table's shape is visible in one
place and a stray attribute cannot leak in or out.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from ecomm.core.domain.orders import Customer, Order, OrderLine, OrderStatus
from ecomm.core.domain.products import Product

Item = dict[str, Any]


def s(value: str) -> dict[str, str]:
    return {"S": value}


def n(value: int | Decimal) -> dict[str, str]:
    return {"N": str(value)}


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


def lines_to_attr(lines: tuple[OrderLine, ...]) -> dict[str, Any]:
    return {
        "L": [
            {"M": {"productID": s(line.productID), "quantity": n(line.quantity)}} for line in lines
        ]
    }


def order_to_item(o: Order) -> Item:
    item: Item = {
        "orderID": s(o.orderID),
        "status": s(o.status.value),
        "items": lines_to_attr(o.items),
        "createdAt": s(o.createdAt),
        "updatedAt": s(o.updatedAt),
    }
    if o.customer:
        item["customer"] = {"M": {"name": s(o.customer.name), "email": s(o.customer.email)}}
    if o.reason:
        item["reason"] = s(o.reason)
    if o.correlationId:
        item["correlationId"] = s(o.correlationId)
    return item


def order_from_item(item: Item) -> Order:
    customer = item.get("customer", {}).get("M")
    return Order(
        orderID=item["orderID"]["S"],
        status=OrderStatus(item["status"]["S"]),
        items=tuple(
            OrderLine(
                productID=entry["M"]["productID"]["S"],
                quantity=int(entry["M"]["quantity"]["N"]),
            )
            for entry in item.get("items", {}).get("L", [])
        ),
        customer=Customer(customer["name"]["S"], customer["email"]["S"]) if customer else None,
        reason=item.get("reason", {}).get("S"),
        createdAt=item.get("createdAt", {}).get("S", ""),
        updatedAt=item.get("updatedAt", {}).get("S", ""),
        correlationId=item.get("correlationId", {}).get("S"),
    )
