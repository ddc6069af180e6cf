from __future__ import annotations

from ecomm.core.runtime.lru import Lru


def test_an_lru_holds_at_most_its_capacity_forgetting_the_least_recently_used() -> None:
    kept: Lru[int, str] = Lru(capacity=2)
    kept.put(1, "one")
    kept.put(2, "two")
    assert kept.get(1) == "one"
    kept.put(3, "three")
    assert len(kept) == 2
    assert (kept.get(1), kept.get(2), kept.get(3)) == ("one", None, "three")
