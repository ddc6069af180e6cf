"""Trace context through SNS and SQS: W3C `traceparent` in the messages' attributes.

The context travels as message attributes, which SNS hands on to SQS with raw delivery, so a
consumer continues the trace of whoever asked for the message to be sent. It is taken when the
event is handed to the publisher (a request, a message being handled), not when a batch leaves:
a background batcher's own context would join unrelated requests into one trace.

Nothing here needs tracing to be on: with no span current, `current()` is empty and the
attributes carry nothing more than before.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from typing import Any

from opentelemetry import context as otel_context
from opentelemetry import propagate, trace
from opentelemetry.instrumentation.utils import suppress_instrumentation

Carrier = Mapping[str, str]
_MAX_VALUE = 512  # a traceparent is 55 characters; anything far longer is not one


def current() -> dict[str, str]:
    """The current trace context as W3C headers (empty when nothing is being traced)."""
    carrier: dict[str, str] = {}
    propagate.inject(carrier)
    return carrier


def fields() -> list[str]:
    """The attribute names a consumer must ask SQS for."""
    return sorted(propagate.get_global_textmap().fields)


def message_attributes(carrier: Carrier) -> dict[str, Any]:
    return {k: {"DataType": "String", "StringValue": v} for k, v in carrier.items()}


def extract(attributes: Mapping[str, Any]) -> otel_context.Context:
    """The context a message's attributes carry (the root context when they carry none)."""
    carrier = {
        name: str(value["StringValue"])[:_MAX_VALUE]
        for name, value in attributes.items()
        if isinstance(value, dict) and isinstance(value.get("StringValue"), str)
    }
    return propagate.extract(carrier)


def span_contexts(carriers: Iterable[Carrier]) -> list[trace.SpanContext]:
    """The (remote) span each non-empty carrier names, for a batch span's links."""
    found = []
    for carrier in carriers:
        if carrier:
            span = trace.get_current_span(propagate.extract(dict(carrier)))
            span_context = span.get_span_context()
            if span_context.is_valid:
                found.append(span_context)
    return found


def one_parent(origins: Sequence[trace.SpanContext]) -> otel_context.Context | None:
    """The context to continue when every origin is the same span; None when they differ."""
    if origins and all(o == origins[0] for o in origins):
        return trace.set_span_in_context(trace.NonRecordingSpan(origins[0]))
    return None


@contextmanager
def entries_carry_their_own() -> Iterator[None]:
    """Around a batched send whose entries carry their own contexts: the AWS instrumentation
    would overwrite them all with the batch call's (and make no span of its own here)."""
    with suppress_instrumentation():
        yield


@contextmanager
def untraced() -> Iterator[None]:
    """Around a call that is no story of its own: a long poll, mostly empty, every 20 s per
    consumer would be a trace each (X-Ray bills per trace); each message gets its own span."""
    with suppress_instrumentation():
        yield
