from __future__ import annotations

from ecomm.core.runtime.metrics import Metrics


def count(metrics: Metrics, method: str, route: str, status: str) -> float:
    value = metrics.registry.get_sample_value(
        "ecomm_http_request_duration_seconds_count",
        {"method": method, "route": route, "status": status},
    )
    return value or 0.0


def test_requests_are_counted_by_method_route_and_status() -> None:
    metrics = Metrics("test")
    for _ in range(3):
        metrics.observe_request("GET", "/search", 200, 0.002)
    metrics.observe_request("GET", "/search", 400, 0.001)
    assert count(metrics, "GET", "/search", "200") == 3
    assert count(metrics, "GET", "/search", "400") == 1


def test_invented_methods_share_one_label_value() -> None:
    metrics = Metrics("test")
    for method in ("FOO", "BAR", "X" * 50):
        metrics.observe_request(method, "unmatched", 405, 0.001)
    assert count(metrics, "other", "unmatched", "405") == 3
    assert b"FOO" not in metrics.render()
