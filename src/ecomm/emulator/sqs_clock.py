"""A cheap clock for moto's SQS backend, so a queue with a backlog does not slow to a crawl.

moto asks "is this message visible? delayed? past retention?" of every message in a queue on
every ReceiveMessage, SendMessage and GetQueueAttributes, and each answer builds two datetimes
to compute the current epoch time. With a few thousand messages queued (a burst of searches
fanned out to the lookup queues), each call costs tens of milliseconds, the consumers fall
further behind, and the backlog feeds itself: `make bench` saw 3,000 searches take four
minutes to drain. The epoch time is `time.time()`; the datetime path is kept for explicit
arguments. Installed by the emulator and nowhere else.
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


def install() -> None:
    """Replace the SQS backend's clock in this process (the emulator's only)."""
    # moto imports these names into its SQS module without re-exporting them; that module's
    # globals are exactly what its Message and Queue look up at call time.
    models.unix_time = unix_time  # type: ignore[attr-defined]
    models.unix_time_millis = unix_time_millis  # type: ignore[attr-defined]
