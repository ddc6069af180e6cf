"""What the adapters report as they work; the runtime's `Metrics` records it.

A protocol here, so the adapters depend on no metrics library and tests can count in a list.
"""

from __future__ import annotations

from typing import Protocol


class Telemetry(Protocol):
    def aws_call(self, service: str, operation: str) -> None: ...

    def aws_error(self, service: str, operation: str, code: str) -> None: ...

    def event_published(self, event_type: str, result: str) -> None: ...

    def message_handled(self, queue: str, result: str) -> None: ...

    def message_received(self, queue: str, lag_seconds: float) -> None: ...

    def payment(self, provider: str, outcome: str, seconds: float | None = None) -> None: ...
