"""The benchmark's one table (and the details under it), in Markdown, with the machine named.

Targets are checked here, and a missed one says by how much.
"""

from __future__ import annotations

import math
import os
import platform
import subprocess
from collections import Counter
from dataclasses import dataclass, field
from datetime import UTC, datetime
from importlib.metadata import version

from benchmarks.http_load import LoadResult
from benchmarks.orders import OrdersResult

Calls = Counter[tuple[str, str]]
QUEUES = 2  # OrderQueue (order worker) and LookupQueue (lookup): one long-polling consumer each
STATUS_READ = ("dynamodb", "GetItem")

TARGET_API_RATIO = 0.5
TARGET_SEARCH_RATIO = 0.15
TARGET_SEARCH_P99 = 0.050
TARGET_CALLS_PER_ORDER = 2.5
TARGET_IDLE_RECEIVES = 3.0


@dataclass
class Results:
    products: int
    connections: int
    index: list[dict[str, float]] = field(default_factory=list)
    startup: dict[str, float] = field(default_factory=dict)
    hello: LoadResult | None = None
    lookup_api: LoadResult | None = None
    lookup_api_calls: Calls = field(default_factory=Counter)
    search: LoadResult | None = None
    search_calls: Calls = field(default_factory=Counter)
    search_dropped: int = 0
    orders: OrdersResult | None = None
    order_calls: Calls = field(default_factory=Counter)
    idle_calls: Calls = field(default_factory=Counter)
    idle_seconds: float = 60.0
    order_shoppers: int = 8
    order_poll_every: float = 0.05
    wall_seconds: float = 0.0


def _cpu_model() -> str:
    try:
        with open("/proc/cpuinfo") as info:
            for line in info:
                if line.startswith("model name"):
                    return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or "unknown CPU"


def _memory_gib() -> float:
    try:
        with open("/proc/meminfo") as info:
            for line in info:
                if line.startswith("MemTotal:"):
                    return int(line.split()[1]) / 2**20
    except OSError:
        pass
    return math.nan


def _commit() -> str:
    try:
        return subprocess.run(
            ["git", "rev-parse", "--short", "HEAD"],  # noqa: S607 - git from PATH, read-only
            check=True,
            capture_output=True,
            text=True,
        ).stdout.strip()
    except (OSError, subprocess.CalledProcessError):
        return "unknown"


def machine() -> dict[str, str]:
    load = ", ".join(f"{v:.2f}" for v in os.getloadavg())
    return {
        "cpu": _cpu_model(),
        "cores": f"{len(os.sched_getaffinity(0))} usable of {os.cpu_count()}",
        "memory": f"{_memory_gib():.1f} GiB",
        "python": f"{platform.python_implementation()} {platform.python_version()}",
        "aiohttp": version("aiohttp"),
        "os": platform.platform(),
        "date": datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC"),
        "load": load,
        "commit": _commit(),
    }


def _ms(seconds: float) -> str:
    return "-" if math.isnan(seconds) else f"{seconds * 1000:.1f} ms"


def _http(result: LoadResult | None, hello: LoadResult | None) -> str:
    if result is None:
        return "not measured"
    text = f"{result.rps:,.0f} req/s · p50 {_ms(result.p50)} · p99 {_ms(result.p99)}"
    if hello is not None and result is not hello and hello.rps:
        text += f" · **{result.rps / hello.rps:.2f}x hello**"
    if result.errors:
        text += f" · {result.errors} non-200"
    return text


def _missed(actual: float, target: float, *, higher_is_better: bool, unit: str = "") -> str:
    off = (target - actual) / target if higher_is_better else (actual - target) / target
    return f"{actual:.2f}{unit} vs {target:g}{unit}: {off:.0%} short"


def _verdict(checks: list[tuple[bool, str]]) -> str:
    misses = [why for ok, why in checks if not ok]
    return "met" if not misses else "**missed**: " + "; ".join(misses)


def _by_operation(calls: Calls, per: float) -> str:
    if not calls:
        return "none"
    parts = [f"{s} {o} {n / per:.2f}" for (s, o), n in sorted(calls.items(), key=lambda x: -x[1])]
    return ", ".join(parts)


def _without(calls: Calls, key: tuple[str, str]) -> Calls:
    return Counter({k: v for k, v in calls.items() if k != key})


def _ratio(result: LoadResult | None, hello: LoadResult | None) -> float:
    if result is None or hello is None or not hello.rps:
        return math.nan
    return result.rps / hello.rps


def _summary_rows(r: Results) -> list[tuple[str, str, str, str]]:
    rows: list[tuple[str, str, str, str]] = []
    rows.append(("bare aiohttp hello (`GET /`)", _http(r.hello, r.hello), "the ceiling", "-"))
    api_ratio = _ratio(r.lookup_api, r.hello)
    rows.append(
        (
            "lookup API (`/api/products?q=`)",
            _http(r.lookup_api, r.hello),
            f"≥ {TARGET_API_RATIO}x hello",
            _verdict(
                [
                    (
                        api_ratio >= TARGET_API_RATIO,
                        _missed(api_ratio, TARGET_API_RATIO, higher_is_better=True, unit="x"),
                    )
                ]
            ),
        )
    )
    search_ratio = _ratio(r.search, r.hello)
    p99 = r.search.p99 if r.search else math.nan
    rows.append(
        (
            "search page (`/search?q=`, web → lookup)",
            _http(r.search, r.hello),
            f"≥ {TARGET_SEARCH_RATIO}x hello, p99 < {TARGET_SEARCH_P99 * 1000:.0f} ms",
            _verdict(
                [
                    (
                        search_ratio >= TARGET_SEARCH_RATIO,
                        _missed(search_ratio, TARGET_SEARCH_RATIO, higher_is_better=True, unit="x"),
                    ),
                    (
                        p99 < TARGET_SEARCH_P99,
                        f"p99 {_ms(p99)} vs {_ms(TARGET_SEARCH_P99)}: "
                        f"{(p99 - TARGET_SEARCH_P99) / TARGET_SEARCH_P99:.0%} over",
                    ),
                ]
            ),
        )
    )
    if r.orders is not None:
        o = r.orders
        outcomes = ", ".join(f"{v} {k}" for k, v in sorted(o.outcomes.items()))
        errors = f" · {len(o.errors)} errors" if o.errors else ""
        rows.append(
            (
                "orders end to end (web checkout → CONFIRMED)",
                f"{o.per_second:.1f} orders/s · p50 {_ms(o.p50)} · p99 {_ms(o.p99)} "
                f"({r.order_shoppers} shoppers, status polled every "
                f"{r.order_poll_every * 1000:.0f} ms; {outcomes}{errors})",
                "-",
                "-",
            )
        )
    searches = r.search.completed if r.search else 0
    if searches:
        total = sum(r.search_calls.values())
        dynamodb = sum(n for (s, _), n in r.search_calls.items() if s == "dynamodb")
        rows.append(
            (
                "AWS calls per search page",
                f"{total / searches:.3f} ({_by_operation(r.search_calls, searches)})",
                "no DynamoDB call",
                _verdict([(dynamodb == 0, f"{dynamodb} DynamoDB calls")]),
            )
        )
    confirmed = r.orders.confirmed if r.orders else 0
    if confirmed:
        total = sum(r.order_calls.values())
        pipeline = total - r.order_calls.get(STATUS_READ, 0)
        rows.append(
            (
                "AWS calls per confirmed order",
                f"{pipeline / confirmed:.2f} placing and confirming it "
                f"({_by_operation(_without(r.order_calls, STATUS_READ), confirmed)}); "
                f"{total / confirmed:.2f} with the status page's polls "
                f"(dynamodb GetItem {r.order_calls.get(STATUS_READ, 0) / confirmed:.2f})",
                f"≤ {TARGET_CALLS_PER_ORDER}",
                _verdict(
                    [
                        (
                            pipeline / confirmed <= TARGET_CALLS_PER_ORDER,
                            _missed(
                                pipeline / confirmed,
                                TARGET_CALLS_PER_ORDER,
                                higher_is_better=False,
                            ),
                        )
                    ]
                ),
            )
        )
    minute = 60.0 / r.idle_seconds if r.idle_seconds else math.nan
    receives = r.idle_calls.get(("sqs", "ReceiveMessage"), 0) * minute / QUEUES
    scaled = "" if r.idle_seconds == 60 else f", a {r.idle_seconds:.0f} s window scaled to 60 s"
    rows.append(
        (
            "AWS calls per idle minute",
            f"{sum(r.idle_calls.values()) * minute:.1f} "
            f"({_by_operation(r.idle_calls, 1 / minute)}){scaled}; "
            f"{receives:.1f} receives per queue",
            f"≤ {TARGET_IDLE_RECEIVES:g} receives per queue",
            _verdict(
                [
                    (
                        receives <= TARGET_IDLE_RECEIVES,
                        _missed(receives, TARGET_IDLE_RECEIVES, higher_is_better=False),
                    )
                ]
            ),
        )
    )
    for row in r.index:
        rows.append(
            (
                f"lookup index build, {int(row['products']):,} products",
                f"{row['seconds']:.2f} s · index {row['index_mib']:.1f} MiB "
                f"(+ products {row['products_mib']:.1f} MiB)",
                "-",
                "-",
            )
        )
    if "emulator" in r.startup:
        rows.append(
            (
                "stack start",
                f"emulator provisioned and seeded with {r.products:,} products in "
                f"{r.startup['emulator']:.1f} s; lookup ready (Scan + index) in "
                f"{r.startup.get('lookup', math.nan):.1f} s",
                "-",
                "-",
            )
        )
    return rows


def render(machine: dict[str, str], r: Results) -> str:
    rows = _summary_rows(r)
    lines = [
        "# Benchmarks",
        "",
        "Generated by `make bench` (`python -m benchmarks`); edit the code, not this file.",
        "",
        f"**Machine**: {machine['cpu']}, {machine['cores']} cores, {machine['memory']} memory, "
        f"{machine['python']}, aiohttp {machine['aiohttp']}, {machine['os']}; "
        f"{machine['date']}, commit {machine['commit']}; load average {machine['load']} "
        "when the run began.",
        "",
        f"**How**: the emulator and each role run as separate processes (`python -m ecomm "
        f"emulator`, `python -m ecomm --role web|lookup|order`, JSON logs at WARNING), and so "
        f"does a bare aiohttp hello handler, measured in the same run; the drivers run in the "
        f"benchmark process on the same cores. HTTP: {r.connections} keep-alive connections, "
        f"closed loop, 2 s warm-up then the measured window, queries drawn from the catalog's "
        f"words; the stack holds {r.products:,} products. Orders: {r.order_shoppers} shoppers each "
        "open a product page, add it to the cart, check out through the web form (CSRF "
        "included) and poll the status JSON until final; checkout's per-client rate limit is "
        "lifted, as every shopper here shares one address. AWS calls are counted at the "
        "emulator by service and operation, after the queues' consumers went quiet.",
        "",
        "| measure | result | target | verdict |",
        "|---|---|---|---|",
    ]
    lines += [f"| {a} | {b} | {c} | {d} |" for a, b, c, d in rows]
    lines += ["", f"The whole run took {r.wall_seconds:.0f} s.", ""]
    return "\n".join(lines)
