"""Reading and replaying a queue's dead letters (`python -m ecomm dlq list|redrive QUEUE`).

SQS has no "peek": listing receives the letters, which hides them for a visibility timeout, so
listing hands every letter it took back (visibility 0) before it returns; a redrive right after
sees them all. Redriving sends each letter back to the source queue with its attributes and
deletes the dead letter only once its send succeeded, so a failure half way loses nothing:

    receive ─> seen in this run? ─yes─> skip (delete again if it was moved)
                    │ no
                    v
               send (batch) ─failed─> stays in the DLQ (handed back at the end)
                    │ sent
                    v
               delete (batch) ─failed─> moved, but will reappear: said so, never sent twice
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Protocol

from botocore.exceptions import BotoCoreError, ClientError

from ecomm.core.contracts.resources import DLQ_SUFFIX
from ecomm.core.domain.errors import DomainError

if TYPE_CHECKING:
    from types_aiobotocore_sqs import SQSClient

SQS_BATCH = 10
# SendMessageBatch refuses a batch whose messages add up to more than this.
BATCH_PAYLOAD = 256 * 1024
# Long enough that a letter does not come back while one run is still going.
HOLD_SECONDS = 30


@dataclass(frozen=True)
class DeadLetter:
    message_id: str
    body: str
    receive_count: int
    sent_at: str
    receipt_handle: str = field(default="", repr=False, compare=False)
    attributes: dict[str, Any] = field(default_factory=dict, repr=False, compare=False)

    def size(self) -> int:
        named = sum(len(k) + len(str(v)) for k, v in self.attributes.items())
        return len(self.body.encode()) + named


class QueueCallFailed(DomainError):
    """A whole SQS call failed (not one entry of a batch); the run stops and says how far it got."""


class DeadLetterBox(Protocol):
    """A dead-letter queue and the queue its letters go back to."""

    async def receive(self, count: int, hold_seconds: int) -> list[DeadLetter]: ...

    async def send(self, letters: Sequence[DeadLetter]) -> tuple[set[str], str | None]:
        """Send to the source queue: the message ids SQS took, and why it refused any."""

    async def delete(self, letters: Sequence[DeadLetter]) -> set[str]:
        """Delete from the dead-letter queue: the message ids deleted."""

    async def release(self, letters: Sequence[DeadLetter]) -> set[str]:
        """Make the letters visible again now: the message ids released."""


@dataclass(frozen=True)
class Listing:
    letters: list[DeadLetter]
    still_hidden: int  # letters SQS would not make visible again: they return within the hold
    reached_limit: bool


@dataclass
class RedriveReport:
    moved: int = 0
    failed: int = 0
    skipped: int = 0  # letters seen again after they were moved in this run; not sent twice
    undeleted: int = 0  # moved, but still in the dead-letter queue: they will reappear there
    reached_limit: bool = False
    refusal: str | None = None  # why SQS refused a send, the first time it did
    stopped_by: str | None = None

    @property
    def complete(self) -> bool:
        return not (self.failed or self.undeleted or self.stopped_by)


async def peek(box: DeadLetterBox, limit: int) -> Listing:
    """Up to `limit` letters, each once, and all of them visible again when this returns."""
    held: dict[str, DeadLetter] = {}
    released: set[str] = set()
    try:
        while len(held) < limit:
            batch = await box.receive(min(SQS_BATCH, limit - len(held)), HOLD_SECONDS)
            fresh = [m for m in batch if m.message_id not in held]
            for letter in batch:
                held[letter.message_id] = letter  # only the newest receipt handle is sure to work
            if not fresh:
                break
    finally:
        if held:
            released = await box.release(list(held.values()))
    return Listing(list(held.values()), len(held.keys() - released), len(held) >= limit)


async def move_back(box: DeadLetterBox, limit: int) -> RedriveReport:
    """Move up to `limit` letters back, each at most once in this run, and count what happened."""
    report = RedriveReport()
    moved: set[str] = set()
    failed: set[str] = set()
    undeleted: set[str] = set()
    skipped: set[str] = set()
    held: dict[str, DeadLetter] = {}  # received and not sent: handed back at the end
    try:
        while len(moved) + len(failed) < limit:
            room = limit - len(moved) - len(failed)
            batch = await box.receive(min(SQS_BATCH, room), HOLD_SECONDS)
            again = [m for m in batch if m.message_id in moved]
            # SQS may deliver one message twice, even within one answer.
            fresh = list(
                {m.message_id: m for m in batch if m.message_id not in moved | failed}.values()
            )
            held.update((m.message_id, m) for m in batch if m.message_id in failed)
            if again:
                skipped.update(m.message_id for m in again)
                undeleted -= await box.delete(again)
            if not fresh:
                break  # nothing new: whatever is left is for another run
            held.update((m.message_id, m) for m in fresh)
            sent, refusal = await box.send(fresh)
            report.refusal = report.refusal or refusal
            moved |= sent
            failed.update(m.message_id for m in fresh if m.message_id not in sent)
            for message_id in sent:
                held.pop(message_id, None)
            delivered = [m for m in fresh if m.message_id in sent]
            if delivered:
                undeleted |= sent - await box.delete(delivered)
        report.reached_limit = len(moved) + len(failed) >= limit
    except QueueCallFailed as exc:
        report.stopped_by = str(exc)
    finally:
        report.moved, report.failed = len(moved), len(failed)
        report.skipped, report.undeleted = len(skipped), len(undeleted)
        if held:
            try:
                await box.release(list(held.values()))
            except QueueCallFailed as exc:
                report.stopped_by = report.stopped_by or str(exc)
    return report


class SqsDeadLetters:
    """`DeadLetterBox` on SQS: batches of ten, and whole-call failures as `QueueCallFailed`."""

    def __init__(self, sqs: SQSClient, dlq_url: str, source_url: str | None) -> None:
        self._sqs = sqs
        self._dlq = dlq_url
        self._source = source_url

    @classmethod
    async def open(cls, sqs: SQSClient, queue_name: str, *, to_source: bool) -> SqsDeadLetters:
        """The box for `queue_name`'s DLQ; botocore's errors for an unknown queue pass through."""
        dlq = (await sqs.get_queue_url(QueueName=queue_name + DLQ_SUFFIX))["QueueUrl"]
        source = (await sqs.get_queue_url(QueueName=queue_name))["QueueUrl"] if to_source else None
        return cls(sqs, dlq, source)

    async def receive(self, count: int, hold_seconds: int) -> list[DeadLetter]:
        answer = await _call(
            self._sqs.receive_message,
            QueueUrl=self._dlq,
            MaxNumberOfMessages=count,
            WaitTimeSeconds=1,
            VisibilityTimeout=hold_seconds,
            MessageSystemAttributeNames=["All"],
            MessageAttributeNames=["All"],
        )
        return [_letter(m) for m in answer.get("Messages", [])]

    async def send(self, letters: Sequence[DeadLetter]) -> tuple[set[str], str | None]:
        if self._source is None:
            raise QueueCallFailed("this box was opened without its source queue")
        sent: set[str] = set()
        refusal: str | None = None
        for chunk in _chunks(letters):
            entries: list[Any] = [
                {"Id": str(i), "MessageBody": m.body}
                | ({"MessageAttributes": m.attributes} if m.attributes else {})
                for i, m in enumerate(chunk)
            ]
            answer = await _call(
                self._sqs.send_message_batch, QueueUrl=self._source, Entries=entries
            )
            sent.update(chunk[int(ok["Id"])].message_id for ok in answer.get("Successful", []))
            for bad in answer.get("Failed", [])[:1]:
                refusal = refusal or f"{bad.get('Code')}: {bad.get('Message', '')}"
        return sent, refusal

    async def delete(self, letters: Sequence[DeadLetter]) -> set[str]:
        return await self._by_receipt(self._sqs.delete_message_batch, letters, {})

    async def release(self, letters: Sequence[DeadLetter]) -> set[str]:
        return await self._by_receipt(
            self._sqs.change_message_visibility_batch, letters, {"VisibilityTimeout": 0}
        )

    async def _by_receipt(
        self,
        call: Callable[..., Awaitable[Any]],
        letters: Sequence[DeadLetter],
        extra: dict[str, Any],
    ) -> set[str]:
        done: set[str] = set()
        for start in range(0, len(letters), SQS_BATCH):
            chunk = letters[start : start + SQS_BATCH]
            entries = [
                {"Id": str(i), "ReceiptHandle": m.receipt_handle, **extra}
                for i, m in enumerate(chunk)
            ]
            answer = await _call(call, QueueUrl=self._dlq, Entries=entries)
            done.update(chunk[int(ok["Id"])].message_id for ok in answer.get("Successful", []))
        return done


async def _call(call: Callable[..., Awaitable[Any]], **params: Any) -> Any:
    try:
        return await call(**params)
    except (ClientError, BotoCoreError) as exc:
        name = getattr(exc, "operation_name", None) or getattr(call, "__name__", "an SQS call")
        raise QueueCallFailed(f"{name} failed: {exc}") from exc


def _letter(message: Any) -> DeadLetter:
    attrs = message.get("Attributes", {})
    return DeadLetter(
        message_id=message["MessageId"],
        body=message.get("Body", ""),
        receive_count=int(attrs.get("ApproximateReceiveCount", "0")),
        sent_at=attrs.get("SentTimestamp", ""),
        receipt_handle=message["ReceiptHandle"],
        attributes={
            name: {
                k: v for k, v in value.items() if k in {"DataType", "StringValue", "BinaryValue"}
            }
            for name, value in message.get("MessageAttributes", {}).items()
        },
    )


def _chunks(letters: Sequence[DeadLetter]) -> list[list[DeadLetter]]:
    """Batches of at most ten letters and `BATCH_PAYLOAD` bytes (a larger letter goes alone)."""
    chunks: list[list[DeadLetter]] = []
    size = 0
    for letter in letters:
        if not chunks or len(chunks[-1]) == SQS_BATCH or size + letter.size() > BATCH_PAYLOAD:
            chunks.append([])
            size = 0
        chunks[-1].append(letter)
        size += letter.size()
    return chunks


async def list_dead_letters(sqs: SQSClient, queue_name: str, limit: int = 100) -> Listing:
    """Up to `limit` of `queue_name`'s dead letters; all of them stay in its DLQ, visible."""
    return await peek(await SqsDeadLetters.open(sqs, queue_name, to_source=False), limit)


async def redrive(sqs: SQSClient, queue_name: str, limit: int = 1000) -> RedriveReport:
    """Move up to `limit` dead letters back to `queue_name`, each at most once."""
    return await move_back(await SqsDeadLetters.open(sqs, queue_name, to_source=True), limit)
