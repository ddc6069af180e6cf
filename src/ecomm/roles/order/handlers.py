"""OrderQueue handler: decode, place the order, hand back the outcome event to publish."""

from __future__ import annotations

from collections.abc import Sequence

import structlog

from ecomm.core.adapters.consumer import MessageHandler
from ecomm.core.contracts.events import (
    Envelope,
    EventType,
    LineData,
    OrderOutcomeData,
    OrderPlacedData,
    utc_now,
)
from ecomm.core.domain.orders import Customer, Order, OrderLine, OrderStatus, PlaceOrder
from ecomm.core.runtime.metrics import Metrics
from ecomm.roles.order.placing import OrderStore, place_order

log = structlog.get_logger(__name__)


def order_placed_handler(store: OrderStore, metrics: Metrics) -> MessageHandler:
    async def handle(envelope: Envelope) -> Sequence[Envelope]:
        if envelope.type is not EventType.ORDER_PLACED:
            # The subscription filters these out; if one slips through it is not ours to keep.
            log.info("ignored_event")
            return ()
        data = envelope.payload()
        assert isinstance(data, OrderPlacedData)  # noqa: S101 - payload() maps type to model
        structlog.contextvars.bind_contextvars(order_id=data.orderID)
        outcome = await place_order(store, place_command(data, envelope.correlationId), utc_now())
        order = outcome.order
        if outcome.fresh:
            metrics.order_recorded(order.status.value, envelope.occurredAt)
            log.info("order_recorded", status=order.status, reason=order.reason)
        else:
            log.info("order_already_recorded", status=order.status)
        # Published on duplicates too: the first delivery may have crashed before announcing it.
        return (outcome_event(order, envelope.correlationId),)

    return handle


def place_command(data: OrderPlacedData, correlation_id: str) -> PlaceOrder:
    """The wire's OrderPlaced as the use case's command."""
    return PlaceOrder(
        orderID=data.orderID,
        lines=tuple(OrderLine(i.productID, i.quantity) for i in data.items),
        customer=Customer(data.customer.name, str(data.customer.email)),
        correlationId=correlation_id,
    )


def outcome_event(order: Order, correlation_id: str) -> Envelope:
    """The `OrderConfirmed`/`OrderRejected` announcing a recorded order."""
    kind = (
        EventType.ORDER_CONFIRMED
        if order.status is OrderStatus.CONFIRMED
        else EventType.ORDER_REJECTED
    )
    data = OrderOutcomeData(
        orderID=order.orderID,
        items=[LineData(productID=line.productID, quantity=line.quantity) for line in order.items],
        reason=order.reason,
    )
    return Envelope.wrap(kind, data, correlation_id)
