"""What a role measures: Prometheus for `/metrics`, and the same events summed for CloudWatch.

One registry per role so `--role all` and tests never collide. Every hook feeds both: the
Prometheus series (scraped by whoever wants them) and `emf` (printed as CloudWatch Embedded
Metric Format lines by the runtime, see emf.py).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from prometheus_client import CollectorRegistry, Counter, Gauge, Histogram, generate_latest

from ecomm.core.runtime.emf import Emf

# Any token is a valid HTTP method; only these become label values, so a client inventing
# methods cannot make the metrics grow without bound.
_METHODS = frozenset({"GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"})
LATENCY_BUCKETS = (0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0)


@dataclass
class Metrics:
    role: str
    registry: CollectorRegistry = field(default_factory=CollectorRegistry)
    namespace: str = "ecomm"

    def __post_init__(self) -> None:
        self.emf = Emf(self.role, self.namespace)
        r = self.registry
        self.http_requests = Histogram(
            "ecomm_http_request_duration_seconds",
            "HTTP request latency by route and status.",
            ["method", "route", "status"],
            buckets=LATENCY_BUCKETS,
            registry=r,
        )
        self.aws_calls = Counter(
            "ecomm_aws_calls_total",
            "AWS API calls made, by service and operation.",
            ["service", "operation"],
            registry=r,
        )
        self.aws_errors = Counter(
            "ecomm_aws_errors_total",
            "AWS API calls that failed, by service, operation and error code.",
            ["service", "operation", "code"],
            registry=r,
        )
        self.messages = Counter(
            "ecomm_messages_total",
            "Queue messages handled, by queue and result.",
            ["queue", "result"],
            registry=r,
        )
        self.receive_lag = Histogram(
            "ecomm_queue_receive_lag_seconds",
            "Time from a message being sent to being received.",
            ["queue"],
            buckets=LATENCY_BUCKETS,
            registry=r,
        )
        self.orders = Counter(
            "ecomm_orders_total", "Orders processed, by outcome.", ["outcome"], registry=r
        )
        self.payments = Counter(
            "ecomm_payments_total",
            "Payment attempts, by provider and outcome.",
            ["provider", "outcome"],
            registry=r,
        )
        self.events_published = Counter(
            "ecomm_events_published_total",
            "Events published to SNS, by type and result.",
            ["type", "result"],
            registry=r,
        )
        self.ready = Gauge("ecomm_ready", "1 when /readyz answers 200.", registry=r)
        self._request_series: dict[tuple[str, str, int], Any] = {}

    # What the adapters report (core.adapters.telemetry.Telemetry).

    def aws_call(self, service: str, operation: str) -> None:
        self.aws_calls.labels(service, operation).inc()
        self.emf.aws_call(service, operation)

    def aws_error(self, service: str, operation: str, code: str) -> None:
        self.aws_errors.labels(service, operation, code).inc()
        self.emf.aws_error(service, operation)

    def event_published(self, event_type: str, result: str) -> None:
        self.events_published.labels(event_type, result).inc()
        self.emf.event_published(event_type, result)

    def message_handled(self, queue: str, result: str) -> None:
        self.messages.labels(queue, result).inc()
        self.emf.message_handled(queue, result)

    def message_received(self, queue: str, lag_seconds: float) -> None:
        self.receive_lag.labels(queue).observe(lag_seconds)
        self.emf.message_received(queue, lag_seconds)

    # What the roles report.

    def order_recorded(self, outcome: str, placed_at: str | None) -> None:
        """An order's outcome, first recorded now; `placed_at` is when the shopper placed it."""
        self.orders.labels(outcome).inc()
        self.emf.order(outcome, placed_at)

    def payment(self, provider: str, outcome: str, seconds: float | None = None) -> None:
        """A payment attempt's outcome, for the payment providers to call."""
        self.payments.labels(provider, outcome).inc()
        self.emf.payment(provider, outcome, seconds)

    def observe_request(self, method: str, route: str, status: int, seconds: float) -> None:
        """One request's latency; each label set's series is looked up once, not per request."""
        key = (method if method in _METHODS else "other", route, status)
        series = self._request_series.get(key)
        if series is None:
            series = self.http_requests.labels(key[0], route, str(status))
            self._request_series[key] = series
        series.observe(seconds)
        self.emf.request(route, status, seconds)

    def render(self) -> bytes:
        return generate_latest(self.registry)
