"""An order on the wire: the order API's body (`GET /api/orders/{orderID}`), both sides of it."""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, ConfigDict

from ecomm.core.domain.orders import Order, OrderLine, OrderStatus


def order_json(order: Order) -> dict[str, Any]:
    """The order as the order service answers it."""
    return {
        "orderID": order.orderID,
        "status": order.status.value,
        "items": [{"productID": i.productID, "quantity": i.quantity} for i in order.items],
        "reason": order.reason,
        "createdAt": order.createdAt,
        "updatedAt": order.updatedAt,
    }


class _Body(BaseModel):
    model_config = ConfigDict(extra="ignore", frozen=True)


class LineBody(_Body):
    productID: str  # noqa: N815
    quantity: int


class OrderBody(_Body):
    orderID: str  # noqa: N815
    status: OrderStatus
    items: list[LineBody] = []
    reason: str | None = None
    createdAt: str = ""  # noqa: N815
    updatedAt: str = ""  # noqa: N815

    def to_domain(self) -> Order:
        return Order(
            orderID=self.orderID,
            status=self.status,
            items=tuple(OrderLine(i.productID, i.quantity) for i in self.items),
            reason=self.reason,
            createdAt=self.createdAt,
            updatedAt=self.updatedAt,
        )
