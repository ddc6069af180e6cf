"""A cheap clock for moto's SQS backend, so a queue with a backlog does not slow to a crawl.

moto asks "is this message visible? delayed? past retention?" of every message in a queue on
every ReceiveMessage, SendMessage and GetQueueAttributes, and each answer builds two datetimes
to compute the current epoch time. With a few thousand messages queued (a burst of searches
fanned out to the lookup queues), each call costs tens of milliseconds, the consumers fall
further behind, and the backlog feeds itself: `make bench` saw 3,000 searches take four
minutes to drain. The epoch time is `time.time()`; the datetime path is kept for explicit
arguments.

The retention check of each received message asked for the queue's MessageRetentionPeriod
through GetQueueAttributes, which builds every attribute of the queue, counts of messages
included, twice; it now reads the one attribute (a third of the emulator's CPU under a steady
stream of search events). Installed by the emulator and nowhere else.
"""

from __future__ import annotations

import datetime
import time

from moto.core.utils import unix_time as _unix_time
from moto.core.utils import unix_time_millis as _unix_time_millis
from moto.sqs import models


def unix_time(dt: datetime.datetime | None = None) -> float:
    return time.time() if dt is None else _unix_time(dt)


def unix_time_millis(dt: datetime.datetime | None = None) -> float:
    return time.time() * 1000.0 if dt is None else _unix_time_millis(dt)


def is_message_valid_based_on_retention_period(
    self: models.SQSBackend, queue_name: str, message: models.Message
) -> bool:
    # moto sets each attribute on the queue with setattr, so the type does not declare it.
    retention = int(vars(self.get_queue(queue_name))["message_retention_period"])
    return retention + (message.sent_timestamp or 0) / 1000 > unix_time()


def install() -> None:
    """Replace the SQS backend's clock in this process (the emulator's only)."""
    # moto imports these names into its SQS module without re-exporting them; that module's
    # globals are exactly what its Message and Queue look up at call time.
    models.unix_time = unix_time  # type: ignore[attr-defined]
    models.unix_time_millis = unix_time_millis  # type: ignore[attr-defined]
    models.SQSBackend.is_message_valid_based_on_retention_period = (  # type: ignore[method-assign]
        is_message_valid_based_on_retention_period
    )
