"""Listing and redriving dead letters, against a dead-letter box that behaves like SQS.

The fake keeps SQS's rules that matter here: a received letter is hidden until its hold ends or
it is released, a letter whose delete failed comes back, and only sent letters reach the source
queue. What the real SQS adapter does is checked against the emulator in the integration tests.
"""

from __future__ import annotations

import itertools
from collections.abc import Sequence
from dataclasses import replace

from ecomm.ops.deadletters import DeadLetter, QueueCallFailed, RedriveReport, move_back, peek

_handles = itertools.count()


def letter(n: int) -> DeadLetter:
    return DeadLetter(message_id=f"m{n}", body=f"body {n}", receive_count=5, sent_at="0")


class FakeBox:
    def __init__(self, count: int) -> None:
        self.visible: list[DeadLetter] = [letter(n) for n in range(count)]
        self.hidden: dict[str, DeadLetter] = {}
        self.source: list[str] = []
        self.refuse_send: set[str] = set()
        self.fail_delete_once: set[str] = set()
        self.fail_send_call = False

    async def receive(self, count: int, hold_seconds: int) -> list[DeadLetter]:
        taken, self.visible = self.visible[:count], self.visible[count:]
        handed = [replace(m, receipt_handle=f"h{next(_handles)}") for m in taken]
        self.hidden.update((m.message_id, m) for m in handed)
        return handed

    async def send(self, letters: Sequence[DeadLetter]) -> tuple[set[str], str | None]:
        if self.fail_send_call:
            raise QueueCallFailed("SendMessageBatch failed: connection refused")
        sent = {m.message_id for m in letters if m.message_id not in self.refuse_send}
        self.source += [m.body for m in letters if m.message_id in sent]
        return sent, "InvalidMessageContents: no" if len(sent) < len(letters) else None

    async def delete(self, letters: Sequence[DeadLetter]) -> set[str]:
        deleted = set()
        for m in letters:
            if m.message_id in self.fail_delete_once:
                self.fail_delete_once.discard(m.message_id)
                self._come_back(m.message_id)  # its hold ended before the next receive
            else:
                self.hidden.pop(m.message_id, None)
                deleted.add(m.message_id)
        return deleted

    async def release(self, letters: Sequence[DeadLetter]) -> set[str]:
        for m in letters:
            self._come_back(m.message_id)
        return {m.message_id for m in letters}

    def _come_back(self, message_id: str) -> None:
        if message_id in self.hidden:
            self.visible.insert(0, self.hidden.pop(message_id))

    def in_dlq(self) -> set[str]:
        return {m.message_id for m in self.visible} | set(self.hidden)


async def test_listing_leaves_every_letter_visible_and_shows_each_once() -> None:
    box = FakeBox(25)
    listing = await peek(box, limit=100)
    assert sorted(m.message_id for m in listing.letters) == sorted(f"m{n}" for n in range(25))
    assert listing.still_hidden == 0
    assert not box.hidden
    assert len(box.visible) == 25


async def test_listing_stops_at_its_limit_and_says_so() -> None:
    box = FakeBox(25)
    listing = await peek(box, limit=12)
    assert len(listing.letters) == 12
    assert listing.reached_limit
    assert len(box.visible) == 25


async def test_a_redrive_after_a_listing_moves_every_letter() -> None:
    box = FakeBox(25)
    await peek(box, limit=100)
    report = await move_back(box, limit=1000)
    assert report == RedriveReport(moved=25)
    assert sorted(box.source) == sorted(f"body {n}" for n in range(25))
    assert box.in_dlq() == set()


async def test_a_letter_that_reappears_after_its_delete_failed_is_sent_once() -> None:
    box = FakeBox(3)
    box.fail_delete_once = {"m1"}
    report = await move_back(box, limit=1000)
    assert box.source.count("body 1") == 1
    assert sorted(box.source) == ["body 0", "body 1", "body 2"]
    assert (report.moved, report.failed, report.skipped, report.undeleted) == (3, 0, 1, 0)
    assert box.in_dlq() == set()  # its second delete worked


async def test_a_refused_send_leaves_the_letter_in_the_dlq_and_is_counted() -> None:
    box = FakeBox(4)
    box.refuse_send = {"m2"}
    report = await move_back(box, limit=1000)
    assert (report.moved, report.failed, report.skipped) == (3, 1, 0)
    assert report.refusal == "InvalidMessageContents: no"
    assert box.in_dlq() == {"m2"}
    assert [m.message_id for m in box.visible] == ["m2"]  # handed back, not hidden
    assert "body 2" not in box.source


async def test_a_failed_send_call_stops_the_run_and_deletes_nothing() -> None:
    box = FakeBox(4)
    box.fail_send_call = True
    report = await move_back(box, limit=1000)
    assert (report.moved, report.failed) == (0, 0)
    assert report.stopped_by == "SendMessageBatch failed: connection refused"
    assert box.in_dlq() == {"m0", "m1", "m2", "m3"}
    assert not box.hidden


async def test_a_redrive_moves_at_most_its_limit() -> None:
    box = FakeBox(25)
    report = await move_back(box, limit=12)
    assert report.moved == 12
    assert report.reached_limit
    assert len(box.in_dlq()) == 13
