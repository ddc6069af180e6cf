"""The lifecycle use case: apply one `ChangeStatus` (cancel, ship, deliver) at most once.

Safe to run any number of times, concurrently or not: the write is conditioned on the status
the transition leaves (`core/adapters/orders_table.py`). A command delivered again finds the
order already in the target status and reports it again (the first delivery may have crashed
before announcing it); a command that lost a race, or asks what the status no longer allows,
changes nothing and announces nothing. A cancellation that cannot give stock back (a product
is gone: `RestockRefused`) is left to fail, so the command reaches the dead-letter queue for a
person to look at.
"""

from __future__ import annotations

from dataclasses import dataclass

import structlog

from ecomm.core.domain.lifecycle import (
    DEFAULT_REASONS,
    ChangeStatus,
    TransitionRefused,
)
from ecomm.core.domain.orders import Order, OrderNotFound, StatusChange
from ecomm.core.runtime.retries import with_retries
from ecomm.roles.order.placing import OrderStore

log = structlog.get_logger(__name__)


@dataclass(frozen=True)
class Moved:
    order: Order  # as it is now, in the transition's target status
    fresh: bool  # False when an earlier delivery had already moved it


async def change_status(store: OrderStore, command: ChangeStatus, now: str) -> Moved | None:
    """The order moved by `command`, or None when it could not be (the reason is logged)."""
    transition = command.transition
    change = StatusChange(transition.target, now, command.reason or DEFAULT_REASONS[command.action])
    try:
        order = await with_retries(lambda: store.change_status(command.orderID, transition, change))
    except TransitionRefused as refused:
        if refused.order.status is transition.target:
            return Moved(refused.order, fresh=False)
        log.info("transition_refused", action=command.action, status=refused.order.status)
        return None
    except OrderNotFound:
        log.info("transition_for_unknown_order", action=command.action)
        return None
    return Moved(order, fresh=True)
