"""In-memory fakes behind the core's interfaces, for unit tests with no I/O."""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from decimal import Decimal

from ecomm.core.adapters.publisher import PublishFailed
from ecomm.core.contracts.events import Envelope
from ecomm.core.domain.errors import TransientError
from ecomm.core.domain.lifecycle import RestockRefused, Transition, TransitionRefused
from ecomm.core.domain.money import CURRENCIES
from ecomm.core.domain.orders import (
    LineProblem,
    Order,
    OrderAlreadyRecorded,
    OrderLine,
    OrderNotFound,
    ReservationRefused,
    StatusChange,
)


@dataclass
class FakeOrderStore:
    """Keeps DynamoDB's contract: the reservation and the record happen together or not at all,
    every line at the price shown; a transition happens only from the status it leaves."""

    stock: dict[str, int]
    names: dict[str, str] = field(default_factory=dict)
    prices: dict[str, Decimal] = field(default_factory=dict)  # a product not here: any price
    orders: dict[str, Order] = field(default_factory=dict)
    transient_failures: int = 0  # the next N calls fail as throttling would
    calls: int = 0

    def _maybe_fail(self) -> None:
        self.calls += 1
        if self.transient_failures > 0:
            self.transient_failures -= 1
            raise TransientError("ThrottlingException: slow down")

    async def get(self, order_id: str) -> Order:
        self._maybe_fail()
        if order_id not in self.orders:
            raise OrderNotFound(order_id)
        return self.orders[order_id]

    async def reserve_and_confirm(self, order: Order) -> None:
        self._maybe_fail()
        if order.orderID in self.orders:
            raise OrderAlreadyRecorded(order.orderID)
        problems = [p for p in map(self._problem, order.items) if p is not None]
        if problems:
            raise ReservationRefused(problems, CURRENCIES.get(order.currency or ""))
        for line in order.items:
            self.stock[line.productID] -= line.quantity
        self.orders[order.orderID] = order

    def _problem(self, line: OrderLine) -> LineProblem | None:
        pid = line.productID
        available, name, price = self.stock.get(pid), self.names.get(pid), self.prices.get(pid)
        if available is None:
            return LineProblem(pid, line.quantity, None)
        if line.unitPrice is not None and price is not None and price != line.unitPrice:
            return LineProblem(pid, line.quantity, available, name, line.unitPrice, price)
        if available < line.quantity:
            return LineProblem(pid, line.quantity, available, name)
        return None

    async def record_rejection(self, order: Order) -> None:
        self._maybe_fail()
        if order.orderID in self.orders:
            raise OrderAlreadyRecorded(order.orderID)
        self.orders[order.orderID] = order

    async def change_status(
        self, order_id: str, transition: Transition, change: StatusChange
    ) -> Order:
        self._maybe_fail()
        order = self.orders.get(order_id)
        if order is None:
            raise OrderNotFound(order_id)
        if order.status is not transition.source:
            raise TransitionRefused(order, transition)
        if transition.restocks:
            gone = [line.productID for line in order.items if line.productID not in self.stock]
            if gone:
                raise RestockRefused(order_id, gone)
            for line in order.items:
                self.stock[line.productID] += line.quantity
        moved = replace(
            order,
            status=transition.target,
            updatedAt=change.at,
            reason=change.reason if transition.restocks else order.reason,
            history=(*order.timeline, change),
        )
        self.orders[order_id] = moved
        return moved


@dataclass
class FakePublisher:
    """An `EventPublisher` that keeps what it was given, and fails when told to.

    `published` holds what was published; `on_publish` sees each published event (a fake order
    service takes its orders from there)."""

    fail: bool = False
    published: list[Envelope] = field(default_factory=list)
    on_publish: Callable[[Envelope], None] | None = None

    async def publish(self, event: Envelope) -> None:
        await self.publish_many([event])

    async def publish_many(
        self, events: Sequence[Envelope], traces: Sequence[Mapping[str, str]] = ()
    ) -> None:
        if self.fail:
            raise PublishFailed("SNS is down (on purpose)")
        self.published.extend(events)
        for event in events:
            if self.on_publish is not None:
                self.on_publish(event)
