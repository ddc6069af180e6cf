"""Trending searches: how often each query was searched lately, with old searches fading out.

Each search adds a weight that halves every `half_life` seconds of age. Rather than decaying
every counter as time passes, weights are stored relative to a fixed landmark time ("forward
decay"): a search at time t adds 2^((t - landmark) / half_life), so recording is one addition,
the ranking never needs rescoring, and reading divides by the same factor for everyone. The
landmark moves forward now and then, before those numbers grow large.

Only the normalised query text is kept: no filters, no ids, no timestamps per search. Queries
that look personal (an email, a long number) or found nothing are not counted, and a query must
have a few searches behind it before it is shown to anyone. Memory is bounded: past `capacity`
queries, the weakest quarter is dropped.
"""

from __future__ import annotations

import heapq
import re
import time
from collections.abc import Callable
from dataclasses import dataclass

from ecomm.roles.lookup.engine_text import fold

MAX_QUERY_LENGTH = 100
_PERSONAL = re.compile(r"@|\d[\d\s().+-]{5,}\d")  # emails, phone, card and order numbers
_RESCALE_AFTER = 64.0  # half-lives; keeps stored weights far from float overflow
_TOP_CACHE = 50
_SPACE = re.compile(r"\s+")


def normalise_query(text: str) -> str:
    """The form a query is counted under: folded (case and accents), whitespace collapsed."""
    return _SPACE.sub(" ", fold(text)).strip()


@dataclass(frozen=True)
class TrendingQuery:
    query: str
    score: float


class Trending:
    """Decayed search counts per normalised query; `top` reads them, best first."""

    def __init__(
        self,
        *,
        half_life: float = 3600.0,
        capacity: int = 5000,
        min_score: float = 2.0,
        recompute_every: float = 1.0,
        clock: Callable[[], float] = time.time,
    ) -> None:
        self._half_life = half_life
        self._capacity = capacity
        self._min_score = min_score
        self._recompute_every = recompute_every
        self._clock = clock
        self._landmark = clock()
        self._weights: dict[str, float] = {}
        self._ranked: list[tuple[str, float]] = []
        self._ranked_at = float("-inf")
        self._changed = False

    def __len__(self) -> int:
        return len(self._weights)

    def record(self, query: str, at: float | None = None, *, searches: int = 1) -> bool:
        """Count `searches` searches of `query` made at `at` (default now); False when not
        counted."""
        key = normalise_query(query)
        if not key or len(key) > MAX_QUERY_LENGTH or _PERSONAL.search(key):
            return False
        now = self._clock()
        if now - self._landmark > _RESCALE_AFTER * self._half_life:
            self._move_landmark(now)
        # A delayed delivery counts for what it was worth when it happened; a clock ahead of
        # ours does not get to count for more than now.
        when = now if at is None else min(at, now)
        weight = searches * float(2.0 ** ((when - self._landmark) / self._half_life))
        self._weights[key] = self._weights.get(key, 0.0) + weight
        self._changed = True
        if len(self._weights) > self._capacity:
            self._prune()
        return True

    def score(self, query: str) -> float:
        return self._weights.get(normalise_query(query), 0.0) * self._decay(self._clock())

    def top(self, count: int = 10) -> list[TrendingQuery]:
        now = self._clock()
        if self._changed and now - self._ranked_at >= self._recompute_every:
            # Decay scales every weight alike, so the order changes only when searches arrive:
            # rank then, at most once per `recompute_every`, not on every read.
            self._ranked = heapq.nsmallest(
                _TOP_CACHE, self._weights.items(), key=lambda kv: (-kv[1], kv[0])
            )
            self._ranked_at, self._changed = now, False
        decay = self._decay(now)
        shown = [
            TrendingQuery(q, round(w * decay, 3))
            for q, w in self._ranked
            if w * decay >= self._min_score
        ]
        return shown[:count]

    def _decay(self, now: float) -> float:
        return float(2.0 ** (-(now - self._landmark) / self._half_life))

    def _move_landmark(self, now: float) -> None:
        factor = self._decay(now)
        self._weights = {q: w * factor for q, w in self._weights.items() if w * factor > 1e-6}
        self._ranked = [(q, w * factor) for q, w in self._ranked]
        self._landmark = now

    def _prune(self) -> None:
        keep = self._capacity * 3 // 4
        self._weights = dict(
            heapq.nlargest(keep, self._weights.items(), key=lambda kv: (kv[1], kv[0]))
        )
        self._changed = True
