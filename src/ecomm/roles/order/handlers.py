"""OrderQueue's one handler: decode, dispatch by type to a use case, hand back what to announce.

OrderPlaced                           placing.place_order, settling.settle (capture or void)
                                        ─> OrderConfirmed | OrderRejected
CancelOrder / ShipOrder / DeliverOrder  lifecycle.change_status, settling.settle (refund)
                                        ─> OrderCancelled | OrderShipped | OrderDelivered
PaymentReported                         record a capture the provider reports, settling.settle
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

import structlog

from ecomm.core.adapters.consumer import MessageHandler
from ecomm.core.contracts.events import (
    AddressData,
    Envelope,
    EventType,
    LineData,
    OrderCommandData,
    OrderOutcomeData,
    OrderPlacedData,
    PaymentData,
    PaymentReportedData,
    utc_now,
)
from ecomm.core.domain.lifecycle import Action, ChangeStatus
from ecomm.core.domain.orders import (
    Address,
    Customer,
    Order,
    OrderLine,
    OrderStatus,
    PlaceOrder,
    Pricing,
)
from ecomm.core.domain.payments import Card, Payment, PaymentProvider, PaymentStatus
from ecomm.core.runtime.metrics import Metrics
from ecomm.roles.order.lifecycle import change_status
from ecomm.roles.order.placing import OrderStore, place_order
from ecomm.roles.order.settling import record_report, settle

log = structlog.get_logger(__name__)

COMMANDS: dict[EventType, Action] = {
    EventType.CANCEL_ORDER: Action.CANCEL,
    EventType.SHIP_ORDER: Action.SHIP,
    EventType.DELIVER_ORDER: Action.DELIVER,
}
OUTCOMES: dict[OrderStatus, EventType] = {
    OrderStatus.CONFIRMED: EventType.ORDER_CONFIRMED,
    OrderStatus.REJECTED: EventType.ORDER_REJECTED,
    OrderStatus.CANCELLED: EventType.ORDER_CANCELLED,
    OrderStatus.SHIPPED: EventType.ORDER_SHIPPED,
    OrderStatus.DELIVERED: EventType.ORDER_DELIVERED,
}


def order_handler(
    store: OrderStore,
    pricing: Pricing,
    metrics: Metrics,
    payments: PaymentProvider | None = None,
) -> MessageHandler:
    """`payments` None: the shop takes no payment (orders carrying one are left authorized, and
    expire at the provider, uncaptured)."""

    async def settled(order: Order) -> Order:
        if payments is None or order.payment is None:
            return order
        return await settle(store, payments, order, utc_now())

    async def handle(envelope: Envelope) -> Sequence[Envelope]:
        if envelope.type is EventType.ORDER_PLACED:
            return await _placed(envelope)
        if envelope.type in COMMANDS:
            return await _command(envelope, COMMANDS[envelope.type])
        if envelope.type is EventType.PAYMENT_REPORTED:
            await _reported(envelope)
            return ()
        # The subscription filters these out; if one slips through it is not ours to keep.
        log.info("ignored_event")
        return ()

    async def _placed(envelope: Envelope) -> Sequence[Envelope]:
        data = envelope.payload()
        assert isinstance(data, OrderPlacedData)  # noqa: S101 - payload() maps type to model
        structlog.contextvars.bind_contextvars(order_id=data.orderID)
        command = place_command(data, envelope.correlationId, envelope.occurredAt)
        outcome = await place_order(
            store, command, pricing, utc_now(), payment_required=payments is not None
        )
        # Announced once its payment is captured (or the order released, or voided).
        order = await settled(outcome.order)
        if outcome.fresh:
            metrics.order_recorded(order.status.value, envelope.occurredAt)
            log.info("order_recorded", status=order.status, reason=order.reason)
        else:
            log.info("order_already_recorded", status=order.status)
        # Published on duplicates too: the first delivery may have crashed before announcing it.
        return (outcome_event(order, envelope.correlationId),)

    async def _command(envelope: Envelope, action: Action) -> Sequence[Envelope]:
        data = envelope.payload()
        assert isinstance(data, OrderCommandData)  # noqa: S101 - payload() maps type to model
        structlog.contextvars.bind_contextvars(order_id=data.orderID)
        command = ChangeStatus(data.orderID, action, data.reason, envelope.correlationId)
        moved = await change_status(store, command, utc_now())
        if moved is None:
            return ()
        await settled(moved.order)  # a cancelled order that was paid is refunded
        if moved.fresh:
            metrics.orders.labels(moved.order.status.value).inc()
            log.info("order_status_changed", status=moved.order.status)
        else:
            log.info("order_status_already_changed", status=moved.order.status)
        return (outcome_event(moved.order, envelope.correlationId),)

    async def _reported(envelope: Envelope) -> None:
        data = envelope.payload()
        assert isinstance(data, PaymentReportedData)  # noqa: S101 - payload() maps type to model
        structlog.contextvars.bind_contextvars(order_id=data.orderID, payment_id=data.paymentID)
        if payments is not None:
            await record_report(store, payments, data.orderID, data.paymentID, data.captured)

    return handle


def place_command(data: OrderPlacedData, correlation_id: str, placed_at: str) -> PlaceOrder:
    """The wire's OrderPlaced as the use case's command."""
    return PlaceOrder(
        orderID=data.orderID,
        lines=tuple(
            OrderLine(i.productID, i.quantity, i.unitPrice, i.name or "") for i in data.items
        ),
        customer=Customer(data.customer.name, str(data.customer.email)),
        correlationId=correlation_id,
        currency=data.currency,
        shippingAddress=_address(data.shippingAddress),
        shipping=data.shipping,
        placedAt=placed_at if _is_timestamp(placed_at) else "",
        payment=_payment(data.payment),
    )


def _payment(data: PaymentData | None) -> Payment | None:
    if data is None:
        return None
    return Payment(
        provider=data.provider,
        id=data.id,
        status=PaymentStatus.AUTHORIZED,
        amount=data.amount,
        currency=data.currency,
        card=Card(data.brand, data.last4),
    )


def _address(data: AddressData | None) -> Address | None:
    return Address(**data.model_dump()) if data is not None else None


def _is_timestamp(text: str) -> bool:
    try:
        datetime.fromisoformat(text)
    except ValueError:
        return False
    return True


def outcome_event(order: Order, correlation_id: str) -> Envelope:
    """The event announcing the order's status: confirmed, rejected, cancelled, shipped..."""
    data = OrderOutcomeData(
        orderID=order.orderID,
        items=[
            LineData(
                productID=line.productID,
                quantity=line.quantity,
                unitPrice=line.unitPrice,
                name=line.name or None,
            )
            for line in order.items
        ],
        reason=order.reason if order.status in _WITH_REASON else None,
    )
    return Envelope.wrap(OUTCOMES[order.status], data, correlation_id)


_WITH_REASON = frozenset({OrderStatus.REJECTED, OrderStatus.CANCELLED})
