"""`make bench`: start the shop on the emulator, drive it, stop it, print one table.

    .venv/bin/python -m benchmarks [--products 10000] [--duration 10] [--idle 60] [--quick]

Every server is its own process (emulator, lookup, order, web, and a bare aiohttp "hello" for
the framework's ceiling). HTTP load comes from `wrk` (a C load generator, `benchmarks/wrk.py`),
whose CPU each row reports; the orders' closed loop of shoppers runs in this process (it waits
on the shop, it does not saturate it). AWS calls are counted at the emulator, by service and
operation; then the order pipeline is measured on an emulator that answers 10 ms late
(`order_worker.py`), and the counts and CPU times are priced (`prices.py`). The table also goes
to docs/benchmarks.md.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import re
import time
from collections import Counter
from pathlib import Path

from benchmarks import order_worker, report, search, wrk
from benchmarks.orders import drive_orders
from benchmarks.stack import BENCH_COOKIE_SECRET, ROLES, Stack, http_get
from ecomm.loadgen.words import catalog_words
from ecomm.ops.catalog import generate
from ecomm.roles.web.cart import CART_COOKIE, Cart, CartCodec

CONNECTIONS = 32
ORDER_SHOPPERS = (8, 32)  # a light load for latency, the HTTP benchmarks' 32 for batching
CART_LINES = 5
PIPELINE_LATENCY_MS = 10.0  # what an AWS call takes, about, seen from a task in its region
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


_AWS_CALL = re.compile(r"^ecomm_aws_calls_total\{(?P<labels>[^}]*)\} (?P<value>\S+)$", re.M)


def _role_calls(stack: Stack) -> dict[str, Calls]:
    """Each role's own count of its AWS calls (its Prometheus counter), by service, operation."""
    found: dict[str, Calls] = {}
    for role in ROLES:
        calls: Calls = Counter()
        for match in _AWS_CALL.finditer(_scrape(stack, role)):
            labels = dict(re.findall(r'(\w+)="([^"]*)"', match["labels"]))
            calls[(labels["service"], labels["operation"])] += int(float(match["value"]))
        found[role] = calls
    return found


def _machine_busy() -> float:
    """CPU seconds the whole machine has been busy (every process, ours or not)."""
    fields = [int(v) for v in Path("/proc/stat").read_text().split("\n", 1)[0].split()[1:]]
    idle = fields[3] + fields[4]  # idle + iowait
    return (sum(fields[:8]) - idle) / os.sysconf("SC_CLK_TCK")


class Phase:
    """CPU used by each process (and this driver), and AWS calls by role, over one phase."""

    def __init__(self, stack: Stack, name: str, results: report.Results) -> None:
        self._stack, self._name, self._results = stack, name, results
        self._cpu = stack.cpu_seconds()
        self._driver = time.process_time()
        self._machine = _machine_busy()
        self._wall = time.monotonic()
        self._calls = _role_calls(stack)

    def load_done(self) -> None:
        """CPU is reported over the load itself, not over the wait for its events to drain."""
        wall = time.monotonic() - self._wall
        after = self._stack.cpu_seconds()
        used = {n: after[n] - self._cpu.get(n, 0.0) for n in after}
        self._results.cpu_seconds[self._name] = used
        cores = {n: seconds / wall for n, seconds in used.items()}
        cores["benchmark driver"] = (time.process_time() - self._driver) / wall
        cores["whole machine"] = (_machine_busy() - self._machine) / wall
        self._results.cpu[self._name] = cores

    def end(self) -> None:
        if self._name not in self._results.cpu:
            self.load_done()
        now = _role_calls(self._stack)
        self._results.role_calls[self._name] = {r: now[r] - self._calls[r] for r in ROLES}


async def _settle(stack: Stack, *, quiet_for: float = 3.0, at_most: float = 120.0) -> float:
    """Seconds until the events in flight are all sent and consumed (the counts stop moving).

    Searches publish in the background, so under load the web role can still be sending
    ProductSearched events long after the last page was served; their calls belong to the phase
    that caused them, not to the next one.
    """

    def progress() -> float:
        total = 0.0
        for role in ROLES:
            text = _scrape(stack, role)
            total += _metric(text, "ecomm_events_published_total")
            total += _metric(text, "ecomm_messages_total")
        return total

    started = time.monotonic()
    last, since = progress(), started
    while time.monotonic() - started < at_most:
        await asyncio.sleep(0.5)
        now = progress()
        if now != last:
            last, since = now, time.monotonic()
        elif time.monotonic() - since >= quiet_for:
            break
    return since - started


async def _http(
    stack: Stack, role: str, paths: list[str], duration: float, *, cookie: str = ""
) -> wrk.WrkResult:
    return await asyncio.to_thread(
        wrk.run,
        stack.url(role),
        paths,
        connections=CONNECTIONS,
        seconds=duration,
        warmup=2.0,
        cookie=cookie,
    )


def _cart_cookie(product_ids: list[str]) -> str:
    """A shopper's cart of `CART_LINES` lines, signed as the web signs it."""
    cart = Cart(dict.fromkeys(product_ids[:CART_LINES], 1))
    return f"{CART_COOKIE}={CartCodec(BENCH_COOKIE_SECRET).encode(cart)}"


async def _pages(
    stack: Stack, in_stock: list[str], results: report.Results, seconds: float
) -> None:
    """Product, cart and checkout pages: lookup answers them from its read model."""
    stack.reset_calls()
    phase = Phase(stack, "product page", results)
    results.product_page = await _http(
        stack, "web", [f"/products/{pid}" for pid in in_stock], seconds
    )
    phase.end()
    cookie = _cart_cookie(in_stock[:: max(1, len(in_stock) // CART_LINES)])
    phase = Phase(stack, "cart page", results)
    results.cart_page = await _http(stack, "web", ["/cart"], seconds, cookie=cookie)
    phase.end()
    phase = Phase(stack, "checkout page", results)
    results.checkout_page = await _http(stack, "web", ["/checkout"], seconds, cookie=cookie)
    phase.end()
    results.page_calls = stack.calls()


def _index_rows(*, quick: bool = False) -> list[dict[str, float | str]]:
    """The search engine's build time, memory and latency (benchmarks/search.py): at 100k
    for the targets, at 1M for the headroom a 2 GiB task must hold."""
    if quick:
        return search.engine_rows((10_000,))
    return search.engine_rows((*search.ENGINE_SIZES, 1_000_000))


async def run(args: argparse.Namespace) -> report.Results:  # noqa: PLR0915 - one phase after another
    words = catalog_words()
    search_paths = [f"/search?q={w}" for w in words]
    api_paths = [f"/api/products?q={w}" for w in words]
    in_stock = [p.productID for p in generate(args.products) if p.stock > 0]
    results = report.Results(products=args.products, connections=CONNECTIONS, words=len(words))

    print(f"starting the stack with {args.products} products ...", flush=True)
    with Stack(args.products) as stack:
        results.startup = dict(stack.startup)
        print("hello ...", flush=True)
        phase = Phase(stack, "hello", results)
        results.hello = await _http(stack, "hello", ["/"], args.duration)
        phase.end()
        print("lookup API ...", flush=True)
        stack.reset_calls()
        phase = Phase(stack, "lookup API", results)
        results.lookup_api = await _http(stack, "lookup", api_paths, args.duration)
        phase.end()
        results.lookup_api_calls = stack.calls()
        print("lookup API, no two requests alike ...", flush=True)
        results.lookup_api_cold = await _http(
            stack, "lookup", search.distinct("/api/products", words), args.duration
        )
        print("search page ...", flush=True)
        stack.reset_calls()
        phase = Phase(stack, "search page", results)
        results.search = await _http(stack, "web", search_paths, args.duration)
        phase.load_done()
        results.search_drain = await _settle(stack)
        phase.end()
        results.search_calls = stack.calls()
        results.search_dropped = int(
            _metric(_scrape(stack, "web"), "ecomm_events_published_total", result="dropped")
        )
        print("search page, no two requests alike ...", flush=True)
        phase = Phase(stack, "search page, no two alike", results)
        # Second pages: a first page would also send one ProductSearched per request, and
        # their draining would spill into the order phases.
        results.search_cold = await _http(
            stack, "web", search.distinct("/search", words, page=2), args.duration
        )
        phase.end()
        print("product, cart and checkout pages ...", flush=True)
        await _pages(stack, in_stock, results, args.duration)
        for shoppers in ORDER_SHOPPERS:
            print(f"orders, {shoppers} shoppers ...", flush=True)
            stack.reset_calls()
            name = f"orders, {shoppers} shoppers"
            phase = Phase(stack, name, results)
            orders = await drive_orders(
                stack.url("web"),
                in_stock,
                shoppers=shoppers,
                duration=args.orders_duration,
                poll_every=results.order_poll_every,
            )
            phase.load_done()
            drain = await _settle(stack)
            phase.end()
            results.order_runs.append(
                report.OrderRun(shoppers, orders, stack.calls(), results.role_calls[name], drain)
            )
        print(f"idle for {args.idle:.0f} s ...", flush=True)
        stack.reset_calls()
        phase = Phase(stack, "idle", results)
        await asyncio.sleep(args.idle)
        phase.end()
        results.idle_calls = stack.calls()
        results.queues = stack.queues()
        results.idle_seconds = args.idle
    print(f"one order worker vs one at a time, {PIPELINE_LATENCY_MS:g} ms per AWS call ...")
    results.pipeline = await order_worker.measure(
        products=1_000, orders=args.pipeline_orders, latency_ms=PIPELINE_LATENCY_MS
    )
    return results


def main() -> None:
    parser = argparse.ArgumentParser(description="benchmark the shop on this machine")
    parser.add_argument("--products", type=int, default=10_000, help="catalog for the stack")
    parser.add_argument("--duration", type=float, default=10.0, help="s per HTTP benchmark")
    parser.add_argument("--orders-duration", type=float, default=15.0, help="s per load level")
    parser.add_argument("--idle", type=float, default=60.0, help="idle window, s")
    parser.add_argument(
        "--pipeline-orders", type=int, default=300, help="orders for each consumer, at 10 ms"
    )
    parser.add_argument("--quick", action="store_true", help="a short smoke run, not for docs")
    parser.add_argument("--output", type=Path, default=DOC)
    args = parser.parse_args()
    if args.quick:
        args.products, args.duration, args.orders_duration, args.idle = 1000, 3.0, 5.0, 10.0
        args.pipeline_orders = 60
    machine = report.machine()
    started = time.monotonic()
    print("index builds ...", flush=True)
    # Before the event loop: it runs loops of its own.
    index = _index_rows(quick=args.quick)
    results = asyncio.run(run(args))
    results.index = index
    results.wall_seconds = time.monotonic() - started
    text = report.render(machine, results)
    print(text)
    if not args.quick:
        args.output.parent.mkdir(parents=True, exist_ok=True)
        args.output.write_text(text)
        print(f"written to {args.output}")


if __name__ == "__main__":
    main()
