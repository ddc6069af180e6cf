"""Orders per second through ONE order worker process, beside a one-message-at-a-time consumer,
on an emulator that answers every AWS call 10 ms late (as AWS does), calls still in parallel.

    .venv/bin/python -m benchmarks.order_worker [--products 1000] [--orders 400] [--latency-ms 10]

    emulator (own process, --latency-ms) ─┬─ one at a time (this process): receive 1 ─>
                                          │     TransactWriteItems ─> delete ─> next
                                          └─ the order worker (`python -m ecomm --role order`):
                                                receive 10 ─> transactions side by side ─>
                                                publish outcomes (batched) ─> delete (batched)

The one-at-a-time consumer meets a queue that already holds its orders; the worker, once ready,
meets them as they are published (ten to a call, faster than it takes them). Orders per second
run from the first receive (or publish) to the last order decided (confirmed or rejected; both are
a transaction) and its message deleted. The order events are what the web sends: catalog prices,
an address.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import random
import subprocess
import sys
import time
import uuid
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path

from benchmarks.stack import HOST, free_port, wait_until_ok
from ecomm.core.adapters.orders_table import OrderRepository
from ecomm.core.contracts.events import (
    AddressData,
    CustomerData,
    Envelope,
    EventType,
    LineData,
    OrderPlacedData,
    decode,
)
from ecomm.core.runtime.bootstrap import Runtime, open_runtime
from ecomm.core.runtime.settings import Settings
from ecomm.ops.catalog import generate
from ecomm.roles.order.handlers import place_command
from ecomm.roles.order.placing import place_order

TIME_LIMIT = 60.0  # seconds per consumer, whatever happens


@dataclass(frozen=True)
class PipelineResult:
    latency_ms: float
    orders: int
    one_at_a_time: float  # orders/s
    worker: float  # orders/s
    emulator_cores: float = 0.0  # while the worker ran: near 1, moto's serialised DynamoDB
    worker_cores: float = 0.0

    @property
    def ratio(self) -> float:
        return self.worker / self.one_at_a_time if self.one_at_a_time else 0.0


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


async def _recorded(rt: Runtime) -> int:
    answer = await rt.aws.dynamodb.scan(TableName=rt.names.orders_table, Select="COUNT")
    return int(answer["Count"])


async def _in_queue(rt: Runtime, url: str) -> int:
    names = ("ApproximateNumberOfMessages", "ApproximateNumberOfMessagesNotVisible")
    answer = await rt.aws.sqs.get_queue_attributes(QueueUrl=url, AttributeNames=[*names])
    return sum(int(answer["Attributes"][name]) for name in names)


async def _until_recorded(rt: Runtime, url: str, count: int, started: float) -> float:
    """Seconds until the order queue is empty: every order decided and its message deleted,
    as the one-at-a-time consumer's clock also stops after its last delete.

    The probe is a queue attribute, not a Scan of the orders table: the emulator runs DynamoDB
    requests one at a time, and a Scan of 300-600 orders ten times a second held that lock for
    about a quarter of the worker's run (a third of the emulator's CPU), a tax the one-at-a-time
    consumer, which counts its own, never paid."""
    while await _in_queue(rt, url) > 0:
        if time.perf_counter() - started > TIME_LIMIT:
            raise TimeoutError(f"the order queue still held orders after {TIME_LIMIT:.0f} s")
        await asyncio.sleep(0.05)
    took = time.perf_counter() - started
    recorded = await _recorded(rt)
    if recorded < count:
        raise RuntimeError(f"the order queue is empty but only {recorded} of {count} recorded")
    return took


async def one_at_a_time(rt: Runtime, orders: int) -> float:
    """Orders/s of the plainest consumer: one message, its transaction, its delete, in turn."""
    sqs, store = (
        rt.aws.sqs,
        OrderRepository(rt.aws.dynamodb, rt.names.orders_table, rt.names.products_table),
    )
    url = (await sqs.get_queue_url(QueueName=rt.names.order_queue))["QueueUrl"]
    pricing = rt.settings.pricing
    done = 0
    started = time.perf_counter()
    while done < orders and time.perf_counter() - started < TIME_LIMIT:
        answer = await sqs.receive_message(QueueUrl=url, MaxNumberOfMessages=1, WaitTimeSeconds=1)
        for message in answer.get("Messages", []):
            envelope = decode(message["Body"])
            data = envelope.payload()
            assert isinstance(data, OrderPlacedData)  # noqa: S101 - only orders were sent
            command = place_command(data, envelope.correlationId, envelope.occurredAt)
            await place_order(store, command, pricing, envelope.occurredAt)
            await sqs.delete_message(QueueUrl=url, ReceiptHandle=message["ReceiptHandle"])
            done += 1
    return done / (time.perf_counter() - started)


def _cpu_seconds(pid: int) -> float:
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


async def _worker(
    rt: Runtime, env: dict[str, str], orders: list[Envelope], emulator: int
) -> tuple[float, float, float]:
    """Orders/s of the order worker process, timed from when it is ready (its imports and
    start are not the pipeline's) and the orders are published, to the last one recorded."""
    port = free_port()
    worker = await asyncio.to_thread(_spawn_worker, env, port)
    try:
        await asyncio.to_thread(wait_until_ok, f"http://{HOST}:{port}/readyz", 120.0, worker)
        before = await _recorded(rt)
        url = (await rt.aws.sqs.get_queue_url(QueueName=rt.names.order_queue))["QueueUrl"]
        cpu = _cpu_seconds(emulator), _cpu_seconds(worker.pid)
        started = time.perf_counter()
        await rt.publisher.publish_many(orders)
        took = await _until_recorded(rt, url, before + len(orders), started)
        return (
            len(orders) / took,
            (_cpu_seconds(emulator) - cpu[0]) / took,
            (_cpu_seconds(worker.pid) - cpu[1]) / took,
        )
    finally:
        worker.terminate()
        await asyncio.to_thread(worker.wait, 20)


def _spawn_worker(env: dict[str, str], port: int) -> subprocess.Popen[bytes]:
    return subprocess.Popen(
        [sys.executable, "-m", "ecomm", "--role", "order"],
        env=env | {"ECOMM_ORDER_PORT": str(port), "ECOMM_LOG_LEVEL": "WARNING"},
        stdout=subprocess.DEVNULL,  # its metrics (EMF lines) are not this table's
    )


async def measure(products: int, orders: int, latency_ms: float) -> PipelineResult:
    emulator_port = free_port()
    env = {k: v for k, v in os.environ.items() if not k.startswith(("AWS_", "ECOMM_"))} | {
        "AWS_ENDPOINT_URL": f"http://{HOST}:{emulator_port}",
        "AWS_ACCESS_KEY_ID": "bench",
        "AWS_SECRET_ACCESS_KEY": "bench",
        "AWS_DEFAULT_REGION": "us-east-1",
        "ECOMM_LOG_FORMAT": "json",
    }
    emulator = await asyncio.to_thread(_start_emulator, env, emulator_port, products, latency_ms)
    settings = Settings.model_validate(
        {"aws_endpoint_url": env["AWS_ENDPOINT_URL"], "log_format": "json"}
    )
    rng = random.Random(7)
    catalog = {p.productID: p.price for p in generate(products)}
    try:
        async with open_runtime(settings, "bench") as rt:
            await rt.publisher.publish_many([order_event(rng, catalog) for _ in range(orders)])
            plain = await one_at_a_time(rt, orders)
            events = [order_event(rng, catalog) for _ in range(orders)]
            batched, emulator_cores, worker_cores = await _worker(rt, env, events, emulator.pid)
    finally:
        emulator.terminate()
        await asyncio.to_thread(emulator.wait, 20)
    return PipelineResult(latency_ms, orders, plain, batched, emulator_cores, worker_cores)


def _start_emulator(
    env: dict[str, str], port: int, products: int, latency_ms: float
) -> subprocess.Popen[bytes]:
    process = subprocess.Popen(  # noqa: S603 - our own interpreter and module
        [
            sys.executable,
            *("-m", "ecomm", "emulator", "--port", str(port), "--products", str(products)),
            *("--latency-ms", f"{latency_ms:g}"),
        ],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        wait_until_ok(f"http://{HOST}:{port}/_ecomm/ready", 300.0, process)
    except BaseException:
        process.kill()
        raise
    return process


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--products", type=int, default=1_000)
    parser.add_argument("--orders", type=int, default=400)
    parser.add_argument("--latency-ms", type=float, default=10.0)
    args = parser.parse_args()
    r = asyncio.run(measure(args.products, args.orders, args.latency_ms))
    print(
        f"{r.orders} orders at {r.latency_ms:g} ms per AWS call: one at a time "
        f"{r.one_at_a_time:.1f} orders/s, one order worker {r.worker:.1f} orders/s "
        f"({r.ratio:.1f}x); meanwhile the emulator used {r.emulator_cores:.2f} cores, "
        f"the worker {r.worker_cores:.2f}"
    )


if __name__ == "__main__":
    main()
