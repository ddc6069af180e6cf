"""Reading and replaying a queue's dead letters (`python -m ecomm dlq list|redrive QUEUE`).

SQS has no "peek": listing receives each message with a short visibility timeout and leaves it
in place. Redriving sends each body back to the source queue with its attributes, and deletes
the dead letter only once the send succeeded, so a failure half way loses nothing.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from ecomm.core.contracts.resources import DLQ_SUFFIX

if TYPE_CHECKING:
    from types_aiobotocore_sqs import SQSClient


@dataclass(frozen=True)
class DeadLetter:
    message_id: str
    body: str
    receive_count: int
    sent_at: str


async def _receive(sqs: SQSClient, url: str, visibility: int) -> list[Any]:
    answer = await sqs.receive_message(
        QueueUrl=url,
        MaxNumberOfMessages=10,
        WaitTimeSeconds=1,
        VisibilityTimeout=visibility,
        MessageSystemAttributeNames=["All"],
        MessageAttributeNames=["All"],
    )
    return list(answer.get("Messages", []))


async def list_dead_letters(sqs: SQSClient, queue_name: str, limit: int = 100) -> list[DeadLetter]:
    url = (await sqs.get_queue_url(QueueName=queue_name + DLQ_SUFFIX))["QueueUrl"]
    seen: dict[str, DeadLetter] = {}
    while len(seen) < limit:
        batch = await _receive(sqs, url, visibility=5)
        fresh = [m for m in batch if m["MessageId"] not in seen]
        if not fresh:
            break
        for m in fresh:
            attrs = m.get("Attributes", {})
            seen[m["MessageId"]] = DeadLetter(
                message_id=m["MessageId"],
                body=m.get("Body", ""),
                receive_count=int(attrs.get("ApproximateReceiveCount", "0")),
                sent_at=attrs.get("SentTimestamp", ""),
            )
    return list(seen.values())[:limit]


async def redrive(sqs: SQSClient, queue_name: str, limit: int = 1000) -> int:
    """Move up to `limit` dead letters back to `queue_name`; returns how many moved."""
    source = (await sqs.get_queue_url(QueueName=queue_name + DLQ_SUFFIX))["QueueUrl"]
    target = (await sqs.get_queue_url(QueueName=queue_name))["QueueUrl"]
    moved = 0
    while moved < limit:
        batch = await _receive(sqs, source, visibility=30)
        if not batch:
            break
        for m in batch:
            kwargs: dict[str, Any] = {"QueueUrl": target, "MessageBody": m.get("Body", "")}
            if m.get("MessageAttributes"):
                kwargs["MessageAttributes"] = m["MessageAttributes"]
            await sqs.send_message(**kwargs)
            await sqs.delete_message(QueueUrl=source, ReceiptHandle=m["ReceiptHandle"])
            moved += 1
    return moved
