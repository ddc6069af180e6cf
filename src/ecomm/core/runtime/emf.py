"""CloudWatch metrics as Embedded Metric Format lines, aggregated in the process.

On ECS the awslogs driver ships every stdout line to CloudWatch Logs, which turns a JSON line
with an `_aws` member into metrics: no agent, no API call, no credentials. One line per request
would cost a log event per request; instead each role sums what happened and prints one line per
group of metrics every `metrics_interval` seconds (and once more on shutdown):

    {"_aws": {"Timestamp": 1764064800000, "CloudWatchMetrics": [{"Namespace": "ecomm",
      "Dimensions": [["Role", "Route"], ["Role"]], "Metrics": [{"Name": "Requests", ...}]}]},
     "Role": "web", "Route": "search", "Requests": 412, "RequestLatency": [3.1, 2.7, ...]}

A group is one set of dimension values (a route family, a queue, an AWS operation ...), since a
line holds one value per dimension. Counts are sums; a latency is an array of at most 100
values (EMF's limit per metric), a uniform sample of the interval's observations when there were
more, from which CloudWatch computes percentiles. A metric with nothing to say in an interval is
left out, so an idle route costs no line and an error count that stays zero is never billed.
"""

from __future__ import annotations

import json
import random
import time
from collections import Counter
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime

MAX_VALUES = 100  # EMF: at most 100 values in one metric's array


@dataclass(frozen=True, eq=False)  # compared and hashed by identity: a few module constants
class Kind:
    """A family of groups: the dimensions its lines carry and the metrics they may hold."""

    dimensions: tuple[str, ...]
    dimension_sets: tuple[tuple[str, ...], ...]
    metrics: Mapping[str, str]  # name -> CloudWatch unit


HTTP = Kind(
    ("Route",),
    # Also summed over routes: the role's overall request rate, errors and latency percentiles.
    (("Role", "Route"), ("Role",)),
    {
        "Requests": "Count",
        "ClientErrors": "Count",
        "ServerErrors": "Count",
        "RequestLatency": "Milliseconds",
    },
)
ORDERS = Kind(
    ("Outcome",),
    (("Role", "Outcome"),),
    {"Orders": "Count", "OrderLatency": "Milliseconds"},
)
QUEUES = Kind(
    ("Queue",),
    (("Role", "Queue"),),
    {"MessagesHandled": "Count", "MessageFailures": "Count", "ReceiveLag": "Milliseconds"},
)
AWS = Kind(
    ("Service", "Operation"),
    (("Role", "Service", "Operation"),),
    {"AwsCalls": "Count", "AwsErrors": "Count"},
)
EVENTS = Kind(
    ("Event",),
    (("Role", "Event"),),
    {"EventsPublished": "Count", "EventsNotPublished": "Count"},
)
PAYMENTS = Kind(
    ("Provider", "Outcome"),
    (("Role", "Provider", "Outcome"),),
    {"Payments": "Count", "PaymentLatency": "Milliseconds"},
)
KINDS = (HTTP, ORDERS, QUEUES, AWS, EVENTS, PAYMENTS)
# Every metric name this module can print, with its unit and dimension sets: what the dashboard
# and alarms in infra/ecomm.yaml may refer to (a test holds them to it).
CATALOGUE: dict[str, tuple[str, tuple[tuple[str, ...], ...]]] = {
    name: (unit, kind.dimension_sets) for kind in KINDS for name, unit in kind.metrics.items()
}

# Probes answer ECS and the load balancer every few seconds; their own metrics come from there.
_PROBES = frozenset({"/healthz", "/readyz", "/metrics"})
# Seconds: a placement time further back than this is a replay, not a latency.
_MAX_ORDER_LATENCY = 86_400.0


def route_family(route: str) -> str | None:
    """A route's family: its first path segment ("/products/{id}" -> "products"), "api/..."
    for the JSON APIs. None for the probes, which get no metrics here."""
    if route in _PROBES:
        return None
    parts = [p for p in route.split("/") if p]
    if not parts:
        return "home" if route == "/" else route or "unmatched"
    if parts[0] == "api" and len(parts) > 1:
        return f"api/{parts[1]}"
    return parts[0]


class Reservoir:
    """At most `MAX_VALUES` values, a uniform sample of everything added (Vitter's algorithm R)."""

    def __init__(self, rng: random.Random) -> None:
        self.values: list[float] = []
        self.seen = 0
        self._rng = rng

    def add(self, value: float) -> None:
        self.seen += 1
        if len(self.values) < MAX_VALUES:
            self.values.append(value)
            return
        slot = self._rng.randrange(self.seen)
        if slot < MAX_VALUES:
            self.values[slot] = value


@dataclass
class _Group:
    counts: Counter[str] = field(default_factory=Counter)
    samples: dict[str, Reservoir] = field(default_factory=dict)


class Emf:
    """What one role process reports to CloudWatch, summed until `lines()` takes it."""

    def __init__(
        self,
        role: str,
        namespace: str = "ecomm",
        *,
        clock: Callable[[], float] = time.time,
        rng: random.Random | None = None,
    ) -> None:
        self.role = role
        self.namespace = namespace
        self._clock = clock
        self._rng = rng or random.Random()  # noqa: S311 - sampling, not security
        self._groups: dict[tuple[Kind, tuple[str, ...]], _Group] = {}

    # What the runtime reports.

    def request(self, route: str, status: int, seconds: float) -> None:
        family = route_family(route)
        if family is None:
            return
        group = self._group(HTTP, family)
        group.counts["Requests"] += 1
        if status >= 500:
            group.counts["ServerErrors"] += 1
        elif status >= 400:
            group.counts["ClientErrors"] += 1
        self._sample(group, "RequestLatency", seconds * 1000)

    def order(self, outcome: str, placed_at: str | None) -> None:
        """One order recorded with `outcome`; `placed_at` is the placing event's ISO time."""
        group = self._group(ORDERS, outcome.lower())
        group.counts["Orders"] += 1
        seconds = self._since(placed_at)
        if seconds is not None:
            self._sample(group, "OrderLatency", seconds * 1000)

    def message_received(self, queue: str, lag_seconds: float) -> None:
        self._sample(self._group(QUEUES, queue), "ReceiveLag", lag_seconds * 1000)

    def message_handled(self, queue: str, result: str) -> None:
        name = "MessagesHandled" if result == "ok" else "MessageFailures"
        self._group(QUEUES, queue).counts[name] += 1

    def aws_call(self, service: str, operation: str) -> None:
        self._group(AWS, service, operation).counts["AwsCalls"] += 1

    def aws_error(self, service: str, operation: str) -> None:
        self._group(AWS, service, operation).counts["AwsErrors"] += 1

    def event_published(self, event_type: str, result: str) -> None:
        name = "EventsPublished" if result == "ok" else "EventsNotPublished"
        self._group(EVENTS, event_type).counts[name] += 1

    def payment(self, provider: str, outcome: str, seconds: float | None = None) -> None:
        """The hook for payments: one attempt's outcome (succeeded, declined, failed ...)."""
        group = self._group(PAYMENTS, provider, outcome)
        group.counts["Payments"] += 1
        if seconds is not None:
            self._sample(group, "PaymentLatency", seconds * 1000)

    # What the flusher prints.

    def lines(self) -> list[str]:
        """One EMF line per group with something to report since the last call; resets."""
        groups, self._groups = self._groups, {}
        timestamp = int(self._clock() * 1000)
        return [
            line
            for (kind, values), group in groups.items()
            if (line := self._line(kind, values, group, timestamp))
        ]

    def _line(self, kind: Kind, values: tuple[str, ...], group: _Group, timestamp: int) -> str:
        body: dict[str, object] = {"Role": self.role}
        body.update(zip(kind.dimensions, values, strict=True))
        metrics = []
        for name, unit in kind.metrics.items():
            if group.counts.get(name):
                body[name] = group.counts[name]
            elif name in group.samples:
                body[name] = [round(v, 2) for v in group.samples[name].values]
            else:
                continue
            metrics.append({"Name": name, "Unit": unit})
        if not metrics:
            return ""
        directive = {
            "Namespace": self.namespace,
            "Dimensions": [list(s) for s in kind.dimension_sets],
            "Metrics": metrics,
        }
        aws = {"Timestamp": timestamp, "CloudWatchMetrics": [directive]}
        return json.dumps({"_aws": aws, **body}, separators=(",", ":"))

    def _group(self, kind: Kind, *values: str) -> _Group:
        key = (kind, values)
        group = self._groups.get(key)
        if group is None:
            group = self._groups[key] = _Group()
        return group

    def _sample(self, group: _Group, name: str, value: float) -> None:
        reservoir = group.samples.get(name)
        if reservoir is None:
            reservoir = group.samples[name] = Reservoir(self._rng)
        reservoir.add(value)

    def _since(self, iso_time: str | None) -> float | None:
        if not iso_time:
            return None
        try:
            then = datetime.fromisoformat(iso_time)
        except ValueError:
            return None
        if then.tzinfo is None:
            then = then.replace(tzinfo=UTC)
        seconds = self._clock() - then.timestamp()
        return seconds if 0 <= seconds <= _MAX_ORDER_LATENCY else None
