from __future__ import annotations

import pytest

from ecomm.roles.lookup.trending import Trending, normalise_query

HOUR = 3600.0


class Clock:
    def __init__(self, now: float = 1_000_000.0) -> None:
        self.now = now

    def __call__(self) -> float:
        return self.now


def trending(clock: Clock, **kwargs: float) -> Trending:
    options = {"min_score": 0.0, "recompute_every": 0.0, **kwargs}
    return Trending(clock=clock, **options)  # type: ignore[arg-type]


def test_the_normal_form_ignores_case_accents_and_whitespace() -> None:
    assert normalise_query("  Crème   Brûlée\t") == "creme brulee"


def test_queries_are_counted_under_their_normal_form() -> None:
    t = trending(Clock())
    for q in ("Crème Brûlée", "creme brulee", "  CREME   brulee "):
        assert t.record(q)
    assert [(x.query, x.score) for x in t.top()] == [("creme brulee", 3.0)]


def test_the_most_searched_comes_first_and_ties_go_alphabetically() -> None:
    t = trending(Clock())
    for q in ("kettle", "tent", "tent", "atlas", "kettle", "tent", "atlas"):
        t.record(q)
    assert [x.query for x in t.top()] == ["tent", "atlas", "kettle"]


def test_several_searches_recorded_at_once_count_as_that_many() -> None:
    clock = Clock()
    one_by_one, at_once = trending(clock), trending(clock)
    for _ in range(4):
        one_by_one.record("kettle", at=clock.now - HOUR)
    at_once.record("kettle", at=clock.now - HOUR, searches=4)
    assert at_once.score("kettle") == pytest.approx(one_by_one.score("kettle"))
    assert at_once.score("kettle") == pytest.approx(2.0)


def test_a_search_counts_half_as_much_an_hour_later() -> None:
    clock = Clock()
    t = trending(clock)
    t.record("kettle")
    t.record("kettle")
    clock.now += HOUR
    assert t.score("kettle") == pytest.approx(1.0)
    clock.now += HOUR
    assert t.score("kettle") == pytest.approx(0.5)


def test_recent_searches_overtake_old_ones() -> None:
    clock = Clock()
    t = trending(clock)
    for _ in range(4):
        t.record("sunglasses")
    clock.now += 3 * HOUR  # 4 searches then are worth 0.5 now
    t.record("umbrella")
    assert [x.query for x in t.top()] == ["umbrella", "sunglasses"]


def test_a_late_delivery_counts_for_when_it_happened() -> None:
    clock = Clock()
    t = trending(clock)
    t.record("kettle", at=clock.now - HOUR)  # delivered an hour late
    assert t.score("kettle") == pytest.approx(0.5)
    t.record("tent", at=clock.now + HOUR)  # a sender clock ahead of ours counts as now
    assert t.score("tent") == pytest.approx(1.0)


def test_order_of_delivery_does_not_change_the_scores() -> None:
    a, b = Clock(), Clock()
    first, second = trending(a), trending(b)
    times = [a.now - 100, a.now - 5000, a.now - 10]
    for when in times:
        first.record("kettle", at=when)
    for when in reversed(times):
        second.record("kettle", at=when)
    assert first.score("kettle") == pytest.approx(second.score("kettle"))


def test_scores_survive_the_landmark_moving_forward() -> None:
    clock = Clock()
    t = trending(clock)
    t.record("kettle")
    clock.now += 100 * HOUR  # past the rescale point
    t.record("tent")
    assert t.score("tent") == pytest.approx(1.0)
    assert t.score("kettle") < 1e-20


@pytest.mark.parametrize(
    "query",
    ["", "   ", "jane.doe@example.com", "call 0612345678", "4111 1111 1111 1111", "x" * 101],
)
def test_empty_long_or_personal_looking_queries_are_not_counted(query: str) -> None:
    t = trending(Clock())
    assert not t.record(query)
    assert t.top() == []


def test_model_numbers_are_not_mistaken_for_personal_data() -> None:
    t = trending(Clock())
    assert t.record("usb-c hub 2024")


def test_a_query_is_shown_only_once_several_searches_back_it() -> None:
    t = trending(Clock(), min_score=2.0)
    t.record("my own name")
    assert t.top() == []
    t.record("my own name")
    assert [x.query for x in t.top()] == ["my own name"]


def test_memory_is_bounded_and_the_weakest_queries_go_first() -> None:
    t = trending(Clock(), capacity=100)
    for _ in range(3):
        t.record("popular")
    for i in range(1000):
        t.record(f"rare {i}")
    assert len(t) <= 100
    assert t.top(1)[0].query == "popular"
