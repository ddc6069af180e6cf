"""Orders per second through ONE order worker, and AWS calls per order, on the emulator.

    .venv/bin/python -m benchmarks.order_worker [--products 10000] [--orders 500]

The emulator runs in this process; the worker runs as its own process (`python -m ecomm --role
order`), as on ECS. Orders are published up front, so the queue is never empty and the worker
receives full batches; calls are counted at the emulator by service and operation.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import random
import sys
import time
import uuid
from collections import Counter
from decimal import Decimal

from benchmarks.stack import free_port
from ecomm.core.adapters.products_table import ProductRepository
from ecomm.core.contracts.events import (
    AddressData,
    CustomerData,
    Envelope,
    EventType,
    LineData,
    OrderPlacedData,
)
from ecomm.core.runtime.bootstrap import open_runtime
from ecomm.core.runtime.settings import Settings
from ecomm.emulator import Emulator
from ecomm.ops.catalog import generate, seed
from ecomm.ops.provision import provision


def order_event(rng: random.Random, catalog: dict[str, Decimal]) -> Envelope:
    """An order as the web sends it: random lines at the catalog's prices, to an address."""
    ids = list(catalog)
    lines = {rng.choice(ids): rng.randint(1, 2) for _ in range(rng.randint(1, 3))}
    data = OrderPlacedData(
        orderID=uuid.uuid4().hex,
        items=[LineData(productID=p, quantity=q, unitPrice=catalog[p]) for p, q in lines.items()],
        customer=CustomerData(name="Bench Shopper", email="bench@example.com"),
        currency="USD",
        shippingAddress=AddressData(
            line1="1 Bench Street", city="Springfield", postalCode="97477", country="US"
        ),
    )
    return Envelope.wrap(EventType.ORDER_PLACED, data, None)


async def measure(products: int, orders: int) -> dict[str, float]:
    emulator = Emulator(port=0).start()
    settings = Settings.model_validate(
        {"aws_endpoint_url": emulator.url, "resource_prefix": "bench-", "log_format": "json"}
    )
    try:
        async with open_runtime(settings, "bench") as rt:
            await provision(rt.aws, settings)
            await seed(ProductRepository(rt.aws.dynamodb, rt.names.products_table), products)
            rng = random.Random(7)
            catalog = {p.productID: p.price for p in generate(products)}
            await rt.publisher.publish_many([order_event(rng, catalog) for _ in range(orders)])
            emulator.reset_calls()
            env = {
                **os.environ,
                "AWS_ENDPOINT_URL": emulator.url,
                "ECOMM_RESOURCE_PREFIX": "bench-",
                "ECOMM_LOG_LEVEL": "WARNING",
                "ECOMM_ORDER_PORT": str(free_port()),
            }
            worker = await asyncio.create_subprocess_exec(
                sys.executable, "-m", "ecomm", "--role", "order", env=env
            )
            started = time.perf_counter()
            try:
                while worker.returncode is None:
                    count = (
                        await rt.aws.dynamodb.scan(TableName=rt.names.orders_table, Select="COUNT")
                    )["Count"]
                    if count >= orders:
                        break
                    await asyncio.sleep(0.5)
                else:
                    raise RuntimeError(f"the worker exited with {worker.returncode}")
                elapsed = time.perf_counter() - started
            finally:
                worker.terminate()
                await worker.wait()
        calls: Counter[tuple[str, str]] = emulator.calls()
    finally:
        emulator.stop()
    # Our own polling scans are not the worker's calls.
    worker_calls = {k: v for k, v in calls.items() if k != ("dynamodb", "Scan")}
    for (service, operation), count in sorted(worker_calls.items()):
        print(f"  {service:9} {operation:28} {count:6}  ({count / orders:.3f} per order)")
    total = sum(worker_calls.values())
    return {"orders_per_s": orders / elapsed, "calls_per_order": total / orders}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--products", type=int, default=10_000)
    parser.add_argument("--orders", type=int, default=500)
    args = parser.parse_args()
    result = asyncio.run(measure(args.products, args.orders))
    print("| products | orders | orders/s (one worker) | AWS calls per order |")
    print("|---:|---:|---:|---:|")
    print(
        f"| {args.products} | {args.orders} | {result['orders_per_s']:.1f} "
        f"| {result['calls_per_order']:.2f} |"
    )


if __name__ == "__main__":
    main()
