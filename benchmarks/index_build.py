"""The lookup role's search index: build time and memory for N generated products.

    .venv/bin/python -m benchmarks.index_build --products 100000     (prints one JSON line)

Run once per size in a fresh process, so sizes do not share an allocator's history. Memory is
the growth of the process's resident set: the products (which the lookup process holds too) and,
separately, the index structures built over them.
"""

from __future__ import annotations

import argparse
import gc
import json
import os
import time

from ecomm.ops.catalog import generate
from ecomm.roles.lookup.index import SearchIndex

MIB = 2**20


def resident_bytes() -> int:
    with open("/proc/self/statm") as statm:
        return int(statm.read().split()[1]) * os.sysconf("SC_PAGE_SIZE")


def measure(count: int) -> dict[str, float]:
    gc.collect()
    before = resident_bytes()
    products = list(generate(count))
    gc.collect()
    with_products = resident_bytes()
    started = time.perf_counter()
    index = SearchIndex()
    index.load(products)
    index.finish_load()
    seconds = time.perf_counter() - started
    gc.collect()
    built = resident_bytes()
    return {
        "products": len(index),
        "seconds": seconds,
        "products_mib": (with_products - before) / MIB,
        "index_mib": (built - with_products) / MIB,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description="measure one index build")
    parser.add_argument("--products", type=int, required=True)
    print(json.dumps(measure(parser.parse_args().products)))


if __name__ == "__main__":
    main()
