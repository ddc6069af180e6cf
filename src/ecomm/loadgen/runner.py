"""Run the shoppers: start them, report progress, stop them at the bounds, summarise."""

from __future__ import annotations

import argparse
import asyncio
import random
import sys
import time
from dataclasses import dataclass
from typing import TextIO

import aiohttp

from ecomm.loadgen.client import Budget, ShopClient
from ecomm.loadgen.journey import MIX, Mix, Shopper
from ecomm.loadgen.options import BadOptions, LoadOptions
from ecomm.loadgen.stats import Stats, summary
from ecomm.loadgen.words import catalog_words

REQUEST_TIMEOUT = 10.0
PROGRESS_EVERY = 5.0
USAGE_ERROR = 2


@dataclass(frozen=True)
class Report:
    stats: Stats
    elapsed: float


async def run(args: argparse.Namespace) -> int:
    """`ecomm loadgen`: 0 when the error rate stayed within --max-error-rate, else 1 (2: usage)."""
    try:
        options = LoadOptions.from_args(args)
    except BadOptions as exc:
        print(f"ecomm loadgen: {exc}", file=sys.stderr)  # noqa: T201
        return USAGE_ERROR
    print(  # noqa: T201
        f"loading {options.base_url} with {options.users} shoppers for {options.duration:.0f} s "
        f"(at most {options.max_requests} requests, think time {options.think_time} s)",
        flush=True,
    )
    report = await drive(options)
    print(summary(report.stats, report.elapsed, options.max_error_rate), flush=True)  # noqa: T201
    return report.stats.exit_code(options.max_error_rate)


async def drive(
    options: LoadOptions,
    *,
    out: TextIO | None = None,
    progress_every: float = PROGRESS_EVERY,
    poll_every: float = 1.0,
    mix: Mix = MIX,
) -> Report:
    """Run `options.users` shoppers until the duration or the request budget runs out."""
    out = out or sys.stdout
    stats = Stats()
    started = time.monotonic()
    budget = Budget(options.max_requests, started + options.duration)
    words = catalog_words()
    connector = aiohttp.TCPConnector(limit=options.users * 2, limit_per_host=options.users * 2)
    sessions: list[aiohttp.ClientSession] = []
    try:
        shoppers = []
        for n in range(options.users):
            session = aiohttp.ClientSession(
                connector=connector,
                connector_owner=False,
                # Cookies from an IP address (127.0.0.1) are refused by the default jar.
                cookie_jar=aiohttp.CookieJar(unsafe=True),
                timeout=aiohttp.ClientTimeout(total=REQUEST_TIMEOUT),
                headers={"User-Agent": "ecomm-loadgen"},
            )
            sessions.append(session)
            client = ShopClient(session, options.base_url, stats, budget)
            rng = random.Random(f"{options.seed}:{n}")  # noqa: S311 - a repeatable walk
            shoppers.append(
                Shopper(
                    n + 1,
                    client,
                    stats,
                    rng,
                    words,
                    think_mean=options.think_time,
                    poll_every=poll_every,
                    mix=mix,
                )
            )
        tasks = [asyncio.create_task(s.run(), name=f"shopper-{i}") for i, s in enumerate(shoppers)]
        reporter = asyncio.create_task(_progress(stats, budget, started, progress_every, out))
        await _until_done(tasks, budget)
        reporter.cancel()
        await asyncio.gather(reporter, return_exceptions=True)
    finally:
        for session in sessions:
            await session.close()
        await connector.close()
    return Report(stats, time.monotonic() - started)


async def _until_done(tasks: list[asyncio.Task[None]], budget: Budget) -> None:
    """Wait for the shoppers; at the deadline, give in-flight requests their timeout, no more."""
    _, pending = await asyncio.wait(tasks, timeout=budget.seconds_left())
    budget.stopped.set()
    if pending:
        _, pending = await asyncio.wait(pending, timeout=REQUEST_TIMEOUT + 1)
    for task in pending:
        task.cancel()
    results = await asyncio.gather(*tasks, return_exceptions=True)
    for result in results:
        if isinstance(result, Exception):
            raise result


async def _progress(
    stats: Stats, budget: Budget, started: float, every: float, out: TextIO
) -> None:
    last_requests, last_at = 0, started
    while not budget.stopped.is_set():
        await asyncio.sleep(every)
        now = time.monotonic()
        requests = stats.requests
        rate = (requests - last_requests) / (now - last_at) if now > last_at else 0.0
        out.write(
            f"{now - started:6.0f} s  requests {requests:>7}  errors {stats.errors:>5}  "
            f"limited {stats.limited:>5}  {rate:8.1f} req/s\n"
        )
        out.flush()
        last_requests, last_at = requests, now
