from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

from ecomm.core.contracts.events import Envelope, ProductSearchedData
from ecomm.roles.web.search_tally import SearchTally
from tests.polling import eventually


@dataclass
class Publisher:
    later: list[Envelope] = field(default_factory=list)

    async def publish(self, event: Envelope) -> None:
        raise AssertionError("searches are never published while a page waits")

    async def publish_many(self, events: Sequence[Envelope]) -> None:
        raise AssertionError("searches are never published while a page waits")

    def publish_later(self, event: Envelope) -> None:
        self.later.append(event)

    def searches(self) -> dict[tuple[str, str], ProductSearchedData]:
        found = {}
        for event in self.later:
            data = event.payload()
            assert isinstance(data, ProductSearchedData)
            found[(data.query, ",".join(f"{k}={v}" for k, v in data.filters.items()))] = data
        return found


def test_a_window_sums_each_query_and_its_filters_into_one_event() -> None:
    publisher = Publisher()
    tally = SearchTally(publisher, window=60.0)
    for count in (5, 6, 7):
        tally.record("lamp", {}, count, f"req-{count}")
    tally.record("lamp", {"category": "Lighting"}, 2, "req-x")
    tally.record("tent", {}, 1, "req-y")
    assert publisher.later == []
    tally.flush()
    found = publisher.searches()
    assert {k: (d.searches, d.resultCount) for k, d in found.items()} == {
        ("lamp", ""): (3, 7),
        ("lamp", "category=Lighting"): (1, 2),
        ("tent", ""): (1, 1),
    }
    lamp = next(e for e in publisher.later if e.payload() == found[("lamp", "")])
    assert lamp.correlationId == "req-5"  # the first search of the window
    tally.flush()
    assert len(publisher.later) == 3  # a flushed window is not sent again


def test_without_a_window_every_search_is_its_own_event() -> None:
    publisher = Publisher()
    tally = SearchTally(publisher, window=0.0)
    tally.record("lamp", {}, 3, "req-1")
    tally.record("lamp", {}, 3, "req-2")
    assert [e.correlationId for e in publisher.later] == ["req-1", "req-2"]


def test_too_many_distinct_searches_are_sent_at_once() -> None:
    publisher = Publisher()
    tally = SearchTally(publisher, window=60.0, max_queries=10)
    for i in range(25):
        tally.record(f"query {i}", {}, 1, f"req-{i}")
    assert len(publisher.later) == 20  # two full windows went; five wait
    tally.flush()
    assert len(publisher.later) == 25


async def test_a_running_tally_sends_each_window_and_the_rest_on_close() -> None:
    publisher = Publisher()
    tally = SearchTally(publisher, window=0.05)
    await tally.start()
    tally.record("lamp", {}, 3, "req-1")
    await eventually(lambda: len(publisher.later) == 1, within=2.0)
    tally.record("tent", {}, 1, "req-2")
    await tally.close()
    assert [d.query for d in publisher.searches().values()] == ["lamp", "tent"]
