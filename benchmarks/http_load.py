"""A fixed-concurrency, closed-loop HTTP/1.1 driver: N keep-alive connections, each sending its
next GET as soon as the previous answer is complete.

It speaks just enough HTTP/1.1 (Content-Length or chunked answers) over raw asyncio transports,
because the driver shares the machine's cores with the servers it measures: an HTTP client
library would spend several times more CPU per request and steal it from them.

    warm-up (not recorded) ─> measured window ─> requests/s, p50, p99, non-200 answers
"""

from __future__ import annotations

import asyncio
import itertools
import math
import time
from collections.abc import Sequence
from dataclasses import dataclass
from typing import cast


@dataclass(frozen=True)
class LoadResult:
    requests: int
    errors: int
    seconds: float
    p50: float  # seconds
    p99: float
    completed: int = 0  # every answer, warm-up included: what the AWS call counts cover

    @property
    def rps(self) -> float:
        return self.requests / self.seconds if self.seconds else 0.0


def percentile(values: Sequence[float], fraction: float) -> float:
    if not values:
        return math.nan
    ordered = sorted(values)
    return ordered[min(len(ordered), max(1, math.ceil(fraction * len(ordered)))) - 1]


class _Connection(asyncio.Protocol):
    """One keep-alive connection; `exchange` sends a request and waits for the whole answer."""

    def __init__(self) -> None:
        self._buffer = bytearray()
        self._answer: asyncio.Future[int] | None = None
        self._transport: asyncio.WriteTransport | None = None
        self._head_end = -1
        self._status = 0
        self._length: int | None = None  # None: chunked

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        self._transport = cast(asyncio.WriteTransport, transport)

    def connection_lost(self, exc: Exception | None) -> None:
        if self._answer is not None and not self._answer.done():
            self._answer.set_exception(ConnectionError(f"connection lost: {exc}"))

    def data_received(self, data: bytes) -> None:
        self._buffer += data
        self._parse()

    def exchange(self, request: bytes) -> asyncio.Future[int]:
        if self._transport is None:
            raise ConnectionError("not connected")
        self._answer = asyncio.get_running_loop().create_future()
        self._head_end = -1
        self._transport.write(request)
        return self._answer

    def close(self) -> None:
        if self._transport is not None:
            self._transport.close()

    def _parse(self) -> None:
        if self._answer is None or self._answer.done():
            return
        if self._head_end < 0:
            end = self._buffer.find(b"\r\n\r\n")
            if end < 0:
                return
            head = bytes(self._buffer[:end]).decode("latin-1").split("\r\n")
            self._status = int(head[0].split(" ", 2)[1])
            headers = {k.strip().lower(): v.strip() for k, _, v in (h.partition(":") for h in head)}
            chunked = "chunked" in headers.get("transfer-encoding", "")
            self._length = None if chunked else int(headers.get("content-length", "0"))
            self._head_end = end + 4
        if self._length is not None:
            complete = self._head_end + self._length
        else:
            last = self._buffer.find(b"\r\n0\r\n\r\n", self._head_end - 2)
            if last < 0:
                return
            complete = last + 7
        if len(self._buffer) < complete:
            return
        del self._buffer[:complete]
        self._answer.set_result(self._status)


async def closed_loop(
    host: str,
    port: int,
    paths: Sequence[str],
    *,
    connections: int = 32,
    duration: float = 10.0,
    warmup: float = 2.0,
    max_requests: int = 2_000_000,
) -> LoadResult:
    """Drive GETs of `paths` (taken in turn) over `connections` connections for `duration` s."""
    if host not in {"127.0.0.1", "localhost", "::1"}:
        raise ValueError("the benchmark driver only loads loopback addresses")
    requests = [
        f"GET {p} HTTP/1.1\r\nHost: {host}:{port}\r\nUser-Agent: ecomm-bench\r\n\r\n".encode()
        for p in paths
    ]
    loop = asyncio.get_running_loop()
    start = time.perf_counter()
    measure_from = start + warmup
    end = measure_from + duration
    latencies: list[float] = []
    errors = 0
    sent = 0
    completed = 0

    async def one_connection(number: int) -> None:
        nonlocal errors, sent, completed
        # Spread the connections' starting points over the list: with paths that are all
        # different, no two connections then ask the same one at about the same time.
        offset = number * len(requests) // connections
        turn = itertools.cycle(requests[offset:] + requests[:offset])
        _, conn = await loop.create_connection(_Connection, host, port)
        try:
            while sent < max_requests:
                began = time.perf_counter()
                if began >= end:
                    return
                sent += 1
                status = await conn.exchange(next(turn))
                done = time.perf_counter()
                completed += 1
                if began >= measure_from and done <= end:
                    latencies.append(done - began)
                    if status != 200:
                        errors += 1
        finally:
            conn.close()

    await asyncio.gather(*(one_connection(i) for i in range(connections)))
    return LoadResult(
        requests=len(latencies),
        errors=errors,
        seconds=duration,
        p50=percentile(latencies, 0.50),
        p99=percentile(latencies, 0.99),
        completed=completed,
    )
