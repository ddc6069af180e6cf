"""infra/ecomm.yaml's IAM, read as data: the shape every role keeps.

Whether each task role grants exactly what its code calls is proven by the calls themselves
(test_iam_by_the_calls.py, run after the whole suite). Here: no role may use wildcard actions,
"*" resources (except where AWS accepts nothing else) or managed policies; roles are trusted by
ECS tasks of this account alone; conditions are the ones the design needs.
"""

from __future__ import annotations

import fnmatch
from typing import Any

import pytest

from ecomm.core.contracts.resources import DLQ_SUFFIX, LOOKUP_QUEUE, PRODUCTS_TABLE, TABLES
from tests.infra.cfn import as_list, resources_of_type, task_definition, token
from tests.infra.recorded_calls import TASK_ROLE_OF

SERVICE_ROLES = ("web", "lookup", "order")
TASK_ROLES = sorted(set(TASK_ROLE_OF.values()))

# Each lookup task's own queue (roles/lookup/taskqueue.py) is named {LookupQueue}-{task id}.
_TASK_QUEUES = (
    "arn:${AWS::Partition}:sqs:${AWS::Region}:${AWS::AccountId}:"
    f"${{ResourcePrefix}}{LOOKUP_QUEUE}-*"
)

# Actions AWS does not let a policy scope to a resource; "*" is allowed for these alone.
UNSCOPABLE = {
    "ecr:GetAuthorizationToken",
    "ecs:DescribeTaskDefinition",
    "ecs:ListTasks",
    "sqs:ListQueues",
    # The collector sidecar's writes to X-Ray (AWS lists no resource types for them).
    "xray:PutTraceSegments",
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
    props = task_definition(template, role)
    assert token(props["TaskRoleArn"]) == f"{role.capitalize()}TaskRole.Arn"
    assert token(props["ExecutionRoleArn"]) == "ExecutionRole.Arn"


def test_task_roles_trust_only_ecs_tasks_of_this_account(template: dict[str, Any]) -> None:
    for name in TASK_ROLES:
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


def _statements_granting(template: dict[str, Any], role: str, action: str) -> list[dict[str, Any]]:
    return [
        s
        for s in _statements(template["Resources"][role])
        if s["Effect"] == "Allow" and action in as_list(s["Action"])
    ]


def test_lookup_may_subscribe_only_its_own_task_queues_over_sqs(template: dict[str, Any]) -> None:
    (subscribe,) = _statements_granting(template, "LookupTaskRole", "sns:Subscribe")
    # Its own statement: the conditions below must not narrow (or widen) another action.
    assert as_list(subscribe["Action"]) == ["sns:Subscribe"]
    assert subscribe["Condition"] == {
        "StringEquals": {"sns:Protocol": "sqs"},
        "StringLike": {"sns:Endpoint": {"Fn::Sub": _TASK_QUEUES}},
        "StringNotEquals": {"sns:Endpoint": {"Fn::GetAtt": ["LookupQueueDlq", "Arn"]}},
    }


def test_lookup_may_unsubscribe_on_its_topic_alone(template: dict[str, Any]) -> None:
    # AWS offers no key naming the subscription (infra/README.md): the topic is the narrowest.
    (unsubscribe,) = _statements_granting(template, "LookupTaskRole", "sns:Unsubscribe")
    assert as_list(unsubscribe["Action"]) == ["sns:Unsubscribe"]
    assert [token(r) for r in as_list(unsubscribe["Resource"])] == ["EventsTopic"]


def test_order_may_update_only_the_product_attributes_its_transaction_names(
    template: dict[str, Any],
) -> None:
    (update,) = [
        s
        for s in _statements_granting(template, "OrderTaskRole", "dynamodb:UpdateItem")
        if [token(r) for r in as_list(s["Resource"])] == ["ProductsTable.Arn"]
    ]
    assert as_list(update["Action"]) == ["dynamodb:UpdateItem"]
    assert update["Condition"] == {
        "ForAllValues:StringEquals": {
            "dynamodb:Attributes": {
                "Fn::FindInMap": ["DynamoAttributes", "Products", "OrderTransaction"]
            }
        }
    }
    listed = template["Mappings"]["DynamoAttributes"]["Products"]["OrderTransaction"]
    # AWS evaluates the key like any attribute: a list without it refuses every update.
    (products,) = [t for t in TABLES if t.name == PRODUCTS_TABLE]
    assert products.hash_key in listed
    assert len(set(listed)) == len(listed)


def test_no_order_grant_restricts_return_values(template: dict[str, Any]) -> None:
    # AWS presents a transaction's ReturnValuesOnConditionCheckFailure as dynamodb:ReturnValues
    # (its transactions IAM page, example 4); the order transaction asks ALL_OLD to say which
    # lines it refused, so a ReturnValues condition would refuse the whole order.
    for statement in _statements(template["Resources"]["OrderTaskRole"]):
        for keys in statement.get("Condition", {}).values():
            assert "dynamodb:ReturnValues" not in keys


# Which service each role the template passes is for: the task roles and the execution role go
# to ECS tasks, nothing else.
PASSED_TO = {
    "ExecutionRole.Arn": "ecs-tasks.amazonaws.com",
    "WebTaskRole.Arn": "ecs-tasks.amazonaws.com",
    "LookupTaskRole.Arn": "ecs-tasks.amazonaws.com",
    "OrderTaskRole.Arn": "ecs-tasks.amazonaws.com",
    "OpsTaskRole.Arn": "ecs-tasks.amazonaws.com",
}


def test_every_pass_role_names_the_service_the_role_is_passed_to(
    template: dict[str, Any],
) -> None:
    passing = [
        (name, s)
        for name, role in resources_of_type(template, "AWS::IAM::Role").items()
        for s in _statements(role)
        if "iam:PassRole" in as_list(s["Action"])
    ]
    assert passing
    for name, statement in passing:
        assert as_list(statement["Action"]) == ["iam:PassRole"], name
        services = {PASSED_TO[token(r)] for r in as_list(statement["Resource"])}
        assert len(services) == 1, (name, services)
        assert statement["Condition"] == {
            "StringEquals": {"iam:PassedToService": services.pop()}
        }, name
