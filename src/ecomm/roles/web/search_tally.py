"""ProductSearched events, summed per query over a short window before they are published.

Trending needs to know how often each query is searched, not an SNS message per page view: a
popular query searched 300 times in two seconds leaves as one event with `searches: 300`. That
divides the SNS publishes and the SQS receives and deletes behind every search by the number of
repeats in a window, which is what a real deployment pays for.

The event of a window carries the first search's request id as its correlation id and the
latest result count. Memory is bounded: a window holding `max_queries` distinct searches is
sent at once. Whatever is held when the role stops is sent before the publisher closes.
"""

from __future__ import annotations

import asyncio
from dataclasses import dataclass

import structlog

from ecomm.core.adapters.publisher import EventPublisher
from ecomm.core.contracts.events import (
    MAX_SEARCHES_PER_EVENT,
    Envelope,
    EventType,
    ProductSearchedData,
)
from ecomm.core.runtime.tasks import cancel_and_wait

log = structlog.get_logger(__name__)

_Key = tuple[str, tuple[tuple[str, str], ...]]


@dataclass
class _Searches:
    filters: dict[str, str]
    result_count: int
    correlation_id: str
    count: int = 1


class SearchTally:
    def __init__(
        self, publisher: EventPublisher, *, window: float, max_queries: int = 10_000
    ) -> None:
        self._publisher = publisher
        self._window = window
        self._max_queries = max_queries
        self._held: dict[_Key, _Searches] = {}
        self._task: asyncio.Task[None] | None = None

    def record(
        self, query: str, filters: dict[str, str], result_count: int, correlation_id: str
    ) -> None:
        key = (query, tuple(sorted(filters.items())))
        held = self._held.get(key)
        if held is None:
            self._held[key] = _Searches(filters, result_count, correlation_id)
        else:
            held.count += 1
            held.result_count = result_count
        if (
            self._window <= 0
            or len(self._held) >= self._max_queries
            or (held is not None and held.count >= MAX_SEARCHES_PER_EVENT)
        ):
            self.flush()

    def flush(self) -> None:
        """Hand every held tally to the publisher's background batches."""
        held, self._held = self._held, {}
        for (query, _), searches in held.items():
            data = ProductSearchedData(
                query=query,
                filters=searches.filters,
                resultCount=searches.result_count,
                searches=searches.count,
            )
            self._publisher.publish_later(
                Envelope.wrap(EventType.PRODUCT_SEARCHED, data, searches.correlation_id)
            )

    async def start(self) -> None:
        if self._window > 0:
            self._task = asyncio.create_task(self._run(), name="search-tally")

    async def close(self) -> None:
        await cancel_and_wait(self._task)
        self._task = None
        self.flush()

    async def _run(self) -> None:
        while True:
            await asyncio.sleep(self._window)
            try:
                self.flush()
            except Exception:  # a bad tally must not stop the next windows
                log.exception("search_tally_flush_failed")
