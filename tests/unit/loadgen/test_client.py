"""The shopper's HTTP rules that need no server: redirects stay on the origin, bounds hold."""

from __future__ import annotations

import time
from collections.abc import AsyncIterator

import aiohttp
import pytest

from ecomm.loadgen.client import Budget, Page, ShopClient, VisitEnded, retry_after
from ecomm.loadgen.stats import Stats


@pytest.fixture
def stats() -> Stats:
    return Stats()


@pytest.fixture
async def client(stats: Stats) -> AsyncIterator[ShopClient]:
    async with aiohttp.ClientSession() as session:
        yield ShopClient(session, "http://127.0.0.1:8080", stats, Budget(10, time.monotonic() + 60))


@pytest.mark.parametrize(
    ("location", "path"),
    [
        ("/orders/abc", "/orders/abc"),
        ("/cart?added=P1", "/cart?added=P1"),
        ("http://127.0.0.1:8080/cart", "/cart"),
        ("orders/abc", "/orders/abc"),
    ],
)
def test_redirects_within_the_origin_are_followed(
    client: ShopClient, location: str, path: str
) -> None:
    assert client.same_origin_path(location) == path


@pytest.mark.parametrize(
    "location",
    [
        "http://evil.example/steal",
        "//evil.example/x",
        "https://127.0.0.1:8080/cart",
        "http://127.0.0.1:9999/cart",
        "http://localhost:8080/cart",
    ],
)
def test_redirects_off_the_origin_are_refused(client: ShopClient, location: str) -> None:
    assert client.same_origin_path(location) is None


async def test_following_an_off_origin_redirect_is_an_error_and_sends_nothing(
    client: ShopClient, stats: Stats
) -> None:
    with pytest.raises(VisitEnded):
        await client.follow("cart", Page(303, "", "http://evil.example/"))
    assert stats.errors == 1
    assert client.budget.remaining == 10


def test_the_request_budget_runs_out_and_stops_the_run() -> None:
    budget = Budget(2, time.monotonic() + 60)
    assert budget.take()
    assert budget.take()
    assert not budget.take()
    assert budget.stopped.is_set()


def test_no_request_is_allowed_past_the_deadline() -> None:
    budget = Budget(100, time.monotonic() - 1)
    assert not budget.take()


async def test_sleeping_past_the_deadline_ends_the_visit() -> None:
    budget = Budget(100, time.monotonic() + 0.05)
    started = time.monotonic()
    with pytest.raises(VisitEnded):
        await budget.sleep(30)
    assert time.monotonic() - started < 1


@pytest.mark.parametrize(
    ("header", "seconds"), [("7", 7.0), ("", 1.0), ("soon", 1.0), ("100000", 60.0)]
)
def test_retry_after_is_read_and_bounded(header: str, seconds: float) -> None:
    headers = {"Retry-After": header} if header else {}
    assert retry_after(headers) == seconds
