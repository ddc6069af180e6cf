"""A small in-process cache whose entries live a few seconds, for answers many shoppers share.

The search page's results and the category list are the same for everyone who asks the same
question within a second or two, and asking lookup again costs a peer call and a page render
each time. `TtlCache.get(key, load)` answers from memory, and no answer is ever older than
`ttl`. Past a random point in the second half of its life, the next caller of an entry starts
ONE reload in the background and still gets the entry at once: a key shoppers keep asking for
is renewed before it expires, so no shopper waits for its reload, and entries loaded together
(at start, or in a burst of new searches) are renewed at different moments instead of all at
once. A caller that finds no usable entry loads it, and every concurrent caller of that key
waits for that one load instead of starting its own (no stampede). `load` is handed the value it
replaces (None if there is none), so it can keep it when its source has not changed.

Failures are never kept: a failed background reload leaves the entry to expire, and the next
caller tries again. Memory is bounded by `capacity` entries, the least recently used going
first. A `ttl` of 0 turns caching off (every call loads). `close` stops background reloads.
"""

from __future__ import annotations

import asyncio
import random
import time
from collections.abc import Awaitable, Callable, Hashable
from dataclasses import dataclass
from typing import Generic, TypeVar

import structlog

from ecomm.core.runtime.lru import Lru
from ecomm.core.runtime.tasks import cancel_and_wait

log = structlog.get_logger(__name__)

K = TypeVar("K", bound=Hashable)
V = TypeVar("V")
Loader = Callable[[V | None], Awaitable[V]]


@dataclass(frozen=True, slots=True)
class _Entry(Generic[V]):
    value: V
    renew_after: float
    expires: float


class TtlCache(Generic[K, V]):
    def __init__(
        self, ttl: float, *, capacity: int = 512, clock: Callable[[], float] = time.monotonic
    ) -> None:
        self._ttl = ttl
        self._clock = clock
        self._entries: Lru[K, _Entry[V]] = Lru(capacity)
        self._loading: dict[K, asyncio.Future[V]] = {}
        self._renewals: set[asyncio.Task[None]] = set()
        self.hits = 0
        self.misses = 0
        self.renewals = 0

    def __len__(self) -> int:
        return len(self._entries)

    def stats(self) -> dict[str, int]:
        return {"hit": self.hits, "miss": self.misses, "renewal": self.renewals}

    async def get(self, key: K, load: Loader[V]) -> V:
        if self._ttl <= 0:
            self.misses += 1
            return await load(None)
        entry = self._entries.get(key)
        now = self._clock()
        if entry is not None and now < entry.expires:
            self.hits += 1
            if now >= entry.renew_after and key not in self._loading:
                self._renew(key, load, entry.value)
            return entry.value
        pending = self._loading.get(key)
        if pending is not None:
            self.hits += 1
            # Shielded: a follower that gives up must not cancel the load the others wait for.
            return await asyncio.shield(pending)
        self.misses += 1
        return await self._load(key, load, None if entry is None else entry.value, self._claim(key))

    async def close(self) -> None:
        for task in list(self._renewals):
            await cancel_and_wait(task)
        # A renewal cancelled before it ran never released its claim.
        for key, future in list(self._loading.items()):
            future.cancel()
            del self._loading[key]

    def _claim(self, key: K) -> asyncio.Future[V]:
        """Register the load of `key` now, so that callers arriving meanwhile wait for it."""
        future: asyncio.Future[V] = asyncio.get_running_loop().create_future()
        self._loading[key] = future
        return future

    def _renew(self, key: K, load: Loader[V], previous: V) -> None:
        self.renewals += 1
        future = self._claim(key)

        async def renew() -> None:
            try:
                await self._load(key, load, previous, future)
            except Exception as exc:  # noqa: BLE001 - the entry expires; the next caller retries
                log.info("cache_renewal_failed", error=f"{type(exc).__name__}: {exc}")

        task = asyncio.create_task(renew())
        self._renewals.add(task)
        task.add_done_callback(self._renewals.discard)

    async def _load(
        self, key: K, load: Loader[V], previous: V | None, future: asyncio.Future[V]
    ) -> V:
        try:
            value = await load(previous)
        except BaseException as exc:
            if isinstance(exc, Exception):
                future.set_exception(exc)
                future.exception()  # followers still get it; nobody waiting is not an error
            else:
                future.cancel()
            raise
        finally:
            if self._loading.get(key) is future:
                del self._loading[key]
        if not future.done():  # `close` may have cancelled it
            future.set_result(value)
        now = self._clock()
        renew_after = now + self._ttl * random.uniform(0.5, 0.9)  # noqa: S311 - spreading only
        self._entries.put(key, _Entry(value, renew_after, now + self._ttl))
        return value
