"""The tantivy search engine alone: build time, memory and single-search latency at N products.

    .venv/bin/python -m benchmarks.engine [--sizes 100000,1000000] [--queries 3000]
                                          [--seconds 60]

Each size runs in a fresh process (sizes then share no allocator history). It generates the
catalog (timed apart: that is the generator, not the engine), builds the engine from it, and
reads the process's resident set (VmRSS in /proc/self/status) before and after: the growth is
the engine (index, writer, the product map); the products exist before, and are shared. The
peak (VmHWM) is what a task's memory limit must hold. Then a mix of searches drawn from the
catalog's words (exact words, plurals, prefixes, typos, two words, filters, sorts, later pages,
browsing) runs one at a time, after a warm-up, until `--queries` are done or `--seconds` have
passed: wall time, and the thread's CPU time, which other work on the machine cannot inflate.
Last, batches of 100 changed products are applied (a commit and a reload each).

Targets at 100,000 products: p99 of a single search <= 2 ms, engine memory <= 60 MiB, build
<= 3 s. `make bench` reports 100,000 (benchmarks/search.py); 1,000,000 is this command's.
"""

from __future__ import annotations

import argparse
import dataclasses
import gc
import json
import multiprocessing
import os
import random
import time
from decimal import Decimal
from typing import Any

from benchmarks.stats import percentile
from ecomm.core.domain.search import SearchQuery, Sort
from ecomm.loadgen.words import catalog_words
from ecomm.ops.catalog import generate
from ecomm.roles.lookup.engine import SearchEngine

WARM_UP = 200
APPLY_BATCHES, APPLY_BATCH = 20, 100
TARGETS = {"p99_ms": 2.0, "engine_mib": 60.0, "build_s": 3.0}  # at 100,000 products
CATEGORIES = ("Audio", "Books", "Garden", "Home & Kitchen", "Outdoors", "Toys")


def status_kib(field: str) -> int:
    with open("/proc/self/status") as status:
        for line in status:
            if line.startswith(field + ":"):
                return int(line.split()[1])
    raise LookupError(field)


def _typo(word: str, rng: random.Random) -> str:
    at = rng.randrange(len(word) - 1)
    how = rng.choice(("swap", "drop", "change"))
    if how == "swap":
        return word[:at] + word[at + 1] + word[at] + word[at + 2 :]
    if how == "drop":
        return word[:at] + word[at + 1 :]
    return word[:at] + rng.choice("aeiouxz") + word[at + 1 :]


def query_mix(count: int, seed: int = 7) -> list[SearchQuery]:
    """`count` searches shaped like what shoppers send, from the catalog's own words."""
    rng = random.Random(seed)
    words = catalog_words()
    found = []
    for _ in range(count):
        word = rng.choice(words)
        roll = rng.random()
        if roll < 0.25:
            text = word
        elif roll < 0.35:
            text = word + "s"
        elif roll < 0.5:
            text = word[: rng.randint(2, max(2, len(word) - 1))]
        elif roll < 0.65:
            text = _typo(word, rng) if len(word) > 3 else word
        elif roll < 0.85:
            text = f"{rng.choice(words)} {word[: rng.randint(3, len(word))]}"
        else:
            text = ""
        low = rng.choice((None, None, None, 1000, 5000))
        found.append(
            SearchQuery(
                text=text,
                category=rng.choice((None,) * 24 + CATEGORIES),
                min_cents=low,
                max_cents=rng.choice((None, None, None, 20000)),
                in_stock=rng.choice((None, None, None, True, False)),
                sort=rng.choice((Sort.RELEVANCE,) * 6 + tuple(Sort)),
                page=rng.choice((1,) * 8 + (2, 5)),
                per_page=rng.choice((20, 20, 20, 50)),
            )
        )
    return found


def measure(size: int, queries: int, seconds: float) -> dict[str, Any]:
    """One size, in this process: generation, build, memory, searches, applied batches."""
    gc.collect()
    rss_start = status_kib("VmRSS")
    started = time.perf_counter()
    products = list(generate(size))
    generate_s = time.perf_counter() - started
    gc.collect()
    rss_before = status_kib("VmRSS")
    started = time.perf_counter()
    engine = SearchEngine()
    engine.load(products)
    engine.finish_load()
    search = engine.search
    build_s = time.perf_counter() - started
    gc.collect()
    rss_built = status_kib("VmRSS")
    mix = query_mix(queries + WARM_UP)
    for query in mix[:WARM_UP]:
        search(query)
    latencies: list[float] = []
    cpu: list[float] = []  # this thread's CPU time: what other work on the machine cannot add
    deadline = time.perf_counter() + seconds
    for query in mix[WARM_UP:]:
        began, began_cpu = time.perf_counter(), time.thread_time()
        search(query)
        latencies.append((time.perf_counter() - began) * 1000)
        cpu.append((time.thread_time() - began_cpu) * 1000)
        if began > deadline:
            break
    applies: list[float] = []
    rng = random.Random(3)
    for _ in range(APPLY_BATCHES):
        batch = [
            dataclasses.replace(p, price=p.price + Decimal(1), stock=rng.choice((0, 5)))
            for p in (engine.get(f"P{rng.randint(1, size):06d}") for _ in range(APPLY_BATCH))
            if p is not None
        ]
        began = time.perf_counter()
        engine.apply(batch, [])
        applies.append((time.perf_counter() - began) * 1000)
    return {
        "products": size,
        "generate_s": round(generate_s, 2),
        "build_s": round(build_s, 2),
        "products_mib": round((rss_before - rss_start) / 1024, 1),
        # The engine shares the products; what it adds is the index, the writer, the maps.
        "engine_mib": round((rss_built - rss_before) / 1024, 1),
        "peak_rss_mib": round(status_kib("VmHWM") / 1024, 1),
        "searches": len(latencies),
        "p50_ms": round(percentile(latencies, 0.5), 3),
        "p99_ms": round(percentile(latencies, 0.99), 3),
        "max_ms": round(max(latencies), 3),
        "cpu_p50_ms": round(percentile(cpu, 0.5), 3),
        "cpu_p99_ms": round(percentile(cpu, 0.99), 3),
        "apply_100_p50_ms": round(percentile(applies, 0.5), 2),
        # Other work on the machine slows every number above: say how much there was.
        "load_average": round(os.getloadavg()[0], 1),
    }


def _child(conn: Any, size: int, queries: int, seconds: float) -> None:
    conn.send(measure(size, queries, seconds))
    conn.close()


def run(size: int, queries: int, seconds: float) -> dict[str, Any]:
    """`measure` in a fresh process."""
    context = multiprocessing.get_context("spawn")
    parent, child = context.Pipe(duplex=False)
    process = context.Process(target=_child, args=(child, size, queries, seconds))
    process.start()
    child.close()
    try:
        return dict(parent.recv())
    finally:
        process.join(timeout=60)
        if process.is_alive():
            process.kill()


def main() -> None:
    parser = argparse.ArgumentParser(description="measure the search engine")
    parser.add_argument("--sizes", default="100000")
    parser.add_argument("--queries", type=int, default=3000)
    parser.add_argument("--seconds", type=float, default=60.0)
    args = parser.parse_args()
    for size in (int(s) for s in args.sizes.split(",")):
        row = run(size, args.queries, args.seconds)
        print(json.dumps(row))
        if size == 100_000:
            for name, target in TARGETS.items():
                verdict = "met" if row[name] <= target else "MISSED"
                print(f"  {name}: {row[name]} (target <= {target}): {verdict}")


if __name__ == "__main__":
    main()
