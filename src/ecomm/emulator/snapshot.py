"""The local shop's data kept across restarts: every table's items and waiting messages, in a file.

The emulator holds everything in memory, so without this a restart forgets every order while
the shopper's cookie still lists them. moto can record every request and replay it, but the
log grows with every search and long poll, and a replay would publish and deliver again; what
matters is small and plain: the items of the stack's tables and the messages still waiting in
its queues (an order placed just before the stop, dead letters).

    clean stop:  scan each table, receive each queue ─> <dir>/shop.json.tmp ─> fsync ─> rename
    next start:  provision as usual ─> read <dir>/shop.json ─> batch-write items, send messages

The rename makes a save all or nothing: a stop cut short leaves the previous file whole. A file
that cannot be read (edited by hand, another version's) is moved aside, named in one line, and
the start seeds a fresh catalog instead. It talks to the emulator through the AWS API only.
"""

from __future__ import annotations

import asyncio
import os
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

from pydantic import BaseModel, ConfigDict, ValidationError

from ecomm.core.adapters.aws import AwsClients
from ecomm.core.contracts.resources import QUEUES, TABLES, ResourceNames

if TYPE_CHECKING:
    from types_aiobotocore_dynamodb import DynamoDBClient
    from types_aiobotocore_sqs import SQSClient

FILE_NAME = "shop.json"
FORMAT = "ecomm-local-shop"
VERSION = 1
_BATCH = 25  # BatchWriteItem's limit
_WRITERS = 8
Item = dict[str, Any]  # one DynamoDB item, as the low-level API writes it


class SnapshotUnreadable(Exception):
    """The saved file exists but cannot be restored; the message says why."""


class _Message(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)
    body: str
    attributes: dict[str, dict[str, str]] = {}


class _Snapshot(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)
    format: str
    version: int
    savedAt: str  # noqa: N815 - as the file says it
    products: int  # the catalog size it was seeded with
    tables: dict[str, list[Item]]
    queues: dict[str, list[_Message]]


@dataclass(frozen=True)
class Restored:
    items: dict[str, int]  # by table, as named without a prefix
    messages: int
    seeded_with: int


def snapshot_path(directory: Path) -> Path:
    return directory / FILE_NAME


# The file names resources without the stack's prefix, so a shop saved under one prefix comes
# back under another.
_TABLES = tuple(t.name for t in TABLES)
_QUEUES = tuple(n for q in QUEUES for n in (q.name, q.dlq_name))


async def save(aws: AwsClients, names: ResourceNames, directory: Path, products: int) -> int:
    """Write the stack's items and waiting messages to `directory`; returns the items saved."""
    snapshot = _Snapshot(
        format=FORMAT,
        version=VERSION,
        savedAt=datetime.now(UTC).isoformat(timespec="seconds"),
        products=products,
        tables={t: await _scan(aws.dynamodb, names.of(t)) for t in _TABLES},
        queues={q: await _drain(aws.sqs, names.of(q)) for q in _QUEUES},
    )
    await asyncio.to_thread(_write_atomically, snapshot_path(directory), snapshot)
    return sum(len(items) for items in snapshot.tables.values())


async def restore(aws: AwsClients, names: ResourceNames, directory: Path) -> Restored | None:
    """Put back what `save` wrote, into a freshly provisioned stack; None if nothing was saved.

    `SnapshotUnreadable` (the file moved aside) when it cannot be used; nothing is written then.
    """
    path = snapshot_path(directory)
    snapshot = await asyncio.to_thread(_read, path)
    if snapshot is None:
        return None
    items: dict[str, int] = {}
    for table, rows in snapshot.tables.items():
        if table in _TABLES:  # one a later version no longer has stays behind
            await _put_items(aws.dynamodb, names.of(table), rows)
            items[table] = len(rows)
    messages = 0
    for queue, waiting in snapshot.queues.items():
        if queue in _QUEUES and waiting:
            await _send(aws.sqs, names.of(queue), waiting)
            messages += len(waiting)
    return Restored(items, messages, snapshot.products)


def _read(path: Path) -> _Snapshot | None:
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        return None
    try:
        snapshot = _Snapshot.model_validate_json(text)
        if (snapshot.format, snapshot.version) != (FORMAT, VERSION):
            raise ValueError(f"{snapshot.format} version {snapshot.version} is not this one's")
    except (ValidationError, ValueError) as exc:
        aside = path.with_name(f"{path.name}.unreadable")
        path.replace(aside)
        reason = exc.errors()[0]["msg"] if isinstance(exc, ValidationError) else str(exc)
        raise SnapshotUnreadable(f"{path} could not be read ({reason}); moved to {aside}") from exc
    return snapshot


def _write_atomically(path: Path, snapshot: _Snapshot) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    partial = path.with_name(f"{path.name}.tmp")
    with partial.open("w", encoding="utf-8") as out:
        out.write(snapshot.model_dump_json())
        out.flush()
        os.fsync(out.fileno())
    partial.replace(path)
    directory = os.open(path.parent, os.O_RDONLY)
    try:
        os.fsync(directory)  # the rename itself survives a crash
    finally:
        os.close(directory)


async def _scan(db: DynamoDBClient, table: str) -> list[Item]:
    items: list[Item] = []
    paginator = db.get_paginator("scan")
    async for page in paginator.paginate(TableName=table, ConsistentRead=True):
        items.extend(page.get("Items", []))
    return items


async def _put_items(db: DynamoDBClient, table: str, rows: list[Item]) -> None:
    batches = [rows[i : i + _BATCH] for i in range(0, len(rows), _BATCH)]

    async def writer() -> None:
        while batches:
            requests: Any = [{"PutRequest": {"Item": item}} for item in batches.pop()]
            while requests:
                answer = await db.batch_write_item(RequestItems={table: requests})
                requests = answer.get("UnprocessedItems", {}).get(table, [])

    await asyncio.gather(*(writer() for _ in range(_WRITERS)))


async def _drain(sqs: SQSClient, queue: str) -> list[_Message]:
    """Every message waiting in `queue`; the emulator stops next, so none is deleted."""
    url = (await sqs.get_queue_url(QueueName=queue))["QueueUrl"]
    found: dict[str, _Message] = {}
    while True:
        answer = await sqs.receive_message(
            QueueUrl=url,
            MaxNumberOfMessages=10,
            WaitTimeSeconds=0,
            VisibilityTimeout=600,
            MessageAttributeNames=["All"],
        )
        batch = answer.get("Messages", [])
        if not batch:
            return list(found.values())
        for message in batch:
            attributes = {
                name: {"DataType": value["DataType"], "StringValue": value.get("StringValue", "")}
                for name, value in message.get("MessageAttributes", {}).items()
            }
            found[message["MessageId"]] = _Message(body=message["Body"], attributes=attributes)


async def _send(sqs: SQSClient, queue: str, messages: list[_Message]) -> None:
    url = (await sqs.get_queue_url(QueueName=queue))["QueueUrl"]
    for start in range(0, len(messages), 10):
        entries: Any = [
            {"Id": str(n), "MessageBody": m.body, "MessageAttributes": m.attributes}
            for n, m in enumerate(messages[start : start + 10])
        ]
        await sqs.send_message_batch(QueueUrl=url, Entries=entries)


def describe(restored: Restored) -> str:
    """What came back, in words: "2,000 products, 3 orders, 1 waiting message"."""
    parts = [_count(n, table.lower().removesuffix("s")) for table, n in restored.items.items()]
    if restored.messages:
        parts.append(_count(restored.messages, "waiting message"))
    return ", ".join(parts) or "nothing"


def _count(n: int, noun: str) -> str:
    return f"{n:,} {noun}{'' if n == 1 else 's'}"
