"""The summary's arithmetic, and how the error rate becomes the exit code."""

from __future__ import annotations

import math

import pytest

from ecomm.loadgen.stats import Outcome, Stats, percentile, summary


def test_percentiles_are_nearest_rank() -> None:
    values = [float(v) for v in range(1, 101)]  # 1..100
    assert percentile(values, 0.50) == 50
    assert percentile(values, 0.99) == 99
    assert percentile(values, 1.0) == 100
    assert percentile([3.0, 1.0, 2.0], 0.5) == 2
    assert percentile([7.0], 0.99) == 7


def test_the_percentile_of_nothing_is_not_a_number() -> None:
    assert math.isnan(percentile([], 0.5))


def test_limited_answers_are_counted_but_are_not_errors() -> None:
    stats = Stats()
    stats.record("search", 0.010, Outcome.OK)
    stats.record("checkout", 0.002, Outcome.LIMITED)
    stats.record("checkout", 0.003, Outcome.ERROR, "HTTP 500")
    assert (stats.requests, stats.errors, stats.limited) == (3, 1, 1)
    assert stats.error_rate == pytest.approx(1 / 3)
    assert stats.error_kinds == {"checkout: HTTP 500": 1}


def test_an_error_rate_above_the_limit_exits_1_and_at_or_below_exits_0() -> None:
    stats = Stats()
    for _ in range(99):
        stats.record("home", 0.01, Outcome.OK)
    stats.record("home", 0.01, Outcome.ERROR, "HTTP 502")
    assert stats.exit_code(max_error_rate=0.01) == 0
    assert stats.exit_code(max_error_rate=0.009) == 1


def test_a_run_that_made_no_request_fails() -> None:
    assert Stats().exit_code(max_error_rate=1.0) == 1


def test_the_summary_has_a_row_per_step_totals_and_outcomes() -> None:
    stats = Stats()
    for ms in range(1, 101):
        stats.record("search", ms / 1000, Outcome.OK)
    stats.record("checkout", 0.5, Outcome.ERROR, "HTTP 503")
    stats.orders["confirmed"] += 2
    text = summary(stats, elapsed=10.0, max_error_rate=0.05)
    search_row = next(line for line in text.splitlines() if line.startswith("search"))
    assert search_row.split() == ["search", "100", "0", "0", "50.0", "99.0"]
    assert "101 requests in 10.0 s (10.1/s)" in text
    assert "error rate 0.99% (limit 5.00%)" in text
    assert "orders: confirmed 2" in text
    assert "error x1: checkout: HTTP 503" in text
