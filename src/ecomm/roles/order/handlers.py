"""OrderQueue handler: decode, place the order, hand back the outcome event to publish."""

from __future__ import annotations

from collections.abc import Sequence

import structlog

from ecomm.core.consumer import Handler
from ecomm.core.events import Envelope, EventType, OrderPlacedData
from ecomm.core.metrics import Metrics
from ecomm.core.ordering import OrderStore, outcome_event, place_order

log = structlog.get_logger(__name__)


def order_placed_handler(store: OrderStore, metrics: Metrics) -> Handler:
    async def handle(envelope: Envelope) -> Sequence[Envelope]:
        if envelope.type is not EventType.ORDER_PLACED:
            # The subscription filters these out; if one slips through it is not ours to keep.
            log.info("ignored_event")
            return ()
        data = envelope.payload()
        assert isinstance(data, OrderPlacedData)  # noqa: S101 - payload() maps type to model
        structlog.contextvars.bind_contextvars(order_id=data.orderID)
        outcome = await place_order(store, data, envelope.correlationId)
        order = outcome.order
        if outcome.fresh:
            metrics.orders.labels(order.status.value).inc()
            log.info("order_recorded", status=order.status, reason=order.reason)
        else:
            log.info("order_already_recorded", status=order.status)
        # Published on duplicates too: the first delivery may have crashed before announcing it.
        return (outcome_event(order, envelope.correlationId),)

    return handle
