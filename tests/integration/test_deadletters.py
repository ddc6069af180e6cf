"""`python -m ecomm dlq list|redrive` against the emulator, as an operator runs them."""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from typing import Any

import pytest

from ecomm.core.runtime.bootstrap import open_aws
from ecomm.core.runtime.settings import Settings
from tests.cli import logging_restored, provisioned, run_cli

QUEUE = "OrderQueue"


@pytest.fixture(autouse=True)
def _logging_restored() -> Iterator[None]:
    with logging_restored():
        yield


@pytest.fixture
def stack(settings: Settings, monkeypatch: pytest.MonkeyPatch) -> Settings:
    return provisioned(settings, monkeypatch)


def sqs(settings: Settings, operation: str, queue: str, **params: Any) -> Any:
    """One SQS call on `queue` (a name without the prefix), from a client of its own."""

    async def go() -> Any:
        async with open_aws(settings, "test") as aws:  # the test looking, not the ops task
            name = settings.resource_name(queue)
            url = (await aws.sqs.get_queue_url(QueueName=name))["QueueUrl"]
            return await getattr(aws.sqs, operation)(QueueUrl=url, **params)

    return asyncio.run(go())


def bury(settings: Settings, count: int, body: str = "letter {n}") -> None:
    """Put `count` letters straight into the dead-letter queue, as the redrive policy would."""
    for start in range(0, count, 10):
        entries = [
            {
                "Id": str(n),
                "MessageBody": body.format(n=n),
                "MessageAttributes": {"type": {"DataType": "String", "StringValue": "OrderPlaced"}},
            }
            for n in range(start, min(start + 10, count))
        ]
        sqs(settings, "send_message_batch", f"{QUEUE}-dlq", Entries=entries)


def depth(settings: Settings, queue: str) -> tuple[int, int]:
    """(visible, hidden) messages in `queue`."""
    names = ["ApproximateNumberOfMessages", "ApproximateNumberOfMessagesNotVisible"]
    attrs = sqs(settings, "get_queue_attributes", queue, AttributeNames=names)["Attributes"]
    return int(attrs[names[0]]), int(attrs[names[1]])


def drain(settings: Settings, queue: str) -> list[dict[str, Any]]:
    messages: list[dict[str, Any]] = []
    while batch := sqs(
        settings,
        "receive_message",
        queue,
        MaxNumberOfMessages=10,
        WaitTimeSeconds=0,
        VisibilityTimeout=60,
        MessageAttributeNames=["All"],
    ).get("Messages", []):
        messages += batch
    return messages


def test_a_redrive_right_after_a_listing_moves_every_letter(
    stack: Settings, capsys: pytest.CaptureFixture[str]
) -> None:
    bury(stack, 13)

    code, out, _ = run_cli(["dlq", "list", QUEUE], capsys)
    assert code == 0
    assert f"13 dead letter(s) in {stack.resource_name(QUEUE)}-dlq" in out
    assert depth(stack, f"{QUEUE}-dlq") == (13, 0)  # listing left every letter visible

    code, out, err = run_cli(["dlq", "redrive", QUEUE], capsys)
    assert (code, err) == (0, "")
    assert "moved 13, failed 0, skipped 0 already moved in this run" in out
    moved = drain(stack, QUEUE)
    assert sorted(m["Body"] for m in moved) == sorted(f"letter {n}" for n in range(13))
    assert {m["MessageAttributes"]["type"]["StringValue"] for m in moved} == {"OrderPlaced"}
    assert depth(stack, f"{QUEUE}-dlq") == (0, 0)


def test_a_redrive_counts_exactly_and_stops_at_its_limit(
    stack: Settings, capsys: pytest.CaptureFixture[str]
) -> None:
    bury(stack, 13)

    code, out, _ = run_cli(["dlq", "redrive", QUEUE, "--limit", "10"], capsys)
    assert code == 0
    assert "moved 10, failed 0, skipped 0 already moved in this run" in out
    assert "--limit reached" in out
    code, out, _ = run_cli(["dlq", "redrive", QUEUE], capsys)
    assert code == 0
    assert "moved 3, failed 0, skipped 0 already moved in this run" in out
    code, out, _ = run_cli(["dlq", "redrive", QUEUE], capsys)
    assert "moved 0, failed 0, skipped 0 already moved in this run" in out
    assert len(drain(stack, QUEUE)) == 13


def test_a_listing_shows_each_letter_on_one_line_however_its_body_reads(
    stack: Settings, capsys: pytest.CaptureFixture[str]
) -> None:
    bury(stack, 3, body="line one\nline two \x1b[2J{n}")

    code, out, _ = run_cli(["dlq", "list", QUEUE, "--limit", "2"], capsys)
    assert code == 0
    lines = out.splitlines()
    assert len(lines) == 3
    assert all(r"line one\nline two \x1b[2J" in line for line in lines[:2])
    assert "2 dead letter(s)" in lines[2]
    assert "--limit reached" in lines[2]
    assert "\x1b" not in out
    assert depth(stack, f"{QUEUE}-dlq") == (3, 0)


@pytest.mark.parametrize("action", ["list", "redrive"])
def test_an_unknown_queue_is_one_line_and_exit_2(
    action: str, stack: Settings, capsys: pytest.CaptureFixture[str]
) -> None:
    code, out, err = run_cli(["dlq", action, "NoSuchQueue"], capsys)
    assert code == 2
    assert out == ""
    assert err.count("\n") == 1
    assert err.startswith("ecomm dlq: ")
    assert "'NoSuchQueue' is not one of the shop's queues: OrderQueue, LookupQueue" in err
    assert "Traceback" not in err
