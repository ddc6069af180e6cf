"""infra/ecomm.yaml, read as data: least privilege, task definitions, and no drift from the code.

Names, filter policies and the redrive limit are compared with `ecomm.core.resources` and the
`EventType` values, and environment variables with `Settings`, so changing one side without the
other fails here rather than in an AWS account.
"""

from __future__ import annotations

import fnmatch
from typing import Any

import pytest

from ecomm.core.resources import (
    DLQ_RETENTION_SECONDS,
    DLQ_SUFFIX,
    EVENTS_TOPIC,
    LOOKUP_QUEUE,
    MAX_RECEIVE_COUNT,
    QUEUES,
    TABLES,
    QueueSpec,
)
from ecomm.core.settings import Settings
from tests.infra.cfn import as_list, resources_of_type, token

SERVICE_ROLES = ("web", "lookup", "order")
PORTS = {role: Settings.model_fields[f"{role}_port"].default for role in SERVICE_ROLES}

_DYNAMO_READ = ("dynamodb:BatchGetItem", "dynamodb:GetItem", "dynamodb:Scan")
_CONSUME = (
    "sqs:ChangeMessageVisibility",
    "sqs:DeleteMessage",
    "sqs:GetQueueAttributes",
    "sqs:GetQueueUrl",
    "sqs:ReceiveMessage",
)


# Each lookup task's own queue (roles/lookup/taskqueue.py) is named {LookupQueue}-{task id}.
_TASK_QUEUES = (
    "arn:${AWS::Partition}:sqs:${AWS::Region}:${AWS::AccountId}:"
    f"${{ResourcePrefix}}{LOOKUP_QUEUE}-*"
)
_TASK_QUEUE_LIFECYCLE = (
    "sqs:CreateQueue",
    "sqs:DeleteQueue",
    "sqs:ListQueueTags",
    "sqs:SetQueueAttributes",
    "sqs:TagQueue",
)


def _grants(actions: tuple[str, ...] | list[str], *resources: str) -> set[tuple[str, str]]:
    return {(a, r) for a in actions for r in resources}


# Every (action, resource) a task role may have: what that role's code calls, nothing more.
TASK_ROLE_GRANTS: dict[str, set[tuple[str, str]]] = {
    "WebTaskRole": _grants(["sns:GetTopicAttributes", "sns:Publish"], "EventsTopic"),
    "LookupTaskRole": _grants(_DYNAMO_READ, "ProductsTable.Arn")
    | _grants(_CONSUME, "LookupQueue.Arn")
    | _grants(_CONSUME + _TASK_QUEUE_LIFECYCLE, _TASK_QUEUES)
    | _grants(["sqs:ListQueues"], "*")
    | _grants(["sns:Subscribe", "sns:Unsubscribe"], "EventsTopic"),
    "OrderTaskRole": _grants(["dynamodb:GetItem", "dynamodb:UpdateItem"], "ProductsTable.Arn")
    | _grants(["dynamodb:DescribeTable", "dynamodb:GetItem", "dynamodb:PutItem"], "OrdersTable.Arn")
    | _grants(_CONSUME, "OrderQueue.Arn")
    | _grants(["sns:Publish"], "EventsTopic"),
    "OpsTaskRole": _grants(
        ["dynamodb:BatchWriteItem", "dynamodb:PutItem", "dynamodb:UpdateItem"], "ProductsTable.Arn"
    )
    | _grants(["sns:Publish"], "EventsTopic")
    | _grants(
        ["sqs:DeleteMessage", "sqs:GetQueueUrl", "sqs:ReceiveMessage"],
        "OrderQueueDlq.Arn",
        "LookupQueueDlq.Arn",
    )
    | _grants(["sqs:GetQueueUrl", "sqs:SendMessage"], "OrderQueue.Arn", "LookupQueue.Arn"),
}

# Actions AWS does not let a policy scope to a resource; "*" is allowed for these alone.
UNSCOPABLE = {
    "ecr:GetAuthorizationToken",
    "ecs:DescribeTaskDefinition",
    "ecs:ListTasks",
    "sqs:ListQueues",
}


def _statements(role: dict[str, Any]) -> list[dict[str, Any]]:
    return [
        statement
        for policy in role["Properties"].get("Policies", [])
        for statement in as_list(policy["PolicyDocument"]["Statement"])
    ]


def _role_grants(role: dict[str, Any], effect: str = "Allow") -> set[tuple[str, str]]:
    grants: set[tuple[str, str]] = set()
    for statement in _statements(role):
        assert "NotAction" not in statement
        assert "NotResource" not in statement
        if statement["Effect"] != effect:
            continue
        for action in as_list(statement["Action"]):
            grants |= {(action, token(r)) for r in as_list(statement["Resource"])}
    return grants


def _task_definition(template: dict[str, Any], role: str) -> dict[str, Any]:
    props: dict[str, Any] = template["Resources"][f"{role.capitalize()}TaskDefinition"][
        "Properties"
    ]
    return props


def _container(template: dict[str, Any], role: str) -> dict[str, Any]:
    (container,) = _task_definition(template, role)["ContainerDefinitions"]
    assert isinstance(container, dict)
    return container


def _environment(container: dict[str, Any]) -> dict[str, Any]:
    return {e["Name"]: e["Value"] for e in container.get("Environment", [])}


# ---------------------------------------------------------------------------- IAM


@pytest.mark.parametrize("role", sorted(TASK_ROLE_GRANTS))
def test_task_role_grants_exactly_what_its_service_calls(
    template: dict[str, Any], role: str
) -> None:
    assert _role_grants(template["Resources"][role]) == TASK_ROLE_GRANTS[role]


def test_lookup_task_queue_grants_cannot_touch_the_dead_letter_queue(
    template: dict[str, Any],
) -> None:
    dlq = f"{LOOKUP_QUEUE}{DLQ_SUFFIX}"
    assert fnmatch.fnmatchcase(dlq, _TASK_QUEUES.rsplit("}", 1)[-1])  # the pattern covers it...
    role = template["Resources"]["LookupTaskRole"]
    allowed_on_dlq = {a for a, r in _role_grants(role) if r == _TASK_QUEUES}
    denied = {a for a, r in _role_grants(role, "Deny") if r == "LookupQueueDlq.Arn"}
    # ...so everything but finding it (its URL and ARN) is denied explicitly.
    assert allowed_on_dlq - denied == {"sqs:GetQueueAttributes", "sqs:GetQueueUrl"}
    assert _role_grants(role, "Deny") == {(a, "LookupQueueDlq.Arn") for a in denied}


@pytest.mark.parametrize("role", [*SERVICE_ROLES, "ops"])
def test_each_task_definition_runs_under_its_own_task_role(
    template: dict[str, Any], role: str
) -> None:
    props = _task_definition(template, role)
    assert token(props["TaskRoleArn"]) == f"{role.capitalize()}TaskRole.Arn"
    assert token(props["ExecutionRoleArn"]) == "ExecutionRole.Arn"


def test_task_roles_trust_only_ecs_tasks_of_this_account(template: dict[str, Any]) -> None:
    for name in TASK_ROLE_GRANTS:
        (trust,) = template["Resources"][name]["Properties"]["AssumeRolePolicyDocument"][
            "Statement"
        ]
        assert trust["Principal"] == {"Service": "ecs-tasks.amazonaws.com"}
        assert token(trust["Condition"]["StringEquals"]["aws:SourceAccount"]) == "AWS::AccountId"


def test_no_role_uses_wildcards_or_managed_policies(template: dict[str, Any]) -> None:
    for name, role in resources_of_type(template, "AWS::IAM::Role").items():
        assert "ManagedPolicyArns" not in role["Properties"], name
        for statement in _statements(role):
            actions = as_list(statement["Action"])
            assert all("*" not in a for a in actions), (name, actions)
            resources = as_list(statement["Resource"])
            if "*" in resources:
                assert set(actions) <= UNSCOPABLE, (name, actions)
    assert not resources_of_type(template, "AWS::IAM::ManagedPolicy")
    assert not resources_of_type(template, "AWS::IAM::Policy")
    assert "FullAccess" not in str(template)


def test_pipeline_may_pass_only_the_service_roles_to_ecs(template: dict[str, Any]) -> None:
    (pass_role,) = [
        s
        for s in _statements(template["Resources"]["PipelineRole"])
        if "iam:PassRole" in as_list(s["Action"])
    ]
    assert {token(r) for r in pass_role["Resource"]} == {
        "ExecutionRole.Arn",
        "WebTaskRole.Arn",
        "LookupTaskRole.Arn",
        "OrderTaskRole.Arn",
    }
    assert pass_role["Condition"]["StringEquals"]["iam:PassedToService"] == (
        "ecs-tasks.amazonaws.com"
    )


# ---------------------------------------------------------------------------- task definitions


@pytest.mark.parametrize("role", SERVICE_ROLES)
def test_task_definition_selects_its_role_and_port(template: dict[str, Any], role: str) -> None:
    container = _container(template, role)
    assert container["Name"] == role
    assert _environment(container)["ECOMM_ROLE"] == role
    (mapping,) = container["PortMappings"]
    assert (mapping["Name"], mapping["ContainerPort"]) == (role, PORTS[role])


@pytest.mark.parametrize("role", SERVICE_ROLES)
def test_container_health_check_calls_healthz_on_the_role_port(
    template: dict[str, Any], role: str
) -> None:
    check = _container(template, role)["HealthCheck"]
    assert check["Command"][0] == "CMD"
    assert f"http://127.0.0.1:{PORTS[role]}/healthz" in " ".join(check["Command"])


@pytest.mark.parametrize("role", [*SERVICE_ROLES, "ops"])
def test_container_logs_to_its_own_log_group_with_retention(
    template: dict[str, Any], role: str
) -> None:
    logging = _container(template, role)["LogConfiguration"]
    assert logging["LogDriver"] == "awslogs"
    group = template["Resources"][token(logging["Options"]["awslogs-group"])]
    assert group["Type"] == "AWS::Logs::LogGroup"
    assert token(group["Properties"]["LogGroupName"]).endswith(f"/{role}")
    assert group["Properties"]["RetentionInDays"]


@pytest.mark.parametrize("role", [*SERVICE_ROLES, "ops"])
def test_every_task_runs_the_one_image_with_the_stack_names(
    template: dict[str, Any], role: str
) -> None:
    container = _container(template, role)
    assert token(container["Image"]) == "${Repository.RepositoryUri}:${ImageTag}"
    env = _environment(container)
    assert token(env["ECOMM_RESOURCE_PREFIX"]) == "ResourcePrefix"
    assert token(env["ECOMM_TOPIC_ARN"]) == "EventsTopic"
    for name in env:
        if name.startswith("ECOMM_"):
            assert name.removeprefix("ECOMM_").lower() in Settings.model_fields, name


def test_cookie_secret_comes_from_secrets_manager_not_the_environment(
    template: dict[str, Any],
) -> None:
    for role in SERVICE_ROLES:
        for name in _environment(_container(template, role)):
            assert "SECRET" not in name, (role, name)
    (secret,) = _container(template, "web")["Secrets"]
    assert secret["Name"] == "ECOMM_COOKIE_SECRET"
    resource = template["Resources"][token(secret["ValueFrom"])]
    assert resource["Type"] == "AWS::SecretsManager::Secret"
    assert resource["Properties"]["GenerateSecretString"]["PasswordLength"] >= 32
    assert "Secrets" not in _container(template, "lookup")
    assert "Secrets" not in _container(template, "order")


def test_web_reaches_its_peers_by_their_service_connect_names(template: dict[str, Any]) -> None:
    env = _environment(_container(template, "web"))
    for peer in ("lookup", "order"):
        service = template["Resources"][f"{peer.capitalize()}Service"]["Properties"]
        (server,) = service["ServiceConnectConfiguration"]["Services"]
        assert server["PortName"] == _container(template, peer)["PortMappings"][0]["Name"]
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


# ---------------------------------------------------------------------------- data plane


def _named(template: dict[str, Any], kind: str, base: str) -> tuple[str, dict[str, Any]]:
    matches = [
        (logical, r["Properties"])
        for logical, r in resources_of_type(template, kind).items()
        if token(r["Properties"].get("TableName") or r["Properties"].get("QueueName") or "")
        == f"${{ResourcePrefix}}{base}"
        or token(r["Properties"].get("TopicName") or "") == f"${{ResourcePrefix}}{base}"
    ]
    assert len(matches) == 1, f"{kind} named {base}: {matches}"
    return matches[0]


@pytest.mark.parametrize("table", TABLES, ids=lambda t: t.name)
def test_table_matches_resources_py(template: dict[str, Any], table: Any) -> None:
    _, props = _named(template, "AWS::DynamoDB::Table", table.name)
    assert props["KeySchema"] == [{"AttributeName": table.hash_key, "KeyType": "HASH"}]
    assert props["AttributeDefinitions"] == [
        {"AttributeName": table.hash_key, "AttributeType": "S"}
    ]
    assert props["BillingMode"] == "PAY_PER_REQUEST"
    assert props["PointInTimeRecoverySpecification"]["PointInTimeRecoveryEnabled"] is True


def test_the_template_has_exactly_the_tables_and_queues_of_resources_py(
    template: dict[str, Any],
) -> None:
    assert len(resources_of_type(template, "AWS::DynamoDB::Table")) == len(TABLES)
    assert len(resources_of_type(template, "AWS::SQS::Queue")) == 2 * len(QUEUES)
    assert len(resources_of_type(template, "AWS::SNS::Subscription")) == len(QUEUES) + 1  # alarms
    _named(template, "AWS::SNS::Topic", EVENTS_TOPIC)


@pytest.mark.parametrize("queue", QUEUES, ids=lambda q: q.name)
def test_queue_redrive_and_dlq_match_resources_py(
    template: dict[str, Any], queue: QueueSpec
) -> None:
    _, props = _named(template, "AWS::SQS::Queue", queue.name)
    dlq_logical, dlq = _named(template, "AWS::SQS::Queue", queue.dlq_name)
    assert token(props["RedrivePolicy"]["deadLetterTargetArn"]) == f"{dlq_logical}.Arn"
    assert props["RedrivePolicy"]["maxReceiveCount"] == MAX_RECEIVE_COUNT
    assert dlq["MessageRetentionPeriod"] == DLQ_RETENTION_SECONDS


@pytest.mark.parametrize("queue", QUEUES, ids=lambda q: q.name)
def test_subscription_filters_exactly_as_resources_py(
    template: dict[str, Any], queue: QueueSpec
) -> None:
    logical, _ = _named(template, "AWS::SQS::Queue", queue.name)
    topic, _ = _named(template, "AWS::SNS::Topic", EVENTS_TOPIC)
    (subscription,) = [
        s["Properties"]
        for s in resources_of_type(template, "AWS::SNS::Subscription").values()
        if token(s["Properties"]["Endpoint"]) == f"{logical}.Arn"
    ]
    assert token(subscription["TopicArn"]) == topic
    assert subscription["Protocol"] == "sqs"
    assert subscription["RawMessageDelivery"] is True
    assert subscription["FilterPolicyScope"] == "MessageAttributes"
    assert subscription["FilterPolicy"] == queue.filter_policy()


@pytest.mark.parametrize("queue", QUEUES, ids=lambda q: q.name)
def test_only_the_topic_may_send_to_the_queue(template: dict[str, Any], queue: QueueSpec) -> None:
    logical, _ = _named(template, "AWS::SQS::Queue", queue.name)
    (policy,) = [
        p["Properties"]
        for p in resources_of_type(template, "AWS::SQS::QueuePolicy").values()
        if [token(q) for q in p["Properties"]["Queues"]] == [logical]
    ]
    (statement,) = policy["PolicyDocument"]["Statement"]
    assert statement["Principal"] == {"Service": "sns.amazonaws.com"}
    assert statement["Action"] == "sqs:SendMessage"
    assert token(statement["Resource"]) == f"{logical}.Arn"
    assert token(statement["Condition"]["ArnEquals"]["aws:SourceArn"]) == "EventsTopic"


# ---------------------------------------------------------------------------- operations


def _alarms_on(template: dict[str, Any], dimension_value: str) -> list[dict[str, Any]]:
    return [
        a["Properties"]
        for a in resources_of_type(template, "AWS::CloudWatch::Alarm").values()
        if any(token(d["Value"]) == dimension_value for d in a["Properties"]["Dimensions"])
    ]


@pytest.mark.parametrize("queue", QUEUES, ids=lambda q: q.name)
def test_dead_letters_raise_an_alarm(template: dict[str, Any], queue: QueueSpec) -> None:
    dlq_logical, _ = _named(template, "AWS::SQS::Queue", queue.dlq_name)
    (alarm,) = _alarms_on(template, f"{dlq_logical}.QueueName")
    assert alarm["MetricName"] == "ApproximateNumberOfMessagesVisible"
    assert (alarm["Threshold"], alarm["ComparisonOperator"]) == (1, "GreaterThanOrEqualToThreshold")
    assert [token(a) for a in alarm["AlarmActions"]] == ["AlarmTopic"]


def test_web_5xx_raise_alarms(template: dict[str, Any]) -> None:
    metrics = {a["MetricName"] for a in _alarms_on(template, "LoadBalancer.LoadBalancerFullName")}
    assert metrics == {"HTTPCode_Target_5XX_Count", "HTTPCode_ELB_5XX_Count"}


def test_order_service_scales_on_the_order_queue_backlog(template: dict[str, Any]) -> None:
    target = template["Resources"]["OrderScalableTarget"]["Properties"]
    assert token(target["ResourceId"]) == "service/${Cluster}/${OrderService.Name}"
    scaling = _alarms_on(template, "OrderQueue.QueueName")
    assert {a["MetricName"] for a in scaling} == {"ApproximateNumberOfMessagesVisible"}
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
    } <= set(template["Parameters"])
    assert {"ShopUrl", "RepositoryUri"} <= set(template["Outputs"])
