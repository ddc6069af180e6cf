"""structlog, configured once per process, for our lines and the standard library's alike.

`merge_contextvars` comes first so that whatever a request or a message binds (request id,
correlation id, order id) lands on every line logged while handling it; with tracing on, the
current span's `trace_id` and `span_id` too, so a log line leads to its trace and back. In JSON
mode every line is one JSON object, also for what aiohttp, botocore or asyncio log through
`logging`, and a traceback is a structured list of frames without their local variables: a
frame's locals hold forms, customers and tokens, which never belong in a log. `redact` is the
last line of defence for what a message might still carry (an email address in an exception).
"""

from __future__ import annotations

import logging
import re
import sys
from collections.abc import MutableMapping
from typing import Any

import structlog
from opentelemetry import trace
from structlog.tracebacks import ExceptionDictTransformer

from ecomm.core.runtime.settings import LogFormat, Settings

# Keys whose values are personal or secret whatever they hold; their values are never written.
SENSITIVE_KEYS = frozenset(
    {"email", "customer", "address", "shipping_address", "cookie", "cookies", "token", "card"}
)
_EMAIL = re.compile(r"[^\s@\"'<>(),;:]+@[^\s@\"'<>(),;:]+\.[A-Za-z]{2,}")
REDACTED = "[redacted]"


def _scrub(value: Any) -> Any:
    if isinstance(value, str):
        return _EMAIL.sub(REDACTED, value) if "@" in value else value
    if isinstance(value, dict):
        return {k: REDACTED if k in SENSITIVE_KEYS else _scrub(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_scrub(v) for v in value]
    return value


def redact(_: Any, __: str, event_dict: MutableMapping[str, Any]) -> MutableMapping[str, Any]:
    """Drop sensitive keys and mask email addresses anywhere in a line, tracebacks included."""
    return {k: REDACTED if k in SENSITIVE_KEYS else _scrub(v) for k, v in event_dict.items()}


def add_trace_ids(
    _: Any, __: str, event_dict: MutableMapping[str, Any]
) -> MutableMapping[str, Any]:
    """The current span's ids, as the W3C and OpenTelemetry exporters write them (hex)."""
    span_context = trace.get_current_span().get_span_context()
    if span_context.is_valid:
        event_dict["trace_id"] = format(span_context.trace_id, "032x")
        event_dict["span_id"] = format(span_context.span_id, "016x")
    return event_dict


def writes_json(settings: Settings) -> bool:
    """JSON lines (for CloudWatch and tools) unless a person reads the terminal."""
    return settings.log_format is LogFormat.JSON or (
        settings.log_format is LogFormat.AUTO and not sys.stderr.isatty()
    )


def configure_logging(settings: Settings) -> None:
    use_json = writes_json(settings)
    shared: list[structlog.types.Processor] = [
        structlog.contextvars.merge_contextvars,
        structlog.processors.add_log_level,
        structlog.processors.TimeStamper(fmt="iso", utc=True),
    ]
    if settings.trace_exporters:
        shared.append(add_trace_ids)
    renderer: structlog.types.Processor
    if use_json:
        shared += [
            structlog.processors.ExceptionRenderer(ExceptionDictTransformer(show_locals=False)),
            redact,
        ]
        renderer = structlog.processors.JSONRenderer()
    else:
        shared += [redact]
        renderer = structlog.dev.ConsoleRenderer()
    level = logging.getLevelNamesMapping().get(settings.log_level.upper(), logging.INFO)
    structlog.configure(
        processors=[*shared, renderer],
        wrapper_class=structlog.make_filtering_bound_logger(level),
        logger_factory=structlog.PrintLoggerFactory(file=sys.stderr),
        cache_logger_on_first_use=True,
    )
    # Libraries log through the standard library: the same processors, the same one-line JSON.
    # Keep their warnings, drop their chatter.
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(
        structlog.stdlib.ProcessorFormatter(
            foreign_pre_chain=[structlog.stdlib.add_logger_name, *shared],
            processors=[structlog.stdlib.ProcessorFormatter.remove_processors_meta, renderer],
        )
    )
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(logging.WARNING)
