"""ProductSearched events, summed per query over a window, then published: the one batching window
between a search page and SNS.

Trending needs to know how often each query is searched, not an SNS message per page view: a
popular query searched 300 times in two seconds leaves as one event with `searches: 300`. At the
window's end the tally's own task publishes what it holds, ten events to a `PublishBatch` call,
so pages never wait on SNS. That divides the SNS publishes and the SQS receives and deletes
behind every search by the number of repeats in a window, which is what a real deployment pays.

    search page ─ record ─> held (query, filters) ─ window ends ─> publish_many ─> SNS

The event of a window carries the first search's request id as its correlation id (and its
trace context) and the latest result count. Memory is bounded: a window holding `max_queries`
distinct searches ends at once, and while its events are being sent a search of yet another
query is dropped (searches are signals, not records). Events SNS refused are logged and
dropped. Whatever is held when the role stops is published before the AWS clients close.
"""

from __future__ import annotations

import asyncio
import contextlib
from dataclasses import dataclass

import structlog

from ecomm.core.adapters import trace_context
from ecomm.core.adapters.publisher import EventPublisher, PublishFailed
from ecomm.core.adapters.telemetry import Telemetry
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
    trace: trace_context.Carrier
    count: int = 1


class SearchTally:
    def __init__(
        self,
        publisher: EventPublisher,
        telemetry: Telemetry,
        *,
        window: float,
        max_queries: int = 10_000,
    ) -> None:
        self._publisher = publisher
        self._telemetry = telemetry
        self._window = window
        self._max_queries = max_queries
        self._held: dict[_Key, _Searches] = {}
        self._due = asyncio.Event()  # something is held
        self._full = asyncio.Event()  # the window must end now
        self._task: asyncio.Task[None] | None = None
        self._sending: asyncio.Future[None] | None = None

    def record(
        self, query: str, filters: dict[str, str], result_count: int, correlation_id: str
    ) -> None:
        key = (query, tuple(sorted(filters.items())))
        held = self._held.get(key)
        if held is not None:
            held.count += 1
            held.result_count = result_count
        elif len(self._held) >= self._max_queries:
            self._telemetry.event_published(EventType.PRODUCT_SEARCHED.value, "dropped")
            return
        else:
            held = self._held[key] = _Searches(
                filters, result_count, correlation_id, trace_context.current()
            )
        self._due.set()
        if len(self._held) >= self._max_queries or held.count >= MAX_SEARCHES_PER_EVENT:
            self._full.set()

    async def start(self) -> None:
        self._task = asyncio.create_task(self._run(), name="search-tally")

    async def close(self) -> None:
        await cancel_and_wait(self._task)
        self._task = None
        if self._sending is not None:
            await self._sending  # a window already on its way finishes its journey
        await self.send()

    async def send(self) -> None:
        """Publish every held tally now, and start a new window."""
        held, self._held = self._held, {}
        self._due.clear()
        self._full.clear()
        if not held:
            return
        events = [
            Envelope.wrap(
                EventType.PRODUCT_SEARCHED,
                ProductSearchedData(
                    query=query,
                    filters=searches.filters,
                    resultCount=searches.result_count,
                    searches=min(searches.count, MAX_SEARCHES_PER_EVENT),
                ),
                searches.correlation_id,
            )
            for (query, _), searches in held.items()
        ]
        try:
            await self._publisher.publish_many(events, [s.trace for s in held.values()])
        except PublishFailed as exc:
            log.warning("search_events_not_published", error=str(exc))

    async def _run(self) -> None:
        while True:
            await self._due.wait()
            if self._window > 0:
                with contextlib.suppress(TimeoutError):
                    await asyncio.wait_for(self._full.wait(), self._window)
            # Shielded: stopping the role waits for this window instead of losing it.
            self._sending = asyncio.ensure_future(self._send_logged())
            await asyncio.shield(self._sending)

    async def _send_logged(self) -> None:
        try:
            await self.send()
        except Exception:  # a bad tally must not stop the next windows
            log.exception("search_tally_send_failed")
