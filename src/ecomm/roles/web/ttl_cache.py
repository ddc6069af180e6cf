"""A small in-process cache whose entries live a few seconds, for answers many shoppers share.

The search page's results and the category list are the same for everyone who asks the same
question within a second or two, and asking lookup again costs a peer call and a page render
each time. `TtlCache.get(key, load)` answers from memory while the entry is young; when it is
not, the first caller loads it and every concurrent caller of the same key waits for that one
load instead of starting its own (no stampede on a popular query when its entry expires).

Each entry lives a random part of `ttl`, between half and all of it: entries loaded together
(at start, or after a burst of new searches) would otherwise expire together, and their reloads
would queue behind each other on the event loop and show up as a tail of slow pages.

Failures are never kept: the next caller tries again. Memory is bounded by `capacity` entries,
the least recently used going first. A `ttl` of 0 turns caching off (every call loads).
"""

from __future__ import annotations

import asyncio
import random
import time
from collections import OrderedDict
from collections.abc import Awaitable, Callable, Hashable
from typing import Generic, TypeVar

K = TypeVar("K", bound=Hashable)
V = TypeVar("V")


class TtlCache(Generic[K, V]):
    def __init__(
        self, ttl: float, *, capacity: int = 512, clock: Callable[[], float] = time.monotonic
    ) -> None:
        self._ttl = ttl
        self._capacity = capacity
        self._clock = clock
        self._entries: OrderedDict[K, tuple[float, V]] = OrderedDict()
        self._loading: dict[K, asyncio.Future[V]] = {}
        self.hits = 0
        self.misses = 0

    def __len__(self) -> int:
        return len(self._entries)

    async def get(self, key: K, load: Callable[[], Awaitable[V]]) -> V:
        if self._ttl <= 0:
            self.misses += 1
            return await load()
        entry = self._entries.get(key)
        if entry is not None and entry[0] > self._clock():
            self._entries.move_to_end(key)
            self.hits += 1
            return entry[1]
        pending = self._loading.get(key)
        if pending is not None:
            self.hits += 1
            # Shielded: a follower that gives up must not cancel the load the others wait for.
            return await asyncio.shield(pending)
        self.misses += 1
        return await self._load(key, load)

    async def _load(self, key: K, load: Callable[[], Awaitable[V]]) -> V:
        future: asyncio.Future[V] = asyncio.get_running_loop().create_future()
        self._loading[key] = future
        try:
            value = await load()
        except BaseException as exc:
            if isinstance(exc, Exception):
                future.set_exception(exc)
                future.exception()  # followers still get it; nobody waiting is not an error
            else:
                future.cancel()
            raise
        finally:
            del self._loading[key]
        future.set_result(value)
        lifetime = self._ttl * random.uniform(0.5, 1.0)  # noqa: S311 - spreading, not secrecy
        self._entries[key] = (self._clock() + lifetime, value)
        self._entries.move_to_end(key)
        if len(self._entries) > self._capacity:
            self._entries.popitem(last=False)
        return value
