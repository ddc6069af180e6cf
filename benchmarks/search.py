"""Search in `make bench`: its HTTP phases driven by wrk, and the engine's rows at 100,000 products.

The HTTP phases (hello, the lookup API and the search page, each repeated and with no two
requests alike) load the running stack with wrk (`wrk.py`), a C driver that uses a fraction of
the CPU the servers it measures use, so a ratio to hello is the servers' and not the driver's.
Each phase has its own warm-up run; `completed` counts its requests too, because the AWS calls
a phase is charged with were made by every request it sent.

The engine rows come from `engine.py`, in a fresh process per size: build time from generated
data, the index's memory (the growth of the resident set, products apart) and the p99 of one
search at a time. 1,000,000 products take half a minute or more to build and most of a GiB at
the peak, so `make bench` leaves them out; `python -m benchmarks --million` adds their row.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from benchmarks import engine

ENGINE_SIZES = (100_000,)
TASK_MIB = 2048  # the Fargate task lookup must build and serve 1,000,000 products in
ENGINE_QUERIES = 3_000
ENGINE_SECONDS = 30.0
# Enough different searches that no two requests of a phase are alike.
DISTINCT = 200_000


def distinct(path: str, words: Sequence[str], *, page: int = 1) -> list[str]:
    """`path` with each word and a different maximum price, every one above the catalog's
    dearest product: the answers are the plain searches', but no two requests are alike."""
    return [
        f"{path}?q={words[i % len(words)]}&max_price={1000 + i / 100:.2f}"
        + (f"&page={page}" if page > 1 else "")
        for i in range(DISTINCT)
    ]


def engine_rows(sizes: Sequence[int] = ENGINE_SIZES) -> list[dict[str, float | str]]:
    """The report's index rows: build, memory and one search at a time, per catalog size."""
    rows: list[dict[str, float | str]] = []
    for size in sizes:
        row = engine.run(size, ENGINE_QUERIES, ENGINE_SECONDS)
        rows.append(
            {
                "products": size,
                "seconds": row["build_s"],
                "source": "generated, in memory (tantivy)",
                "mib": row["products_mib"] + row["engine_mib"],
                "search": _engine_text(row),
            }
        )
    return rows


def _engine_text(row: dict[str, Any]) -> str:
    verdicts = ""
    if row["products"] == 100_000:
        missed = [name for name, target in engine.TARGETS.items() if row[name] > target]
        verdicts = " · targets (build ≤ 3 s, index ≤ 60 MiB, p99 ≤ 2 ms): " + (
            "met" if not missed else "**missed** " + ", ".join(missed)
        )
    elif row["products"] >= 1_000_000:
        fits = row["peak_rss_mib"] <= TASK_MIB
        verdicts = f" · a 2 GiB Fargate task holds the peak: {'yes' if fits else '**no**'}"
    return (
        f"index {row['engine_mib']:.0f} MiB of it, peak {row['peak_rss_mib']:.0f} MiB · "
        f"one search at a time p50 {row['p50_ms']:.2f} / p99 {row['p99_ms']:.2f} ms "
        f"(CPU p99 {row['cpu_p99_ms']:.2f} ms; load average {row['load_average']}) · "
        f"a batch of 100 changes {row['apply_100_p50_ms']} ms{verdicts}"
    )
