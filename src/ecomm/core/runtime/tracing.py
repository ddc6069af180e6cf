"""OpenTelemetry traces: configured once per process, off unless an exporter is configured.

On ECS each task's collector sidecar (AWS Distro for OpenTelemetry) receives OTLP on
127.0.0.1:4318 and sends to X-Ray; locally nothing is traced unless `OTEL_EXPORTER_OTLP_ENDPOINT`
or `OTEL_TRACES_EXPORTER=console` says so. Turned on, a process makes spans for:

    HTTP served      runtime/http.py's request_context (one SERVER span per request)
    HTTP called      aiohttp's client instrumentation (web -> lookup, web -> order)
    AWS calls        botocore's AiobotocoreInstrumentor (every call; SNS Publish carries context)
    message hops     adapters/publisher.py injects the context of whoever asked to publish,
                     adapters/consumer.py extracts it and handles each message in a CONSUMER span

so one trace runs from a shopper's checkout through SNS and SQS to the order worker, and on to
lookup when the outcome is announced. Off, none of this is installed: a request pays one boolean.

OpenTelemetry lets a process set its global tracer provider once. `--role all` and the tests open
several runtimes in one process, so the provider is set once and its sampler and processor follow
whichever configuration is current: between configurations nothing is recorded.
"""

from __future__ import annotations

import sys
from collections.abc import Iterator, Sequence
from contextlib import contextmanager

from opentelemetry import context as otel_context
from opentelemetry import trace
from opentelemetry.sdk.resources import Resource
from opentelemetry.sdk.trace import ReadableSpan, Span, SpanProcessor, TracerProvider
from opentelemetry.sdk.trace.export import BatchSpanProcessor, SpanExporter
from opentelemetry.sdk.trace.sampling import (
    Decision,
    ParentBased,
    Sampler,
    SamplingResult,
    TraceIdRatioBased,
)
from opentelemetry.trace import Link, SpanKind
from opentelemetry.util.types import Attributes

from ecomm.core.runtime.settings import Settings, TraceExporter

TRACER = "ecomm"
EXPORT_TIMEOUT = 2.0  # seconds, each export to the collector
FLUSH_ON_EXIT_MS = 3000  # what the last spans may add to a shutdown (ECS allows 35 s in all)


class _Switch(Sampler, SpanProcessor):
    """The process-wide provider's sampler and processor: they follow the current configuration."""

    def __init__(self) -> None:
        self.sampler: Sampler | None = None
        self.processors: Sequence[SpanProcessor] = ()
        self.exporters: Sequence[SpanExporter] = ()

    # Sampler (its signature is OpenTelemetry's)
    def should_sample(  # noqa: PLR0917
        self,
        parent_context: otel_context.Context | None,
        trace_id: int,
        name: str,
        kind: SpanKind | None = None,
        attributes: Attributes = None,
        links: Sequence[Link] | None = None,
        trace_state: trace.TraceState | None = None,
    ) -> SamplingResult:
        if self.sampler is None:
            return SamplingResult(Decision.DROP)
        return self.sampler.should_sample(
            parent_context, trace_id, name, kind, attributes, links, trace_state
        )

    def get_description(self) -> str:
        return "ecomm: whichever sampler the current configuration chose"

    # SpanProcessor
    def on_start(self, span: Span, parent_context: otel_context.Context | None = None) -> None:
        for p in self.processors:
            p.on_start(span, parent_context)

    def on_end(self, span: ReadableSpan) -> None:
        for p in self.processors:
            p.on_end(span)

    def shutdown(self) -> None:
        for p in self.processors:
            p.shutdown()

    def force_flush(self, timeout_millis: int = 30000) -> bool:
        return all(p.force_flush(timeout_millis) for p in self.processors)


_switch = _Switch()
_provider: TracerProvider | None = None
_users = 0


def enabled() -> bool:
    """True while a configuration records spans (checked per request by the HTTP middleware)."""
    return _users > 0


def tracer() -> trace.Tracer:
    return trace.get_tracer(TRACER)


@contextmanager
def tracing(
    settings: Settings, role: str, exporters: Sequence[SpanExporter] | None = None
) -> Iterator[None]:
    """Traces on for the block if `settings` (or a test, with `exporters`) asks for them; spans
    still buffered are exported when the last configuration in the process ends."""
    global _users  # noqa: PLW0603 - one tracer provider per process, by OpenTelemetry's rule
    chosen = list(exporters) if exporters is not None else _exporters(settings)
    if not chosen:
        yield
        return
    if _users == 0:
        _install(role, chosen, settings)
    _users += 1
    try:
        yield
    finally:
        _users -= 1
        if _users == 0:
            _uninstall()


def _exporters(settings: Settings) -> list[SpanExporter]:
    wanted = settings.trace_exporters
    exporters: list[SpanExporter] = []
    if TraceExporter.OTLP in wanted:
        # Imported only when used: protobuf and the HTTP exporter cost a process nothing otherwise.
        from opentelemetry.exporter.otlp.proto.http.trace_exporter import (  # noqa: PLC0415
            OTLPSpanExporter,
        )

        # Endpoint and headers from the OTEL_* variables. The collector is the task's sidecar on
        # loopback: an export that takes longer means it is gone, and waiting costs the shutdown.
        exporters.append(OTLPSpanExporter(timeout=EXPORT_TIMEOUT))
    if TraceExporter.CONSOLE in wanted:
        from opentelemetry.sdk.trace.export import ConsoleSpanExporter  # noqa: PLC0415

        # One JSON object per line on stdout, beside the EMF lines, never inside a log line.
        exporters.append(
            ConsoleSpanExporter(out=sys.stdout, formatter=lambda s: s.to_json(indent=None) + "\n")
        )
    return exporters


def _install(role: str, exporters: Sequence[SpanExporter], settings: Settings) -> None:
    global _provider  # noqa: PLW0603 - see _users
    if _provider is None:
        resource = Resource.create({"service.name": f"ecomm-{role}", "service.namespace": "ecomm"})
        _provider = TracerProvider(resource=resource, sampler=_switch)
        _provider.add_span_processor(_switch)
        trace.set_tracer_provider(_provider)
    _switch.sampler = ParentBased(TraceIdRatioBased(settings.trace_sample_ratio))
    _switch.exporters = exporters
    _switch.processors = [BatchSpanProcessor(e) for e in exporters]
    _instrumentors(instrument=True)


def _uninstall() -> None:
    _instrumentors(instrument=False)
    processors, _switch.processors, _switch.sampler = _switch.processors, (), None
    for p in processors:
        p.force_flush(FLUSH_ON_EXIT_MS)  # what is buffered, within a bound
    # Exporters first: an unreachable collector is given up on at once, not retried per batch.
    for e in _switch.exporters:
        e.shutdown()
    for p in processors:
        p.shutdown()
    _switch.exporters = ()


def _instrumentors(*, instrument: bool) -> None:
    # Imported only when tracing is on: they patch aiobotocore and aiohttp's client session.
    from opentelemetry.instrumentation.aiohttp_client import (  # noqa: PLC0415
        AioHttpClientInstrumentor,
    )
    from opentelemetry.instrumentation.botocore import AiobotocoreInstrumentor  # noqa: PLC0415

    instrumentors = (
        AiobotocoreInstrumentor(),  # type: ignore[no-untyped-call]
        AioHttpClientInstrumentor(),
    )
    for instrumentor in instrumentors:
        if instrument:
            instrumentor.instrument(tracer_provider=_provider)
        else:
            instrumentor.uninstrument()
