"""What the lookup role does with each LookupQueue event. It publishes nothing back.

    ProductSearched   count the query in trending
    OrderConfirmed    re-read the ordered products (exact stock, coalesced across the batch)
    OrderRejected     nothing: a rejected order reserved no stock
    OrderCancelled    re-read the products (the cancellation gave their stock back)
    OrderShipped, OrderDelivered   nothing: the stock left when the order was confirmed
    ProductChanged    re-read the product it names; the rest of its data is not used

Only the Products table says what a product is (see `readmodel.py`): anyone who can publish to
the topic could otherwise put any name and price into search.

A task may receive one event twice: SQS delivers at least once, and a task reads both the
shared queue and its own (see `taskqueue.py`). Every effect is idempotent already except the
trending count, so event ids seen lately are remembered and a repeat is skipped. An id is
claimed before its effect runs and released if the effect fails, so a concurrent copy is
skipped but a failed one is retried.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

import structlog

from ecomm.core.contracts.events import (
    Envelope,
    EventType,
    OrderOutcomeData,
    ProductChangedData,
    ProductSearchedData,
)
from ecomm.core.runtime.lru import Lru
from ecomm.roles.lookup.readmodel import ReadModel
from ecomm.roles.lookup.refresher import ProductRefresher
from ecomm.roles.lookup.trending import Trending

log = structlog.get_logger(__name__)

# The outcomes after which a product's stock is not what it was.
_STOCK_CHANGED = frozenset({EventType.ORDER_CONFIRMED, EventType.ORDER_CANCELLED})


class RecentIds:
    """The last `capacity` claimed ids, oldest forgotten first (bounded memory)."""

    def __init__(self, capacity: int = 50_000) -> None:
        self._ids: Lru[str, bool] = Lru(capacity)

    def claim(self, event_id: str) -> bool:
        if self._ids.get(event_id) is not None:
            return False
        self._ids.put(event_id, True)
        return True

    def release(self, event_id: str) -> None:
        self._ids.pop(event_id)


class LookupHandlers:
    def __init__(
        self,
        model: ReadModel,
        trending: Trending,
        refresher: ProductRefresher,
        *,
        seen: RecentIds | None = None,
    ) -> None:
        self._model = model
        self._trending = trending
        self._refresher = refresher
        self._seen = seen if seen is not None else RecentIds()

    async def handle(self, event: Envelope) -> Sequence[Envelope]:
        payload = event.payload()  # MalformedEvent: the consumer parks it in the DLQ
        # Until the first load finished there is nothing to apply to: the scan will read the
        # table as it is after this event anyway, but trending would lose the search.
        await self._model.ready.wait()
        if not self._seen.claim(event.id):
            log.debug("duplicate_event_skipped")
            return ()
        try:
            if isinstance(payload, ProductSearchedData):
                if payload.resultCount > 0:  # a query that found nothing is not a trend
                    self._trending.record(
                        payload.query, at=_epoch(event.occurredAt), searches=payload.searches
                    )
            elif isinstance(payload, ProductChangedData):
                await self._refresher.refresh([payload.productID])
            elif isinstance(payload, OrderOutcomeData) and event.type in _STOCK_CHANGED:
                await self._refresher.refresh(line.productID for line in payload.items)
        except BaseException:
            self._seen.release(event.id)
            raise
        return ()


def _epoch(timestamp: str) -> float | None:
    try:
        return datetime.fromisoformat(timestamp).timestamp()
    except ValueError:
        return None
