"""The shoppers' mix and think time: realistic proportions, repeatable, and bounded."""

from __future__ import annotations

import random
from collections import Counter

import pytest

from ecomm.loadgen.journey import MAX_THINK_FACTOR, MIX, next_state, think_time
from ecomm.loadgen.words import catalog_words, search_term
from ecomm.ops.catalog import generate


def test_every_row_of_the_mix_is_a_probability_distribution() -> None:
    for state, edges in MIX.items():
        assert sum(p for _, p in edges) == pytest.approx(1.0), state
        assert all(target in MIX or target in {"leave", "checkout"} for target, _ in edges)


def test_transitions_follow_the_mix_proportions() -> None:
    rng = random.Random(5)
    draws = Counter(next_state("search", rng) for _ in range(20_000))
    for target, probability in MIX["search"]:
        assert draws[target] / 20_000 == pytest.approx(probability, abs=0.02)


def test_a_walk_with_the_same_seed_is_the_same_walk() -> None:
    def walk(seed: int) -> list[str]:
        rng, state, seen = random.Random(seed), "home", []
        for _ in range(50):
            state = next_state(state, rng) if state in MIX else "home"
            seen.append(state)
        return seen

    assert walk(3) == walk(3)
    assert walk(3) != walk(4)


def test_some_visits_reach_checkout_but_most_do_not() -> None:
    rng = random.Random(11)
    checkouts = 0
    for _ in range(5_000):
        state = "home"
        while state in MIX:
            state = next_state(state, rng)
        checkouts += state == "checkout"
    assert 0.03 < checkouts / 5_000 < 0.25


@pytest.mark.parametrize("mean", [0.05, 1.0, 3.0])
def test_think_time_is_exponential_with_its_mean_and_capped(mean: float) -> None:
    rng = random.Random(1)
    pauses = [think_time(rng, mean) for _ in range(20_000)]
    assert min(pauses) >= 0
    assert max(pauses) <= mean * MAX_THINK_FACTOR
    assert sum(pauses) / len(pauses) == pytest.approx(mean, rel=0.05)


def test_no_think_time_means_no_pause() -> None:
    assert think_time(random.Random(1), 0.0) == 0.0


def test_search_terms_come_from_the_generated_catalog() -> None:
    names = " ".join(f"{p.name} {p.category}".lower() for p in generate(2000))
    words = catalog_words()
    rng = random.Random(2)
    for _ in range(200):
        for part in search_term(words, rng).split():
            assert part in names
