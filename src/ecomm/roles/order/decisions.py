"""Orders this task just decided, so a status page waiting on one is answered without a read.

A shopper's status page asks about a pending order until the worker decides it. Asked with
`?wait=S`, the order API holds the answer until this task records the order's next status, or
for S seconds, then reads the table as usual:

    checkout ─> OrderPlaced ─> worker: transaction ─> decided(order) ─┐
    status page ─> GET /api/orders/X?wait=1 ──── waits ───────────────┴─> answered, no read

The decision is also kept for `RECENT_FOR` seconds, for the page that asks just after it was
made. Only a `wait` request is answered from here: it says "I saw this order pending", and the
status this task recorded a moment ago is the next one it will see. With several order tasks,
the one that did not decide an order answers after S seconds from the table, one read per wait
instead of one per poll.
"""

from __future__ import annotations

import asyncio
import time
from collections import defaultdict

from ecomm.core.domain.lifecycle import Transition
from ecomm.core.domain.orders import Order, StatusChange
from ecomm.core.domain.payments import PaymentStatus
from ecomm.core.runtime.lru import Lru
from ecomm.roles.order.placing import OrderStore

RECENT_FOR = 10.0
RECENT_KEPT = 10_000


class Decisions:
    """Who waits for which order, and the orders decided here in the last `recent_for` s."""

    def __init__(self, *, recent_for: float = RECENT_FOR, kept: int = RECENT_KEPT) -> None:
        self._recent_for = recent_for
        self._recent: Lru[str, tuple[float, Order]] = Lru(kept)
        self._waiting: defaultdict[str, set[asyncio.Future[Order]]] = defaultdict(set)

    @property
    def waiting(self) -> int:
        """Requests waiting for a decision right now."""
        return sum(len(w) for w in self._waiting.values())

    def decided(self, order: Order) -> None:
        self._recent.put(order.orderID, (time.monotonic(), order))
        for waiter in self._waiting.pop(order.orderID, ()):
            if not waiter.done():
                waiter.set_result(order)

    def recent(self, order_id: str) -> Order | None:
        kept = self._recent.get(order_id)
        if kept is None or time.monotonic() - kept[0] > self._recent_for:
            return None
        return kept[1]

    async def wait(self, order_id: str, seconds: float) -> Order | None:
        """The order once this task decides it, or None after `seconds`."""
        known = self.recent(order_id)
        if known is not None or seconds <= 0:
            return known
        waiter: asyncio.Future[Order] = asyncio.get_running_loop().create_future()
        self._waiting[order_id].add(waiter)
        try:
            return await asyncio.wait_for(waiter, timeout=seconds)
        except TimeoutError:
            return None
        finally:
            waiters = self._waiting.get(order_id)
            if waiters is not None:
                waiters.discard(waiter)
                if not waiters:
                    del self._waiting[order_id]


class DecidingStore:
    """The order store, telling `decisions` about every status it records."""

    def __init__(self, store: OrderStore, decisions: Decisions) -> None:
        self._store = store
        self._decisions = decisions

    async def get(self, order_id: str) -> Order:
        return await self._store.get(order_id)

    async def reserve_and_confirm(self, order: Order) -> None:
        await self._store.reserve_and_confirm(order)
        self._decisions.decided(order)

    async def record_rejection(self, order: Order) -> None:
        await self._store.record_rejection(order)
        self._decisions.decided(order)

    async def change_status(
        self, order_id: str, transition: Transition, change: StatusChange
    ) -> Order:
        moved = await self._store.change_status(order_id, transition, change)
        self._decisions.decided(moved)
        return moved

    async def record_payment(
        self,
        order_id: str,
        payment_id: str,
        source: PaymentStatus,
        target: PaymentStatus,
        now: str,
    ) -> Order:
        # A capture after the reservation is news too: the page waiting shows it paid.
        moved = await self._store.record_payment(order_id, payment_id, source, target, now)
        self._decisions.decided(moved)
        return moved
