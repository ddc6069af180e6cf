"""infra/ecomm.yaml's dashboard, alarms, collector sidecars and Service Connect timeouts, read as
data and held to what the code prints and how it is configured."""

from __future__ import annotations

import json
import re
from typing import Any

import pytest
import yaml

from ecomm.core.runtime.emf import CATALOGUE
from ecomm.core.runtime.settings import Settings
from tests.infra.cfn import (
    Renderer,
    as_list,
    container_env,
    resources_of_type,
    task_container,
    task_definition,
    token,
)
from tests.infra.recorded_calls import SIDECAR_POLICIES

SERVICE_ROLES = ("web", "lookup", "order")
NAMESPACE = "ecomm/${AWS::StackName}"
COLLECTOR = "otel-collector"
# A SEARCH expression's schema and metric: SEARCH('{namespace,Dim1,Dim2} MetricName="X"', ...)
_SEARCH = re.compile(r"\{([^}]*)\}\s+MetricName=\"(\w+)\"")


def _dashboard(template: dict[str, Any]) -> dict[str, Any]:
    (dashboard,) = resources_of_type(template, "AWS::CloudWatch::Dashboard").values()
    body = Renderer(template, {}, ref=lambda r: r, get_att=lambda r, a: f"{r}.{a}").resolve(
        dashboard["Properties"]["DashboardBody"]
    )
    parsed: dict[str, Any] = json.loads(body)
    return parsed


def _namespace(template: dict[str, Any]) -> str:
    rendered = Renderer(template, {}, ref=lambda r: r, get_att=lambda r, a: f"{r}.{a}")
    return str(rendered.resolve({"Fn::Sub": NAMESPACE}))


def _metric_rows(dashboard: dict[str, Any]) -> list[list[Any]]:
    return [
        row
        for widget in dashboard["widgets"]
        if widget["type"] == "metric"
        for row in widget["properties"]["metrics"]
    ]


def _ours(template: dict[str, Any]) -> list[tuple[str, tuple[str, ...]]]:
    """(metric, dimension names) of every ecomm metric the dashboard and alarms show."""
    namespace = _namespace(template)
    found: list[tuple[str, tuple[str, ...]]] = []
    for row in _metric_rows(_dashboard(template)):
        if isinstance(row[0], str) and row[0] == namespace:
            names = [r for r in row[2:] if isinstance(r, str)]
            found.append((row[1], tuple(names[0::2])))
        elif isinstance(row[0], dict) and "SEARCH" in row[0].get("expression", ""):
            schema, metric = _SEARCH.search(row[0]["expression"]).groups()  # type: ignore[union-attr]
            space, *dimensions = schema.split(",")
            assert space == namespace, schema
            found.append((metric, tuple(dimensions)))
    for alarm in resources_of_type(template, "AWS::CloudWatch::Alarm").values():
        for query in alarm["Properties"].get("Metrics", []):
            if "MetricStat" in query:
                metric = query["MetricStat"]["Metric"]
                assert token(metric["Namespace"]) == NAMESPACE
                found.append((metric["MetricName"], tuple(d["Name"] for d in metric["Dimensions"])))
    return found


def test_the_dashboard_and_alarms_show_only_metrics_the_code_prints(
    template: dict[str, Any],
) -> None:
    shown = _ours(template)
    assert len(shown) > 10  # the parser found the dashboard's rows, not nothing
    for metric, dimensions in shown:
        assert metric in CATALOGUE, metric
        _, dimension_sets = CATALOGUE[metric]
        assert dimensions in dimension_sets, (metric, dimensions, dimension_sets)
    # ...and every kind of measurement an operator watches is on it.
    shown_names = {m for m, _ in shown}
    for watched in ("Requests", "ServerErrors", "RequestLatency", "Orders", "OrderLatency"):
        assert watched in shown_names
    for watched in ("ReceiveLag", "AwsErrors", "EventsNotPublished", "Payments"):
        assert watched in shown_names


def test_every_role_prints_its_metrics_under_the_dashboards_namespace(
    template: dict[str, Any],
) -> None:
    for role in (*SERVICE_ROLES, "ops"):
        env = container_env(task_container(template, role))
        assert token(env["ECOMM_METRICS_NAMESPACE"]) == NAMESPACE
    assert "metrics_namespace" in Settings.model_fields


def test_the_dashboard_shows_the_load_balancer_the_queues_and_every_service(
    template: dict[str, Any],
) -> None:
    rows = [r for r in _metric_rows(_dashboard(template)) if isinstance(r[0], str)]
    shown = {(r[0], r[1], *[x for x in r[2:] if isinstance(x, str)]) for r in rows}
    for metric in ("RequestCount", "HTTPCode_Target_5XX_Count", "TargetResponseTime"):
        assert any(s[:2] == ("AWS/ApplicationELB", metric) for s in shown), metric
    queues = set(resources_of_type(template, "AWS::SQS::Queue"))  # both queues and both DLQs
    for metric in ("ApproximateNumberOfMessagesVisible", "ApproximateAgeOfOldestMessage"):
        on = {s[3].removesuffix(".QueueName") for s in shown if s[:2] == ("AWS/SQS", metric)}
        assert on == queues, metric
    for metric in ("CPUUtilization", "MemoryUtilization"):
        services = {s[5] for s in shown if s[:2] == ("AWS/ECS", metric)}
        assert services == set(SERVICE_ROLES), metric


def _alarm(template: dict[str, Any], logical: str) -> dict[str, Any]:
    alarm: dict[str, Any] = template["Resources"][logical]["Properties"]
    assert [token(a) for a in alarm["AlarmActions"]] == ["AlarmTopic"]
    return alarm


@pytest.mark.parametrize("queue", ["OrderQueue", "LookupQueue"])
def test_a_queue_whose_oldest_message_waits_too_long_pages(
    template: dict[str, Any], queue: str
) -> None:
    alarm = _alarm(template, f"{queue}AgeAlarm")
    assert alarm["MetricName"] == "ApproximateAgeOfOldestMessage"
    assert [token(d["Value"]) for d in alarm["Dimensions"]] == [f"{queue}.QueueName"]
    assert token(alarm["Threshold"]) == "OldestMessageAlarmSeconds"


def test_a_rejection_rate_above_normal_pages(template: dict[str, Any]) -> None:
    alarm = _alarm(template, "OrderRejectionRateAlarm")
    queries = {q["Id"]: q for q in alarm["Metrics"]}
    outcomes = {
        i: {d["Name"]: d["Value"] for d in q["MetricStat"]["Metric"]["Dimensions"]}["Outcome"]
        for i, q in queries.items()
        if "MetricStat" in q
    }
    assert outcomes == {"confirmed": "confirmed", "rejected": "rejected"}
    (returned,) = [q for q in queries.values() if q["ReturnData"]]
    assert "100 * FILL(rejected, 0)" in returned["Expression"]
    assert token(alarm["Threshold"]) == "RejectionRateAlarmPercent"


def test_web_p99_latency_pages(template: dict[str, Any]) -> None:
    alarm = _alarm(template, "WebLatencyP99Alarm")
    assert (alarm["MetricName"], alarm["ExtendedStatistic"]) == ("TargetResponseTime", "p99")
    assert token(alarm["Threshold"]) == "LatencyP99AlarmSeconds"


@pytest.mark.parametrize("role", SERVICE_ROLES)
def test_each_service_sends_its_traces_to_xray_through_a_collector_sidecar(
    template: dict[str, Any], role: str
) -> None:
    containers = {c["Name"]: c for c in task_definition(template, role)["ContainerDefinitions"]}
    assert set(containers) == {role, COLLECTOR}
    collector, app = containers[COLLECTOR], containers[role]
    assert collector["Essential"] is False  # no traces is no reason to stop the shop
    assert app["DependsOn"] == [{"ContainerName": COLLECTOR, "Condition": "START"}]
    config = yaml.safe_load(token(container_env(collector)["AOT_CONFIG_CONTENT"]))
    receiver = config["receivers"]["otlp"]["protocols"]["http"]["endpoint"]
    assert container_env(app)["OTEL_EXPORTER_OTLP_ENDPOINT"] == f"http://{receiver}"
    assert Settings.model_fields["otel_endpoint"].validation_alias is not None
    (pipeline,) = config["service"]["pipelines"].values()
    assert pipeline["receivers"] == ["otlp"]
    assert pipeline["exporters"] == ["awsxray"]
    assert collector["LogConfiguration"]["Options"]["awslogs-stream-prefix"] == "otel"


@pytest.mark.parametrize("role", SERVICE_ROLES)
def test_the_collectors_may_write_traces_and_nothing_else(
    template: dict[str, Any], role: str
) -> None:
    policies = template["Resources"][f"{role.capitalize()}TaskRole"]["Properties"]["Policies"]
    (traces,) = [p for p in policies if p["PolicyName"] in SIDECAR_POLICIES]
    (statement,) = as_list(traces["PolicyDocument"]["Statement"])
    assert statement == {"Effect": "Allow", "Action": "xray:PutTraceSegments", "Resource": "*"}


@pytest.mark.parametrize("role", ["lookup", "order"])
def test_service_connect_timeouts_are_explicit_and_fit_the_callers(
    template: dict[str, Any], role: str
) -> None:
    service = template["Resources"][f"{role.capitalize()}Service"]["Properties"]
    (server,) = service["ServiceConnectConfiguration"]["Services"]
    timeout = server["Timeout"]
    # web gives up first (its peer timeout), with a clear page; the proxy only stops a runaway.
    assert timeout["PerRequestTimeoutSeconds"] > Settings.model_fields["peer_timeout"].default
    # Longer than web's 30 s keep-alive (roles/web/app.py): web, not the proxy, closes idle
    # connections, so no request is sent on a connection the proxy is closing.
    assert timeout["IdleTimeoutSeconds"] > 30
    options = service["ServiceConnectConfiguration"]["LogConfiguration"]["Options"]
    assert options["awslogs-stream-prefix"] == "service-connect"
