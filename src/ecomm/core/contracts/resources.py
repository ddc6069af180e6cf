"""The AWS resources ecomm needs, described once.

`provision` creates them from these specs, and the CloudFormation template under `infra/` is
tested against them, so a name or a filter policy cannot drift between the two.
"""

from __future__ import annotations

from dataclasses import dataclass

from ecomm.core.contracts.events import EventType

PRODUCTS_TABLE = "Products"
ORDERS_TABLE = "Orders"
EVENTS_TOPIC = "ecommerce-events"
ORDER_QUEUE = "OrderQueue"
LOOKUP_QUEUE = "LookupQueue"
DLQ_SUFFIX = "-dlq"
# After this many receives without a delete, SQS moves a message to the dead-letter queue.
MAX_RECEIVE_COUNT = 5
DLQ_RETENTION_SECONDS = 14 * 24 * 3600


@dataclass(frozen=True)
class TableSpec:
    name: str
    hash_key: str


@dataclass(frozen=True)
class QueueSpec:
    name: str
    event_types: tuple[EventType, ...]

    @property
    def dlq_name(self) -> str:
        return f"{self.name}{DLQ_SUFFIX}"

    def filter_policy(self) -> dict[str, list[str]]:
        return {"type": sorted(t.value for t in self.event_types)}


TABLES: tuple[TableSpec, ...] = (
    TableSpec(PRODUCTS_TABLE, "productID"),
    TableSpec(ORDERS_TABLE, "orderID"),
)

QUEUES: tuple[QueueSpec, ...] = (
    QueueSpec(
        ORDER_QUEUE,
        (
            EventType.ORDER_PLACED,
            EventType.CANCEL_ORDER,
            EventType.SHIP_ORDER,
            EventType.DELIVER_ORDER,
            EventType.PAYMENT_REPORTED,
        ),
    ),
    QueueSpec(
        LOOKUP_QUEUE,
        (
            EventType.PRODUCT_SEARCHED,
            EventType.ORDER_CONFIRMED,
            EventType.ORDER_REJECTED,
            EventType.PRODUCT_CHANGED,
            EventType.ORDER_CANCELLED,
            EventType.ORDER_SHIPPED,
            EventType.ORDER_DELIVERED,
        ),
    ),
)


def topic_may_send(queue_arn: str, topic_arn: str) -> dict[str, object]:
    """The queue policy that lets only the topic send, and only to this queue (infra/ too)."""
    return {
        "Version": "2012-10-17",
        "Statement": [
            {
                "Effect": "Allow",
                "Principal": {"Service": "sns.amazonaws.com"},
                "Action": "sqs:SendMessage",
                "Resource": queue_arn,
                "Condition": {"ArnEquals": {"aws:SourceArn": topic_arn}},
            }
        ],
    }


@dataclass(frozen=True)
class ResourceNames:
    """The concrete names for one stack, prefix applied."""

    products_table: str
    orders_table: str
    topic: str
    order_queue: str
    lookup_queue: str

    prefix: str = ""

    @classmethod
    def with_prefix(cls, prefix: str) -> ResourceNames:
        return cls(
            products_table=f"{prefix}{PRODUCTS_TABLE}",
            orders_table=f"{prefix}{ORDERS_TABLE}",
            topic=f"{prefix}{EVENTS_TOPIC}",
            order_queue=f"{prefix}{ORDER_QUEUE}",
            lookup_queue=f"{prefix}{LOOKUP_QUEUE}",
            prefix=prefix,
        )

    def of(self, base: str) -> str:
        """The name of any resource of this stack, e.g. `of("OrderQueue-dlq")`."""
        return f"{self.prefix}{base}"
