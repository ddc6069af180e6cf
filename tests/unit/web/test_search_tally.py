from __future__ import annotations

import asyncio
from collections.abc import Sequence
from dataclasses import dataclass, field

from ecomm.core.adapters.publisher import PublishFailed
from ecomm.core.contracts.events import Envelope, ProductSearchedData
from ecomm.core.runtime.metrics import Metrics
from ecomm.roles.web.search_tally import SearchTally
from tests.polling import eventually


@dataclass
class Publisher:
    """Publishes into a list, one call per `publish_many`; fails while `down`."""

    calls: list[list[Envelope]] = field(default_factory=list)
    down: bool = False
    refused: int = 0  # calls refused while down
    gate: asyncio.Event | None = None  # set: a publish waits for it
    entered: asyncio.Event = field(default_factory=asyncio.Event)  # a publish has begun

    async def publish(self, event: Envelope) -> None:
        raise AssertionError("searches are published in batches")

    async def publish_many(self, events: Sequence[Envelope], traces: Sequence[object] = ()) -> None:
        assert len(traces) == len(events)
        self.entered.set()
        if self.gate is not None:
            await self.gate.wait()
        if self.down:
            self.refused += 1
            raise PublishFailed("SNS is down (on purpose)")
        self.calls.append(list(events))

    @property
    def sent(self) -> list[Envelope]:
        return [e for call in self.calls for e in call]

    def searches(self) -> dict[tuple[str, str], ProductSearchedData]:
        found = {}
        for event in self.sent:
            data = event.payload()
            assert isinstance(data, ProductSearchedData)
            found[(data.query, ",".join(f"{k}={v}" for k, v in data.filters.items()))] = data
        return found


def tally_of(publisher: Publisher, **options: float) -> tuple[SearchTally, Metrics]:
    metrics = Metrics("web")
    return SearchTally(publisher, metrics, **options), metrics  # type: ignore[arg-type]


async def test_a_window_sums_each_query_and_its_filters_into_one_event() -> None:
    publisher = Publisher()
    tally, _ = tally_of(publisher, window=60.0)
    for count in (5, 6, 7):
        tally.record("lamp", {}, count, f"req-{count}")
    tally.record("lamp", {"category": "Lighting"}, 2, "req-x")
    tally.record("tent", {}, 1, "req-y")
    assert publisher.calls == []
    await tally.send()
    found = publisher.searches()
    assert {k: (d.searches, d.resultCount) for k, d in found.items()} == {
        ("lamp", ""): (3, 7),
        ("lamp", "category=Lighting"): (1, 2),
        ("tent", ""): (1, 1),
    }
    lamp = next(e for e in publisher.sent if e.payload() == found[("lamp", "")])
    assert lamp.correlationId == "req-5"  # the first search of the window
    assert len(publisher.calls) == 1  # one window, one publish
    await tally.send()
    assert len(publisher.sent) == 3  # a sent window is not sent again


async def test_without_a_window_every_search_is_sent_at_once() -> None:
    publisher = Publisher()
    tally, _ = tally_of(publisher, window=0.0)
    await tally.start()
    tally.record("lamp", {}, 3, "req-1")
    await eventually(lambda: len(publisher.sent) == 1, within=2.0)
    tally.record("lamp", {}, 3, "req-2")
    await eventually(lambda: len(publisher.sent) == 2, within=2.0)
    assert [e.correlationId for e in publisher.sent] == ["req-1", "req-2"]
    await tally.close()


async def test_a_full_window_is_sent_at_once_and_what_comes_meanwhile_is_dropped() -> None:
    publisher = Publisher(gate=asyncio.Event())
    tally, metrics = tally_of(publisher, window=60.0, max_queries=10)
    await tally.start()
    for i in range(10):
        tally.record(f"query {i}", {}, 1, f"req-{i}")
    await publisher.entered.wait()  # the full window is being sent, and SNS is slow
    tally.record("query 0", {}, 1, "req-again")  # a new window takes it
    for i in range(10, 25):
        tally.record(f"query {i}", {}, 1, f"req-{i}")
    publisher.gate.set()  # type: ignore[union-attr]
    await tally.close()
    assert [len(call) for call in publisher.calls] == [10, 10]
    scraped = metrics.render().decode()
    dropped = 'ecomm_events_published_total{result="dropped",type="ProductSearched"} 6.0'
    assert dropped in scraped


async def test_a_window_sns_refused_is_dropped_and_the_next_is_sent() -> None:
    publisher = Publisher(down=True)
    tally, _ = tally_of(publisher, window=0.01)
    await tally.start()
    tally.record("lamp", {}, 3, "req-1")
    await eventually(lambda: publisher.refused == 1, within=2.0)
    publisher.down = False
    tally.record("tent", {}, 1, "req-2")
    await eventually(lambda: len(publisher.sent) == 1, within=2.0)
    await tally.close()
    assert [d.query for d in publisher.searches().values()] == ["tent"]


async def test_a_running_tally_sends_each_window_and_the_rest_on_close() -> None:
    publisher = Publisher()
    tally, _ = tally_of(publisher, window=0.05)
    await tally.start()
    tally.record("lamp", {}, 3, "req-1")
    await eventually(lambda: len(publisher.sent) == 1, within=2.0)
    tally.record("tent", {}, 1, "req-2")
    await tally.close()
    assert [d.query for d in publisher.searches().values()] == ["lamp", "tent"]
