"""Search that stays fast as the catalog grows: the lookup role at 1,000 and 100,000 products.

    .venv/bin/python -m benchmarks.search [--sizes 1000,100000] [--requests 1500]
                                          [--connections 32] [--scan-limit 20000]

For each size: seed N generated products into the in-process emulator (timed), start the lookup
app in a child process that builds its index (timed; memory as the growth of its resident set,
products included). Then drive a fixed mix of searches through HTTP on 127.0.0.1 with an aiohttp
client: one request at a time, to each size in turn (so that whatever else the machine does
slows every size alike), then `--connections` at once, one size after the other. DynamoDB calls
are counted at the emulator from the first search on; there should be none.

The child builds from a Scan of the seeded table up to `--scan-limit` products. Above that it
builds from the same generated catalog instead: moto serialises every scanned item through
botocore's model (about 1 ms per item), so a 100,000-product scan measures moto, not the index.

`measure(...)` returns the rows; `make bench` can call it. Targets: single-request p99 under 10 ms
at the largest size, and its p50 at most twice the p50 at the smallest.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import gc
import multiprocessing
import os
import time
from dataclasses import dataclass, field
from multiprocessing.connection import Connection
from typing import Any

import aiohttp
from aiohttp import web

MIB = 2**20
HOST = "127.0.0.1"
TARGET_P99_MS = 10.0
TARGET_GROWTH = 2.0

# A fixed mix of what shoppers send: words, prefixes while typing, a typo, accents, filters,
# sorts, deep pages, and browsing without a query.
QUERY_MIX = (
    "q=headphones",
    "q=wireless+headph",
    "q=oak+kettle",
    "q=hedphones",
    "q=audio",
    "q=compact&in_stock=true&page=3",
    "q=steel&sort=price_desc",
    "q=tent&sort=name&min_price=100",
    "category=Audio&sort=price_asc",
    "",
    "min_price=10&max_price=50&in_stock=true",
    "q=wool+scarf&category=Fashion",
    "q=zen+walnut+speaker",
    "q=st",
    "q=CL%C3%80SSIC+b%C3%A0mboo",  # "CLÀSSIC bàmboo"
    "q=trail+backpack&sort=price_asc&per_page=50",
)


@dataclass(frozen=True)
class Row:
    products: int
    seed_seconds: float
    build_source: str
    build_seconds: float
    index_mib: float
    single_p50_ms: float
    single_p99_ms: float
    concurrent_p50_ms: float
    concurrent_p99_ms: float
    concurrent_rps: float
    dynamodb_calls: int


def measure(
    sizes: tuple[int, ...] = (1_000, 100_000),
    *,
    requests: int = 1_500,
    connections: int = 32,
    scan_limit: int = 20_000,
) -> list[Row]:
    """Start an emulator, measure every size, stop it; one row per size."""
    from ecomm.core.runtime.logs import configure_logging  # noqa: PLC0415
    from ecomm.emulator import Emulator  # noqa: PLC0415 - the emulator extra, only when run

    # The emulator only: dummy credentials, loopback endpoint; nothing can reach a real account.
    dummy = "benchmark"
    os.environ.update(
        AWS_ACCESS_KEY_ID=dummy, AWS_SECRET_ACCESS_KEY=dummy, AWS_DEFAULT_REGION="us-east-1"
    )
    os.environ.pop("AWS_PROFILE", None)
    os.environ.pop("AWS_SESSION_TOKEN", None)
    configure_logging(_settings("", ""))  # warnings only: the table is the output
    emulator = Emulator(host=HOST, port=0).start()
    os.environ["AWS_ENDPOINT_URL"] = emulator.url
    try:
        return asyncio.run(_measure(emulator, sizes, requests, connections, scan_limit))
    finally:
        emulator.stop()


@dataclass
class _Server:
    """One size's seeded table and the lookup app serving its index, in a child process."""

    size: int
    seed_seconds: float
    from_table: bool
    process: Any = None
    pipe: Connection | None = None
    built: dict[str, Any] = field(default_factory=dict)

    @property
    def url(self) -> str:
        return f"http://{HOST}:{self.built['port']}/api/products?"

    def stop(self) -> None:
        if self.pipe is not None:
            with contextlib.suppress(OSError):  # the child may be gone already
                self.pipe.send("stop")
        if self.process is not None:
            self.process.join(timeout=30)
            if self.process.is_alive():
                self.process.kill()


async def _measure(
    emulator: Any, sizes: tuple[int, ...], requests: int, connections: int, scan_limit: int
) -> list[Row]:
    servers: list[_Server] = []
    try:
        for size in sizes:
            servers.append(await _start(emulator, size, size <= scan_limit))
        before = _dynamodb_calls(emulator)
        # One request at a time, to every size in turn: whatever else the machine is doing
        # then slows every size alike, and the ratio between sizes is the index's doing.
        single = await _one_at_a_time([s.url for s in servers], requests)
        rows = []
        for server, latencies in zip(servers, single, strict=True):
            concurrent, seconds = await _at_once(server.url, requests * 2, connections)
            rows.append(
                Row(
                    products=server.size,
                    seed_seconds=server.seed_seconds,
                    build_source="table scan" if server.from_table else "generated",
                    build_seconds=server.built["build_seconds"],
                    index_mib=server.built["index_mib"],
                    single_p50_ms=_percentile(latencies, 0.50) * 1000,
                    single_p99_ms=_percentile(latencies, 0.99) * 1000,
                    concurrent_p50_ms=_percentile(concurrent, 0.50) * 1000,
                    concurrent_p99_ms=_percentile(concurrent, 0.99) * 1000,
                    concurrent_rps=len(concurrent) / seconds,
                    dynamodb_calls=_dynamodb_calls(emulator) - before,
                )
            )
        return rows
    finally:
        for server in servers:
            server.stop()


async def _start(emulator: Any, size: int, from_table: bool) -> _Server:
    """Seed the size's own tables, then start its server and wait until its index is built."""
    from ecomm.core.adapters.products_table import ProductRepository  # noqa: PLC0415
    from ecomm.core.runtime.bootstrap import open_runtime  # noqa: PLC0415
    from ecomm.ops.catalog import seed  # noqa: PLC0415
    from ecomm.ops.provision import provision  # noqa: PLC0415

    settings = _settings(emulator.url, f"bench{size}-")
    async with open_runtime(settings, "benchmark") as rt:
        await provision(rt.aws, settings)
        started = time.perf_counter()
        await seed(
            ProductRepository(rt.aws.dynamodb, rt.names.products_table), size, progress=False
        )
        server = _Server(size, time.perf_counter() - started, from_table)
    spawn = multiprocessing.get_context("spawn")
    server.pipe, child = spawn.Pipe()
    server.process = spawn.Process(
        target=_child, args=(child, size, emulator.url, settings.resource_prefix, from_table)
    )
    server.process.start()
    child.close()  # so that if the child dies, recv() raises instead of waiting forever
    server.built = await asyncio.get_running_loop().run_in_executor(None, server.pipe.recv)
    if server.built["products"] != size:
        raise RuntimeError(f"the index holds {server.built['products']} products, not {size}")
    return server


async def _timed(http: aiohttp.ClientSession, url: str) -> float:
    started = time.perf_counter()
    async with http.get(url) as answer:
        await answer.read()
        if answer.status != 200:
            raise RuntimeError(f"{url} answered {answer.status}")
    return time.perf_counter() - started


async def _one_at_a_time(bases: list[str], requests: int) -> list[list[float]]:
    """For each base URL, the latencies of `requests` searches of the mix, sent one by one."""
    latencies: list[list[float]] = [[] for _ in bases]
    async with aiohttp.ClientSession() as http:
        for base in bases:  # warm-up: connections, and the first page of each order
            for query in QUERY_MIX * 5:
                await _timed(http, base + query)
        for i in range(requests):
            query = QUERY_MIX[i % len(QUERY_MIX)]
            for base, found in zip(bases, latencies, strict=True):
                found.append(await _timed(http, base + query))
    return latencies


async def _at_once(base: str, requests: int, connections: int) -> tuple[list[float], float]:
    """Latencies of `requests` searches sent over `connections` keep-alive connections."""
    connector = aiohttp.TCPConnector(limit=connections)
    async with aiohttp.ClientSession(connector=connector) as http:
        latencies: list[float] = []

        async def worker(first: int) -> None:
            for i in range(first, requests, connections):
                latencies.append(await _timed(http, base + QUERY_MIX[i % len(QUERY_MIX)]))

        started = time.perf_counter()
        await asyncio.gather(*(worker(k) for k in range(connections)))
        return latencies, time.perf_counter() - started


def _child(conn: Connection, size: int, endpoint: str, prefix: str, from_table: bool) -> None:
    asyncio.run(_serve(conn, size, endpoint, prefix, from_table))


async def _serve(conn: Connection, size: int, endpoint: str, prefix: str, from_table: bool) -> None:
    """The lookup app over a freshly built index, until the parent says stop."""
    from ecomm.core.adapters.products_table import ProductRepository  # noqa: PLC0415
    from ecomm.core.runtime.bootstrap import open_runtime  # noqa: PLC0415
    from ecomm.core.runtime.logs import configure_logging  # noqa: PLC0415
    from ecomm.ops.catalog import generate  # noqa: PLC0415
    from ecomm.roles.lookup.app import create_app  # noqa: PLC0415
    from ecomm.roles.lookup.readmodel import ReadModel  # noqa: PLC0415
    from ecomm.roles.lookup.sync import CatalogSync  # noqa: PLC0415
    from ecomm.roles.lookup.trending import Trending  # noqa: PLC0415

    settings = _settings(endpoint, prefix)
    configure_logging(settings)
    async with open_runtime(settings, "lookup") as rt:
        products = ProductRepository(rt.aws.dynamodb, rt.names.products_table)
        model = ReadModel()
        gc.collect()
        before = _resident_bytes()
        started = time.perf_counter()
        if from_table:
            await CatalogSync(products, model).load()
        else:
            model.index.load(generate(size))
            model.index.finish_load()
            model.mark_ready()
        build_seconds = time.perf_counter() - started
        gc.collect()
        index_mib = (_resident_bytes() - before) / MIB
        gc.freeze()  # as the service does once its index is loaded
        app = create_app(model=model, trending=Trending(), products=products, metrics=rt.metrics)
        runner = web.AppRunner(app, access_log=None)
        await runner.setup()
        await web.TCPSite(runner, HOST, 0).start()
        port = runner.addresses[0][1]
        conn.send(
            {
                "port": port,
                "products": len(model.index),
                "build_seconds": build_seconds,
                "index_mib": index_mib,
            }
        )
        try:
            await asyncio.get_running_loop().run_in_executor(None, conn.recv)
        finally:
            await runner.cleanup()


def _settings(endpoint: str, prefix: str) -> Any:
    from ecomm.core.runtime.settings import Settings  # noqa: PLC0415

    return Settings.model_validate(
        {
            "aws_endpoint_url": endpoint,
            "resource_prefix": prefix,
            "log_level": "WARNING",
            "log_format": "json",
        }
    )


def _dynamodb_calls(emulator: Any) -> int:
    return sum(n for (service, _), n in emulator.calls().items() if service == "dynamodb")


def _resident_bytes() -> int:
    with open("/proc/self/statm") as statm:
        return int(statm.read().split()[1]) * os.sysconf("SC_PAGE_SIZE")


def _percentile(values: list[float], fraction: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(fraction * len(ordered)))]


def render(rows: list[Row]) -> str:
    lines = [
        "| products | seed | index build | index memory | p50 / p99, 1 at a time "
        "| p50 / p99, 32 at once | req/s at 32 | DynamoDB calls since searching began |",
        "|---:|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for r in rows:
        lines.append(
            f"| {r.products:,} | {r.seed_seconds:.1f} s ({r.products / r.seed_seconds:,.0f}/s) "
            f"| {r.build_seconds:.2f} s ({r.build_source}) | {r.index_mib:.0f} MiB "
            f"| {r.single_p50_ms:.2f} / {r.single_p99_ms:.2f} ms "
            f"| {r.concurrent_p50_ms:.2f} / {r.concurrent_p99_ms:.2f} ms "
            f"| {r.concurrent_rps:,.0f} | {r.dynamodb_calls} |"
        )
    if len(rows) >= 2:
        small, large = rows[0], rows[-1]
        growth = large.single_p50_ms / small.single_p50_ms
        p99_ok = "met" if large.single_p99_ms < TARGET_P99_MS else "MISSED"
        growth_ok = "met" if growth <= TARGET_GROWTH else "MISSED"
        lines += [
            "",
            f"p99 of one request at {large.products:,}: {large.single_p99_ms:.2f} ms "
            f"(target < {TARGET_P99_MS:.0f} ms: {p99_ok})",
            f"p50 at {large.products:,} / p50 at {small.products:,}: {growth:.2f}x "
            f"(target <= {TARGET_GROWTH:.0f}x: {growth_ok}); p99: "
            f"{large.single_p99_ms / small.single_p99_ms:.2f}x",
        ]
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sizes", default="1000,100000", help="comma-separated product counts")
    parser.add_argument("--requests", type=int, default=1_500, help="requests per phase")
    parser.add_argument("--connections", type=int, default=32)
    parser.add_argument("--scan-limit", type=int, default=20_000, help="build from a Scan up to")
    args = parser.parse_args()
    sizes = tuple(int(s) for s in args.sizes.split(",") if s.strip())
    rows = measure(
        sizes, requests=args.requests, connections=args.connections, scan_limit=args.scan_limit
    )
    print(render(rows))


if __name__ == "__main__":
    main()
