"""What a role prints for CloudWatch: summed per interval, bounded, valid EMF."""

from __future__ import annotations

import json
import random
from typing import Any

from ecomm.core.runtime.emf import CATALOGUE, MAX_VALUES, Emf, route_family


def lines(emf: Emf) -> list[dict[str, Any]]:
    return [json.loads(line) for line in emf.lines()]


def emf_at(now: float = 1_800_000_000.0) -> Emf:
    return Emf("web", "ecomm/test", clock=lambda: now, rng=random.Random(7))


def test_routes_are_grouped_into_families_and_probes_left_out() -> None:
    assert route_family("/") == "home"
    assert route_family("/products/{product_id}") == "products"
    assert route_family("/api/products/{productID}") == "api/products"
    assert route_family("/orders/{order_id}/status.json") == "orders"
    assert route_family("unmatched") == "unmatched"
    assert route_family("/readyz") is None


def test_a_thousand_requests_make_one_line_with_at_most_a_hundred_latencies() -> None:
    emf = emf_at()
    for i in range(1000):
        emf.request("/search", 200 if i % 10 else 503, i / 1000)
    emf.request("/cart", 404, 0.002)
    emf.request("/healthz", 200, 0.001)
    by_route = {line["Route"]: line for line in lines(emf)}
    assert set(by_route) == {"search", "cart"}
    search = by_route["search"]
    assert (search["Requests"], search["ServerErrors"]) == (1000, 100)
    assert "ClientErrors" not in search  # nothing to say, nothing printed (nor billed)
    assert len(search["RequestLatency"]) == MAX_VALUES
    assert all(0 <= v <= 999 for v in search["RequestLatency"])
    assert by_route["cart"]["ClientErrors"] == 1
    (directive,) = search["_aws"]["CloudWatchMetrics"]
    assert directive["Namespace"] == "ecomm/test"
    assert directive["Dimensions"] == [["Role", "Route"], ["Role"]]
    assert {m["Name"] for m in directive["Metrics"]} == {
        "Requests",
        "ServerErrors",
        "RequestLatency",
    }
    assert search["_aws"]["Timestamp"] == 1_800_000_000_000
    assert emf.lines() == []  # taken: the next interval starts from nothing


def test_the_sample_is_uniform_not_the_first_hundred() -> None:
    emf = emf_at()
    for i in range(10_000):
        emf.request("/search", 200, i / 1000)
    (line,) = lines(emf)
    late = [v for v in line["RequestLatency"] if v >= 5000]
    assert 25 <= len(late) <= 75  # about half the sample comes from the second half


def test_orders_carry_their_latency_from_placement() -> None:
    emf = emf_at(now=1_800_000_010.5)
    emf.order("CONFIRMED", "2027-01-15T08:00:00.000Z")  # 1_800_000_000 s
    emf.order("REJECTED", "not a time")
    emf.order("REJECTED", "2099-01-01T00:00:00Z")  # from the future: no latency
    by_outcome = {line["Outcome"]: line for line in lines(emf)}
    assert by_outcome["confirmed"]["Orders"] == 1
    assert by_outcome["confirmed"]["OrderLatency"] == [10500.0]
    assert by_outcome["rejected"]["Orders"] == 2
    assert "OrderLatency" not in by_outcome["rejected"]


def test_every_line_names_only_catalogued_metrics_with_their_units() -> None:
    emf = emf_at()
    emf.request("/checkout", 500, 0.1)
    emf.order("CONFIRMED", None)
    emf.message_received("OrderQueue", 0.5)
    emf.message_handled("OrderQueue", "retry")
    emf.aws_call("sns", "Publish")
    emf.aws_error("sns", "Publish")
    emf.event_published("OrderPlaced", "dropped")
    emf.payment("stripe", "succeeded", 0.3)
    printed = lines(emf)
    assert len(printed) == 6
    for line in printed:
        (directive,) = line["_aws"]["CloudWatchMetrics"]
        for metric in directive["Metrics"]:
            unit, dimension_sets = CATALOGUE[metric["Name"]]
            assert metric["Unit"] == unit
            assert [tuple(d) for d in directive["Dimensions"]] == list(dimension_sets)
            assert metric["Name"] in line
        for keys in directive["Dimensions"]:
            assert all(isinstance(line[k], str) for k in keys)
