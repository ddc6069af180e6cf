"""What a run saw: per-step counts and latencies, errors by kind, order outcomes.

"Limited" answers (429 from the checkout rate limit) are neither successes nor errors: the
shop did what it promises, and the shopper waited as told.
"""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field
from enum import StrEnum


class Outcome(StrEnum):
    OK = "ok"
    ERROR = "error"
    LIMITED = "limited"


def percentile(values: Sequence[float], fraction: float) -> float:
    """Nearest-rank percentile of `values` (need not be sorted); NaN when there are none."""
    if not values:
        return math.nan
    ordered = sorted(values)
    rank = max(1, math.ceil(fraction * len(ordered)))
    return ordered[min(rank, len(ordered)) - 1]


@dataclass
class StepStats:
    count: int = 0
    errors: int = 0
    limited: int = 0
    latencies: list[float] = field(default_factory=list)

    @property
    def p50(self) -> float:
        return percentile(self.latencies, 0.50)

    @property
    def p99(self) -> float:
        return percentile(self.latencies, 0.99)


@dataclass
class Stats:
    steps: dict[str, StepStats] = field(default_factory=dict)
    error_kinds: Counter[str] = field(default_factory=Counter)
    orders: Counter[str] = field(default_factory=Counter)

    def record(self, step: str, seconds: float, outcome: Outcome, kind: str = "") -> None:
        stats = self.steps.setdefault(step, StepStats())
        stats.count += 1
        stats.latencies.append(seconds)
        if outcome is Outcome.ERROR:
            stats.errors += 1
            self.error_kinds[f"{step}: {kind}" if kind else step] += 1
        elif outcome is Outcome.LIMITED:
            stats.limited += 1

    @property
    def requests(self) -> int:
        return sum(s.count for s in self.steps.values())

    @property
    def errors(self) -> int:
        return sum(s.errors for s in self.steps.values())

    @property
    def limited(self) -> int:
        return sum(s.limited for s in self.steps.values())

    @property
    def error_rate(self) -> float:
        return self.errors / self.requests if self.requests else 0.0

    def exit_code(self, max_error_rate: float) -> int:
        """0 when the run made requests and its error rate is within bounds, else 1."""
        if self.requests == 0:
            return 1
        return 1 if self.error_rate > max_error_rate else 0


def _ms(seconds: float) -> str:
    return "-" if math.isnan(seconds) else f"{seconds * 1000:.1f}"


def summary(stats: Stats, elapsed: float, max_error_rate: float) -> str:
    """The end-of-run report: one row per step, then totals, order outcomes and error kinds."""
    header = f"{'step':<15} {'count':>8} {'errors':>7} {'limited':>8} {'p50 ms':>9} {'p99 ms':>9}"
    lines = [header, "-" * len(header)]
    for name in sorted(stats.steps):
        s = stats.steps[name]
        lines.append(
            f"{name:<15} {s.count:>8} {s.errors:>7} {s.limited:>8} {_ms(s.p50):>9} {_ms(s.p99):>9}"
        )
    everything = [v for s in stats.steps.values() for v in s.latencies]
    lines.append("-" * len(header))
    lines.append(
        f"{'all':<15} {stats.requests:>8} {stats.errors:>7} {stats.limited:>8} "
        f"{_ms(percentile(everything, 0.5)):>9} {_ms(percentile(everything, 0.99)):>9}"
    )
    rate = stats.requests / elapsed if elapsed > 0 else 0.0
    lines.append(
        f"{stats.requests} requests in {elapsed:.1f} s ({rate:.1f}/s); "
        f"error rate {stats.error_rate:.2%} (limit {max_error_rate:.2%})"
    )
    if stats.orders:
        outcomes = ", ".join(f"{k} {v}" for k, v in sorted(stats.orders.items()))
        lines.append(f"orders: {outcomes}")
    for kind, n in stats.error_kinds.most_common(5):
        lines.append(f"  error x{n}: {kind}")
    return "\n".join(lines)
