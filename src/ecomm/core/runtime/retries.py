"""Retrying what failed for a moment: throttling, a transaction conflict, a blip."""

from __future__ import annotations

import asyncio
import random
from collections.abc import Awaitable, Callable
from typing import TypeVar

from ecomm.core.domain.errors import TransientError

T = TypeVar("T")


async def with_retries(
    action: Callable[[], Awaitable[T]], *, attempts: int = 4, base: float = 0.05
) -> T:
    """Retry `TransientError` with exponential backoff and full jitter, then give up (re-raise).

    Giving up is not losing: the message stays in the queue and SQS delivers it again later.
    """
    for attempt in range(attempts):
        try:
            return await action()
        except TransientError:
            if attempt == attempts - 1:
                raise
            await asyncio.sleep(random.uniform(0, base * 2**attempt))  # noqa: S311 - jitter
    raise AssertionError("unreachable")
