"""A per-client token bucket, for checkout: enough for people, too little for a script.

Each web task keeps its own buckets in memory, which is what keeps tasks stateless: with N tasks
behind the load balancer a client gets at most N times the rate, a bound that still stops a
flood. The table of buckets is bounded so that many clients cannot exhaust memory.
"""

from __future__ import annotations

import contextlib
import ipaddress
import math
import time
from collections.abc import Callable
from dataclasses import dataclass

from aiohttp import web

from ecomm.core.runtime.lru import Lru


@dataclass
class _Bucket:
    tokens: float
    updated: float


class TokenBuckets:
    """`rate` tokens per second up to `burst`; one bucket per key, least recently used evicted."""

    def __init__(
        self,
        rate: float,
        burst: int,
        *,
        max_keys: int = 10_000,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self._rate = rate
        self._burst = float(burst)
        self._clock = clock
        self._buckets: Lru[str, _Bucket] = Lru(max_keys)

    def take(self, key: str) -> float:
        """0 when a token was taken; otherwise the seconds until one will be available."""
        now = self._clock()
        bucket = self._buckets.get(key) or _Bucket(self._burst, now)
        bucket.tokens = min(self._burst, bucket.tokens + (now - bucket.updated) * self._rate)
        bucket.updated = now
        self._buckets.put(key, bucket)
        if bucket.tokens >= 1:
            bucket.tokens -= 1
            return 0.0
        return (1 - bucket.tokens) / self._rate


@dataclass(frozen=True)
class CheckoutLimit:
    """Checkout attempts per client address, the address read as our proxies wrote it."""

    buckets: TokenBuckets
    trusted_hops: int

    def wait(self, request: web.Request) -> float:
        """0 when this client may place an order now; else the seconds until it may."""
        return self.buckets.take(client_address(request, self.trusted_hops))


def client_address(request: web.Request, trusted_hops: int) -> str:
    """The client's IP, read from X-Forwarded-For as written by our own proxies.

    The ALB appends the address it saw to X-Forwarded-For, so with one trusted hop the last entry
    is the client; anything to its left was sent by the client and proves nothing.
    """
    if trusted_hops > 0:
        # Only the rightmost entries matter; a client may send thousands to its left.
        hops = [h.strip() for h in request.headers.get("X-Forwarded-For", "").rsplit(",", 8)]
        hops = [h for h in hops if h]
        if hops:
            candidate = hops[-min(trusted_hops, len(hops))]
            with contextlib.suppress(ValueError):
                return str(ipaddress.ip_address(candidate))
    return request.remote or "unknown"


def retry_after_seconds(wait: float) -> str:
    return str(max(1, math.ceil(wait)))
