"""What AWS charges, and what the benchmark's measurements cost at those prices.

Prices: AWS us-east-1, on-demand, as published on aws.amazon.com/{dynamodb,sns,sqs,fargate}/pricing
(DynamoDB on-demand after its 2024-11-01 reduction); free tiers left out. Check them before
quoting: they change.

    requests:  AWS calls counted at the emulator x units per call x unit price
    compute:   CPU-seconds the roles used x (1 vCPU + its memory) of Fargate, per second

Units per call: a strongly consistent GetItem of an item under 4 KB is one read unit; a
BatchGetItem one per key it reads; a transaction two write units per KB of each item it writes
(an order item, with address, lines and history, is taken as 2 KB; a product as 1 KB). SNS
bills a publish, and SQS any request, per 64 KB chunk of payload: every call here carries less
(ten ~1 KB events at most), so one call is one request; SNS's deliveries to SQS are free.
Compute assumes tasks busy all the time with `TASK_GB_PER_VCPU` GB per vCPU: a task idling half
the time costs twice as much per order.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from decimal import Decimal

PRICES_AS_OF = "2025 (unchanged when checked on 2026-11-29)"
MILLION = 1_000_000

DYNAMODB_WRITE_UNIT = Decimal("0.625") / MILLION  # on-demand write request unit
DYNAMODB_READ_UNIT = Decimal("0.125") / MILLION  # on-demand read request unit
SNS_REQUEST = Decimal("0.50") / MILLION  # standard topic, per 64 KB published
SQS_REQUEST = Decimal("0.40") / MILLION  # standard queue, per 64 KB request
FARGATE_VCPU_HOUR = Decimal("0.04048")  # Linux/x86
FARGATE_GB_HOUR = Decimal("0.004445")
TASK_GB_PER_VCPU = 2

ORDER_ITEM_KB = 2
PRODUCT_ITEM_KB = 1

PRICE_TABLE: tuple[tuple[str, str, str], ...] = (
    ("DynamoDB on-demand write request unit", "$0.625 per million", "DYNAMODB_WRITE_UNIT"),
    ("DynamoDB on-demand read request unit", "$0.125 per million", "DYNAMODB_READ_UNIT"),
    ("SNS standard publish (per 64 KB)", "$0.50 per million", "SNS_REQUEST"),
    ("SQS standard request (per 64 KB)", "$0.40 per million", "SQS_REQUEST"),
    ("Fargate vCPU (Linux/x86)", "$0.04048 per hour", "FARGATE_VCPU_HOUR"),
    ("Fargate memory", "$0.004445 per GB-hour", "FARGATE_GB_HOUR"),
)

Calls = Mapping[tuple[str, str], float]


@dataclass(frozen=True)
class Cost:
    """Dollars for one million of something, by where they go."""

    dynamodb: Decimal
    sns: Decimal
    sqs: Decimal
    compute: Decimal

    @property
    def total(self) -> Decimal:
        return self.dynamodb + self.sns + self.sqs + self.compute


def transaction_write_units(lines: float) -> Decimal:
    """Write units of one order transaction: the order item and each product line, twice."""
    return 2 * (ORDER_ITEM_KB + Decimal(str(lines)) * PRODUCT_ITEM_KB)


def dynamodb_units(
    operation: str, calls: float, *, lines: float = 1.0, keys_read: float = 0.0
) -> tuple[Decimal, Decimal]:
    """(read units, write units) that `calls` of `operation` use."""
    n = Decimal(str(calls))
    if operation == "TransactWriteItems":
        return Decimal(0), n * transaction_write_units(lines)
    if operation == "BatchGetItem":
        return Decimal(str(keys_read)), Decimal(0)
    if operation in {"GetItem", "Query", "Scan", "DescribeTable"}:
        return (n if operation != "DescribeTable" else Decimal(0)), Decimal(0)
    if operation in {"PutItem", "UpdateItem", "DeleteItem"}:
        return Decimal(0), n * ORDER_ITEM_KB
    return Decimal(0), Decimal(0)


def per_million(
    calls: Calls, cpu_seconds: float, *, lines: float = 1.0, keys_read: float = 0.0
) -> Cost:
    """The cost of a million units (orders, pages) that each made `calls` and used
    `cpu_seconds` of the roles' CPU; `keys_read` is what one unit's BatchGetItems read."""
    dynamodb = sns = sqs = Decimal(0)
    for (service, operation), count in calls.items():
        n = Decimal(str(count))
        if service == "dynamodb":
            read, write = dynamodb_units(operation, count, lines=lines, keys_read=keys_read)
            dynamodb += read * DYNAMODB_READ_UNIT + write * DYNAMODB_WRITE_UNIT
        elif service == "sns":
            sns += n * SNS_REQUEST
        elif service == "sqs":
            sqs += n * SQS_REQUEST
    per_second = (FARGATE_VCPU_HOUR + TASK_GB_PER_VCPU * FARGATE_GB_HOUR) / 3600
    compute = Decimal(str(cpu_seconds)) * per_second
    return Cost(dynamodb * MILLION, sns * MILLION, sqs * MILLION, compute * MILLION)
