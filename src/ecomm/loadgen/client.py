"""One shopper's HTTP: a cookie jar, a shared request budget, and strict rules on answers.

Every exchange is timed and recorded under a step name. An answer the step did not expect is an
error (5xx, a connection failure, a 4xx the script did not ask for), and the shopper's visit
ends there. Redirects are followed by hand, and only within the origin the run was given.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Collection, Mapping
from dataclasses import dataclass
from urllib.parse import urljoin, urlsplit

import aiohttp

from ecomm.loadgen.options import origin_of
from ecomm.loadgen.stats import Outcome, Stats

REDIRECTS = frozenset({301, 302, 303, 307, 308})
TOO_MANY_REQUESTS = 429
MAX_RETRY_AFTER = 60.0


class VisitEnded(Exception):
    """The visit cannot go on: the run is over, or an answer was an error (already recorded)."""


class RateLimited(Exception):
    """A 429: the shop asked this client to wait `retry_after` seconds."""

    def __init__(self, retry_after: float) -> None:
        super().__init__(f"rate limited for {retry_after:.0f} s")
        self.retry_after = retry_after


class Budget:
    """The run's bounds, shared by every shopper: a request count and a deadline."""

    def __init__(self, max_requests: int, deadline: float) -> None:
        self.remaining = max_requests
        self.deadline = deadline
        self.stopped = asyncio.Event()

    def take(self) -> bool:
        if self.remaining <= 0 or time.monotonic() >= self.deadline:
            self.stopped.set()
            return False
        self.remaining -= 1
        return True

    def seconds_left(self) -> float:
        return max(0.0, self.deadline - time.monotonic())

    async def sleep(self, seconds: float) -> None:
        """Sleep, but wake when the run stops; raises `VisitEnded` if it did."""
        seconds = min(seconds, self.seconds_left())
        try:
            await asyncio.wait_for(self.stopped.wait(), timeout=seconds)
        except TimeoutError:
            if time.monotonic() < self.deadline:
                return
        raise VisitEnded("the run is over")


@dataclass(frozen=True)
class Page:
    status: int
    text: str
    location: str | None = None


def retry_after(headers: Mapping[str, str]) -> float:
    """Retry-After in seconds (we only send the delta form); 1 s when missing or unreadable."""
    try:
        seconds = float(headers.get("Retry-After", "1"))
    except ValueError:
        seconds = 1.0
    return min(max(seconds, 0.0), MAX_RETRY_AFTER)


class ShopClient:
    def __init__(
        self, session: aiohttp.ClientSession, base_url: str, stats: Stats, budget: Budget
    ) -> None:
        self._session = session
        self._base = base_url
        self._origin = origin_of(base_url)
        self._stats = stats
        self.budget = budget

    def forget_cookies(self) -> None:
        self._session.cookie_jar.clear()

    def same_origin_path(self, location: str) -> str | None:
        """The path to follow for `location`, or None when it leaves the run's origin."""
        absolute = urljoin(self._base + "/", location)
        if origin_of(absolute) != self._origin:
            return None
        parts = urlsplit(absolute)
        return parts.path + (f"?{parts.query}" if parts.query else "")

    async def get(self, step: str, path: str, expect: Collection[int] = (200,)) -> Page:
        return await self._exchange(step, "GET", path, None, expect, limitable=False)

    async def post(
        self,
        step: str,
        path: str,
        form: Mapping[str, str],
        expect: Collection[int] = (303,),
        *,
        limitable: bool = False,
    ) -> Page:
        return await self._exchange(step, "POST", path, form, expect, limitable=limitable)

    async def follow(self, step: str, page: Page) -> Page:
        """GET where a redirect points, if it stays on the run's origin (else an error)."""
        path = self.same_origin_path(page.location or "")
        if path is None:
            kind = f"redirect off the origin: {page.location}"
            self._stats.record(step, 0.0, Outcome.ERROR, kind)
            raise VisitEnded("redirected off the origin")
        return await self.get(step, path)

    async def _exchange(
        self,
        step: str,
        method: str,
        path: str,
        form: Mapping[str, str] | None,
        expect: Collection[int],
        *,
        limitable: bool,
    ) -> Page:
        if not self.budget.take():
            raise VisitEnded("the run is over")
        started = time.perf_counter()
        try:
            async with self._session.request(
                method, self._base + path, data=form, allow_redirects=False
            ) as response:
                text = await response.text()
                status, headers = response.status, response.headers
        except (aiohttp.ClientError, TimeoutError) as exc:
            kind = type(exc).__name__
            self._stats.record(step, time.perf_counter() - started, Outcome.ERROR, kind)
            raise VisitEnded(kind) from exc
        elapsed = time.perf_counter() - started
        if limitable and status == TOO_MANY_REQUESTS:
            self._stats.record(step, elapsed, Outcome.LIMITED)
            raise RateLimited(retry_after(headers))
        if status not in expect:
            self._stats.record(step, elapsed, Outcome.ERROR, f"HTTP {status}")
            raise VisitEnded(f"{step}: HTTP {status}")
        self._stats.record(step, elapsed, Outcome.OK)
        location = headers.get("Location") if status in REDIRECTS else None
        return Page(status, text, location)
