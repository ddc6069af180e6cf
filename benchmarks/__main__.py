"""`make bench`: start the shop on the emulator, drive it, stop it, print one table.

    .venv/bin/python -m benchmarks [--products 10000] [--duration 10] [--idle 60] [--quick]

Every server is its own process (emulator, lookup, order, web, and a bare aiohttp "hello" for
the framework's ceiling); the drivers run in this process on the same cores. AWS calls are
counted at the emulator, by service and operation. The table also goes to docs/benchmarks.md.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import subprocess
import sys
import time
from collections import Counter
from pathlib import Path

from benchmarks import report
from benchmarks.http_load import LoadResult, closed_loop
from benchmarks.orders import drive_orders
from benchmarks.stack import HOST, Stack, http_get
from ecomm.core.catalog import generate
from ecomm.loadgen.words import catalog_words

CONNECTIONS = 32
ORDER_SHOPPERS = 8
INDEX_SIZES = (1_000, 10_000, 100_000)
DOC = Path(__file__).resolve().parent.parent / "docs" / "benchmarks.md"
Calls = Counter[tuple[str, str]]


def _metric(text: str, name: str, **labels: str) -> float:
    """The sum of a Prometheus metric's samples whose labels include `labels`."""
    total = 0.0
    for line in text.splitlines():
        if not line.startswith(name + "{") and not line.startswith(name + " "):
            continue
        head, _, value = line.rpartition(" ")
        if all(f'{k}="{v}"' in head for k, v in labels.items()):
            total += float(value)
    return total


def _scrape(stack: Stack, role: str) -> str:
    return http_get(f"{stack.url(role)}/metrics")[1].decode()


async def _settle(stack: Stack, *, quiet_for: float = 2.0, at_most: float = 60.0) -> None:
    """Wait until the queues' consumers have handled everything (their counts stop moving)."""

    def handled() -> float:
        return sum(_metric(_scrape(stack, r), "ecomm_messages_total") for r in ("lookup", "order"))

    deadline = time.monotonic() + at_most
    last, since = handled(), time.monotonic()
    while time.monotonic() < deadline:
        await asyncio.sleep(0.5)
        now = handled()
        if now != last:
            last, since = now, time.monotonic()
        elif time.monotonic() - since >= quiet_for:
            return


async def _http(stack: Stack, role: str, paths: list[str], duration: float) -> LoadResult:
    return await closed_loop(
        HOST, stack.ports[role], paths, connections=CONNECTIONS, duration=duration, warmup=2.0
    )


async def _counted_search(
    stack: Stack, paths: list[str], duration: float
) -> tuple[LoadResult, Calls]:
    """The search page under load, and the AWS calls it caused once its events were consumed."""
    stack.reset_calls()
    result = await _http(stack, "web", paths, duration)
    await _settle(stack)
    return result, stack.calls()


def _index_rows() -> list[dict[str, float]]:
    rows = []
    for size in INDEX_SIZES:
        out = subprocess.run(  # noqa: S603 - our own interpreter and module
            [sys.executable, "-m", "benchmarks.index_build", "--products", str(size)],
            check=True,
            capture_output=True,
            text=True,
        ).stdout
        rows.append(json.loads(out.strip().splitlines()[-1]))
    return rows


async def run(args: argparse.Namespace) -> report.Results:
    words = catalog_words()
    search_paths = [f"/search?q={w}" for w in words]
    api_paths = [f"/api/products?q={w}" for w in words]
    in_stock = [p.productID for p in generate(args.products) if p.stock > 0]
    results = report.Results(
        products=args.products, connections=CONNECTIONS, order_shoppers=ORDER_SHOPPERS
    )

    print("index builds ...", flush=True)
    results.index = _index_rows()
    print(f"starting the stack with {args.products} products ...", flush=True)
    with Stack(args.products) as stack:
        results.startup = dict(stack.startup)
        print("hello ...", flush=True)
        results.hello = await _http(stack, "hello", ["/"], args.duration)
        print("lookup API ...", flush=True)
        stack.reset_calls()
        results.lookup_api = await _http(stack, "lookup", api_paths, args.duration)
        results.lookup_api_calls = stack.calls()
        print("search page ...", flush=True)
        results.search, results.search_calls = await _counted_search(
            stack, search_paths, args.duration
        )
        results.search_dropped = int(
            _metric(_scrape(stack, "web"), "ecomm_events_published_total", result="dropped")
        )
        print("orders ...", flush=True)
        stack.reset_calls()
        results.orders = await drive_orders(
            stack.url("web"),
            in_stock,
            shoppers=ORDER_SHOPPERS,
            duration=args.orders_duration,
            poll_every=results.order_poll_every,
        )
        await _settle(stack)
        results.order_calls = stack.calls()
        print(f"idle for {args.idle:.0f} s ...", flush=True)
        await _settle(stack)
        stack.reset_calls()
        await asyncio.sleep(args.idle)
        results.idle_calls = stack.calls()
        results.idle_seconds = args.idle
    return results


def main() -> None:
    parser = argparse.ArgumentParser(description="benchmark the shop on this machine")
    parser.add_argument("--products", type=int, default=10_000, help="catalog for the stack")
    parser.add_argument("--duration", type=float, default=10.0, help="s per HTTP benchmark")
    parser.add_argument("--orders-duration", type=float, default=20.0)
    parser.add_argument("--idle", type=float, default=60.0, help="idle window, s")
    parser.add_argument("--quick", action="store_true", help="a short smoke run, not for docs")
    parser.add_argument("--output", type=Path, default=DOC)
    args = parser.parse_args()
    if args.quick:
        args.products, args.duration, args.orders_duration, args.idle = 1000, 3.0, 5.0, 10.0
    machine = report.machine()
    started = time.monotonic()
    results = asyncio.run(run(args))
    results.wall_seconds = time.monotonic() - started
    text = report.render(machine, results)
    print(text)
    if not args.quick:
        args.output.parent.mkdir(parents=True, exist_ok=True)
        args.output.write_text(text)
        print(f"written to {args.output}")


if __name__ == "__main__":
    main()
