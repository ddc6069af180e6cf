"""infra/ecomm.yaml's services, read as data: task definitions, network, scaling, pipeline.

Ports and environment variables are compared with `Settings`, so a renamed setting or a moved
port fails here rather than in an AWS account.
"""

from __future__ import annotations

from typing import Any

import pytest

from ecomm.core.contracts.resources import QUEUES, QueueSpec
from ecomm.core.runtime.settings import Settings
from tests.infra.cfn import alarms_on, container_env, named, task_container, token

SERVICE_ROLES = ("web", "lookup", "order")
PORTS = {role: Settings.model_fields[f"{role}_port"].default for role in SERVICE_ROLES}


@pytest.mark.parametrize("role", SERVICE_ROLES)
def test_task_definition_selects_its_role_and_port(template: dict[str, Any], role: str) -> None:
    container = task_container(template, role)
    assert container["Name"] == role
    assert container_env(container)["ECOMM_ROLE"] == role
    (mapping,) = container["PortMappings"]
    assert (mapping["Name"], mapping["ContainerPort"]) == (role, PORTS[role])


@pytest.mark.parametrize("role", SERVICE_ROLES)
def test_container_health_check_calls_healthz_on_the_role_port(
    template: dict[str, Any], role: str
) -> None:
    check = task_container(template, role)["HealthCheck"]
    assert check["Command"][0] == "CMD"
    assert f"http://127.0.0.1:{PORTS[role]}/healthz" in " ".join(check["Command"])


@pytest.mark.parametrize("role", [*SERVICE_ROLES, "ops"])
def test_container_logs_to_its_own_log_group_with_retention(
    template: dict[str, Any], role: str
) -> None:
    logging = task_container(template, role)["LogConfiguration"]
    assert logging["LogDriver"] == "awslogs"
    group = template["Resources"][token(logging["Options"]["awslogs-group"])]
    assert group["Type"] == "AWS::Logs::LogGroup"
    assert token(group["Properties"]["LogGroupName"]).endswith(f"/{role}")
    assert group["Properties"]["RetentionInDays"]


@pytest.mark.parametrize("role", [*SERVICE_ROLES, "ops"])
def test_every_task_runs_the_one_image_with_the_stack_names(
    template: dict[str, Any], role: str
) -> None:
    container = task_container(template, role)
    assert token(container["Image"]) == "${Repository.RepositoryUri}:${ImageTag}"
    env = container_env(container)
    assert token(env["ECOMM_RESOURCE_PREFIX"]) == "ResourcePrefix"
    assert token(env["ECOMM_TOPIC_ARN"]) == "EventsTopic"
    for name in env:
        if name.startswith("ECOMM_"):
            assert name.removeprefix("ECOMM_").lower() in Settings.model_fields, name


def test_cookie_secret_comes_from_secrets_manager_not_thecontainer_env(
    template: dict[str, Any],
) -> None:
    for role in SERVICE_ROLES:
        for name in container_env(task_container(template, role)):
            assert "SECRET" not in name, (role, name)
    injected = {
        role: {s["Name"]: token(s["ValueFrom"]) for s in task_container(template, role)["Secrets"]}
        for role in ("web", "order")
    }
    assert injected == {
        "web": {
            "ECOMM_COOKIE_SECRET": "CookieSecret",
            "ECOMM_STRIPE_SECRET_KEY": "StripeSecretKey",
            "ECOMM_STRIPE_WEBHOOK_SECRET": "StripeWebhookSecret",
        },
        "order": {"ECOMM_STRIPE_SECRET_KEY": "StripeSecretKey"},
    }
    resource = template["Resources"]["CookieSecret"]
    assert resource["Properties"]["GenerateSecretString"]["PasswordLength"] >= 32
    for name in {n for secrets in injected.values() for n in secrets.values()}:
        assert template["Resources"][name]["Type"] == "AWS::SecretsManager::Secret"
    assert "Secrets" not in task_container(template, "lookup")
    # ECS reads them (the execution role), the app's own roles never do.
    [grant] = [
        statement
        for policy in template["Resources"]["ExecutionRole"]["Properties"]["Policies"]
        for statement in policy["PolicyDocument"]["Statement"]
        if statement["Action"] == "secretsmanager:GetSecretValue"
    ]
    assert sorted(token(r) for r in grant["Resource"]) == sorted(
        {n for secrets in injected.values() for n in secrets.values()}
    )


def test_payments_are_off_unless_the_stack_says_stripe(template: dict[str, Any]) -> None:
    assert template["Parameters"]["Payments"]["Default"] == "none"
    for role in ("web", "order"):
        assert token(container_env(task_container(template, role))["ECOMM_PAYMENTS"]) == "Payments"


def test_a_failing_capture_pages(template: dict[str, Any]) -> None:
    alarm = template["Resources"]["PaymentCaptureFailedAlarm"]["Properties"]
    outcomes = {
        d["Value"]
        for q in alarm["Metrics"]
        if "MetricStat" in q
        for d in q["MetricStat"]["Metric"]["Dimensions"]
        if d["Name"] == "Outcome"
    }
    assert outcomes == {"capture_failed", "capture_error"}
    assert alarm["Threshold"] == 0


def test_web_reaches_its_peers_by_their_service_connect_names(template: dict[str, Any]) -> None:
    env = container_env(task_container(template, "web"))
    for peer in ("lookup", "order"):
        service = template["Resources"][f"{peer.capitalize()}Service"]["Properties"]
        (server,) = service["ServiceConnectConfiguration"]["Services"]
        assert server["PortName"] == task_container(template, peer)["PortMappings"][0]["Name"]
        (alias,) = server["ClientAliases"]
        assert env[f"ECOMM_{peer.upper()}_URL"] == f"http://{alias['DnsName']}:{alias['Port']}"
        assert alias["Port"] == PORTS[peer]
    web = template["Resources"]["WebService"]["Properties"]
    assert web["ServiceConnectConfiguration"]["Enabled"] is True
    assert "Services" not in web["ServiceConnectConfiguration"]


# ---------------------------------------------------------------------------- network


def _ingress(template: dict[str, Any], group: str) -> list[tuple[int, str]]:
    rules = template["Resources"][group]["Properties"].get("SecurityGroupIngress", [])
    return [(r["FromPort"], token(r.get("SourceSecurityGroupId", r.get("CidrIp")))) for r in rules]


def test_only_the_alb_reaches_web_and_only_web_reaches_lookup_and_order(
    template: dict[str, Any],
) -> None:
    assert _ingress(template, "WebSecurityGroup") == [(8080, "AlbSecurityGroup")]
    assert _ingress(template, "LookupSecurityGroup") == [(8081, "WebSecurityGroup")]
    assert _ingress(template, "OrderSecurityGroup") == [(8082, "WebSecurityGroup")]
    assert _ingress(template, "OpsSecurityGroup") == []


def test_alb_checks_web_healthz(template: dict[str, Any]) -> None:
    group = template["Resources"]["WebTargetGroup"]["Properties"]
    assert (group["HealthCheckPath"], group["Port"], group["TargetType"]) == (
        "/healthz",
        8080,
        "ip",
    )
    (attachment,) = template["Resources"]["WebService"]["Properties"]["LoadBalancers"]
    assert (attachment["ContainerName"], attachment["ContainerPort"]) == ("web", PORTS["web"])


@pytest.mark.parametrize("queue", QUEUES, ids=lambda q: q.name)
def test_dead_letters_raise_an_alarm(template: dict[str, Any], queue: QueueSpec) -> None:
    dlq_logical, _ = named(template, "AWS::SQS::Queue", queue.dlq_name)
    (alarm,) = alarms_on(template, f"{dlq_logical}.QueueName")
    assert alarm["MetricName"] == "ApproximateNumberOfMessagesVisible"
    assert (alarm["Threshold"], alarm["ComparisonOperator"]) == (1, "GreaterThanOrEqualToThreshold")
    assert [token(a) for a in alarm["AlarmActions"]] == ["AlarmTopic"]


def test_web_5xx_raise_alarms(template: dict[str, Any]) -> None:
    metrics = {a["MetricName"] for a in alarms_on(template, "LoadBalancer.LoadBalancerFullName")}
    assert {"HTTPCode_Target_5XX_Count", "HTTPCode_ELB_5XX_Count"} <= metrics


def test_order_service_scales_on_the_order_queue_backlog(template: dict[str, Any]) -> None:
    target = template["Resources"]["OrderScalableTarget"]["Properties"]
    assert token(target["ResourceId"]) == "service/${Cluster}/${OrderService.Name}"
    scaling = [
        a
        for a in alarms_on(template, "OrderQueue.QueueName")
        if a["MetricName"] == "ApproximateNumberOfMessagesVisible"
    ]
    assert {token(action) for a in scaling for action in a["AlarmActions"]} == {
        "OrderScaleOutPolicy",
        "OrderScaleInPolicy",
    }


def test_pipeline_deploys_the_three_services_from_imagedefinitions(
    template: dict[str, Any],
) -> None:
    stages = {
        s["Name"]: s["Actions"] for s in template["Resources"]["Pipeline"]["Properties"]["Stages"]
    }
    assert list(stages) == ["Source", "Build", "Deploy"]
    deployed = {
        token(a["Configuration"]["ServiceName"]): a["Configuration"]["FileName"]
        for a in stages["Deploy"]
    }
    assert deployed == {
        f"{role.capitalize()}Service.Name": "imagedefinitions.json" for role in SERVICE_ROLES
    }
    build = template["Resources"]["BuildProject"]["Properties"]
    assert build["Environment"]["PrivilegedMode"] is True
    assert build["Source"]["BuildSpec"] == "buildspec.yml"


def test_parameters_and_outputs_an_operator_needs(template: dict[str, Any]) -> None:
    assert {
        "ResourcePrefix",
        "ImageTag",
        "TaskCpu",
        "TaskMemory",
        "WebDesiredCount",
        "LookupDesiredCount",
        "OrderMinCount",
        "OrderMaxCount",
        "GitHubConnectionArn",
        "GitHubRepository",
        "GitHubBranch",
        "CloudFrontPrefixListId",
        "DomainName",
        "CloudFrontCertificateArn",
        "CertificateArn",
    } <= set(template["Parameters"])
    assert {"ShopUrl", "DistributionDomainName", "RepositoryUri"} <= set(template["Outputs"])
