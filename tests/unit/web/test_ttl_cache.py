from __future__ import annotations

import asyncio

import pytest

from ecomm.roles.web.ttl_cache import TtlCache


class Clock:
    def __init__(self) -> None:
        self.now = 100.0

    def __call__(self) -> float:
        return self.now


class Loader:
    """Counts its loads; each answers `value` after `gate` opens (at once by default)."""

    def __init__(self, value: str = "v") -> None:
        self.value = value
        self.calls = 0
        self.gate = asyncio.Event()
        self.gate.set()
        self.fail: Exception | None = None
        self.previous: list[str | None] = []

    async def __call__(self, previous: str | None) -> str:
        self.calls += 1
        self.previous.append(previous)
        await self.gate.wait()
        if self.fail is not None:
            raise self.fail
        return f"{self.value}{self.calls}"


async def test_an_entry_is_reused_and_never_served_older_than_the_ttl() -> None:
    clock, load = Clock(), Loader()
    cache: TtlCache[str, str] = TtlCache(2.0, clock=clock)
    assert await cache.get("k", load) == "v1"
    clock.now += 0.99  # renewal starts in the second half of an entry's life
    assert await cache.get("k", load) == "v1"
    assert load.calls == 1
    clock.now += 1.02  # past the ttl, with nobody asking in between
    assert await cache.get("k", load) == "v2"
    assert (cache.hits, cache.misses, cache.renewals) == (1, 2, 0)


async def test_an_ageing_entry_is_renewed_in_the_background_while_callers_get_it_at_once() -> None:
    clock, load = Clock(), Loader()
    cache: TtlCache[str, str] = TtlCache(2.0, clock=clock)
    await cache.get("k", load)
    load.gate.clear()
    clock.now += 1.85  # past the renewal point, before expiry
    assert [await cache.get("k", load) for _ in range(5)] == ["v1"] * 5  # nobody waits
    await asyncio.sleep(0)
    assert (load.calls, cache.renewals) == (2, 1)  # one renewal, however many asked
    load.gate.set()
    await asyncio.sleep(0)
    await asyncio.sleep(0)
    assert await cache.get("k", load) == "v2"
    clock.now += 0.9  # the renewed entry counts its ttl from its own load
    assert await cache.get("k", load) == "v2"
    assert load.calls == 2


async def test_a_failed_renewal_leaves_the_entry_to_expire_and_the_next_caller_retries() -> None:
    clock, load = Clock(), Loader()
    cache: TtlCache[str, str] = TtlCache(2.0, clock=clock)
    await cache.get("k", load)
    load.fail = RuntimeError("lookup is down")
    clock.now += 1.85
    assert await cache.get("k", load) == "v1"
    for _ in range(3):
        await asyncio.sleep(0)
    clock.now += 0.2
    load.fail = None
    assert await cache.get("k", load) == "v3"


async def test_close_stops_a_renewal_in_flight() -> None:
    clock, load = Clock(), Loader()
    cache: TtlCache[str, str] = TtlCache(2.0, clock=clock)
    await cache.get("k", load)
    load.gate.clear()
    clock.now += 1.85
    await cache.get("k", load)
    await asyncio.sleep(0)
    await cache.close()
    clock.now += 0.2
    load.gate.set()
    assert await cache.get("k", load) == "v3"  # the stopped renewal stored nothing


async def test_entries_loaded_together_are_renewed_at_different_times() -> None:
    clock, load = Clock(), Loader()
    cache: TtlCache[int, str] = TtlCache(2.0, clock=clock)
    for key in range(100):
        await cache.get(key, load)
    clock.now += 1.4  # 70% of the ttl: about half are due (renewal at 50% to 90%)
    for key in range(100):
        await cache.get(key, load)
    assert 20 < cache.renewals < 80
    await cache.close()


async def test_concurrent_callers_of_one_key_share_one_load() -> None:
    load = Loader()
    load.gate.clear()
    cache: TtlCache[str, str] = TtlCache(2.0, clock=Clock())
    callers = [asyncio.create_task(cache.get("k", load)) for _ in range(20)]
    await asyncio.sleep(0)
    load.gate.set()
    assert await asyncio.gather(*callers) == ["v1"] * 20
    assert load.calls == 1


async def test_a_failed_load_reaches_every_waiter_and_is_not_kept() -> None:
    load = Loader()
    load.gate.clear()
    load.fail = RuntimeError("lookup is down")
    cache: TtlCache[str, str] = TtlCache(2.0, clock=Clock())
    callers = [asyncio.create_task(cache.get("k", load)) for _ in range(3)]
    await asyncio.sleep(0)
    load.gate.set()
    results = await asyncio.gather(*callers, return_exceptions=True)
    assert all(isinstance(r, RuntimeError) for r in results)
    load.fail = None
    assert await cache.get("k", load) == "v2"


async def test_a_waiter_giving_up_does_not_cancel_the_load_others_wait_for() -> None:
    load = Loader()
    load.gate.clear()
    cache: TtlCache[str, str] = TtlCache(2.0, clock=Clock())
    first = asyncio.create_task(cache.get("k", load))
    await asyncio.sleep(0)
    impatient = asyncio.create_task(cache.get("k", load))
    await asyncio.sleep(0)
    impatient.cancel()
    load.gate.set()
    assert await first == "v1"
    with pytest.raises(asyncio.CancelledError):
        await impatient


async def test_the_least_recently_used_entry_goes_first() -> None:
    load = Loader()
    cache: TtlCache[str, str] = TtlCache(60.0, capacity=2, clock=Clock())
    await cache.get("a", load)
    await cache.get("b", load)
    await cache.get("a", load)  # a is now the most recent
    await cache.get("c", load)
    assert len(cache) == 2
    assert await cache.get("a", load) == "v1"
    assert await cache.get("b", load) == "v4"  # b was dropped and loads again


async def test_a_ttl_of_zero_always_loads() -> None:
    load = Loader()
    cache: TtlCache[str, str] = TtlCache(0.0, clock=Clock())
    assert [await cache.get("k", load) for _ in range(3)] == ["v1", "v2", "v3"]
    assert len(cache) == 0


async def test_a_load_is_handed_the_value_it_replaces() -> None:
    clock, load = Clock(), Loader()
    cache: TtlCache[str, str] = TtlCache(2.0, clock=clock)
    await cache.get("k", load)
    clock.now += 1.85
    await cache.get("k", load)  # starts a renewal
    await asyncio.sleep(0)
    clock.now += 2.5
    await cache.get("k", load)  # expired: loads in the foreground
    assert load.previous == [None, "v1", "v2"]
