"""The calls the emulator recorded, as IAM sees them, held against infra/ecomm.yaml's task roles.

`requests_of` turns one recorded call into what AWS authorises for it: a transaction item by its
item-level action (TransactWriteItems has no action of its own; AWS's "Using IAM with DynamoDB
transactions"), SQS and SNS batches by their single-message actions, a queue created with tags
also by sqs:TagQueue; BatchGetItem and BatchWriteItem are actions of their own. Each with the
condition keys AWS documents for it.

A write that asks for the item back when its condition fails (`ReturnValuesOnConditionCheckFailure`
`ALL_OLD`, as the order transaction does to say which lines it refused) is also counted as a
read of it, dynamodb:GetItem, as the template assumes; whether AWS checks it is among what only
AWS can show (infra/README.md). `ReturnValues` on a write is the write's own business.

`audit` answers the two questions the IAM test asks: which recorded calls no statement of the
caller's task role allows, and which granted (action, resource) pairs no recorded call used.
Statements are rendered per resource prefix, since the tests share one emulator under prefixes.
"""

from __future__ import annotations

import copy
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from ecomm.emulator.calls import Call
from tests.infra.cfn import ACCOUNT, REGION, Renderer, as_list, token
from tests.infra.iam import allows, matches

# Which task role each caller runs under on ECS; other callers (the tests' own clients,
# `provision`, `--role all`) have no task role and are not audited.
TASK_ROLE_OF = {
    "web": "WebTaskRole",
    "lookup": "LookupTaskRole",
    "order": "OrderTaskRole",
    "ops": "OpsTaskRole",  # seed, dlq list|redrive
    "operator": "OpsTaskRole",  # product add|restock|price
}
# Made only where ECOMM_TOPIC_ARN is unset, which no task definition leaves it
# (test_cfn_services checks it): off AWS the roles find the topic by creating it.
LOCAL_ONLY = frozenset({"sns:CreateTopic"})
# Policies a task role carries for its collector sidecar, not for the code (X-Ray's writes).
SIDECAR_POLICIES = frozenset({"traces"})

_BATCHES = {
    "sqs:SendMessageBatch": "sqs:SendMessage",
    "sqs:DeleteMessageBatch": "sqs:DeleteMessage",
    "sqs:ChangeMessageVisibilityBatch": "sqs:ChangeMessageVisibility",
    "sns:PublishBatch": "sns:Publish",
}
_TRANSACTION_ITEMS = {
    "Update": "dynamodb:UpdateItem",
    "Put": "dynamodb:PutItem",
    "Delete": "dynamodb:DeleteItem",
    "ConditionCheck": "dynamodb:ConditionCheckItem",
    "Get": "dynamodb:GetItem",
}
_ITEM_WRITES = {"PutItem", "UpdateItem", "DeleteItem"}
_BASE_NAMES = re.compile(r"^(.*?)(Products|Orders|ecommerce-events|OrderQueue|LookupQueue)(-.*)?$")


@dataclass(frozen=True)
class Request:
    """One authorisation AWS makes: an action on a resource, with its condition keys."""

    action: str
    resource: str
    context: tuple[tuple[str, str | tuple[str, ...]], ...] = ()

    @classmethod
    def of(
        cls, action: str, resource: str, context: Mapping[str, str | list[str]] | None = None
    ) -> Request:
        items = (context or {}).items()
        frozen = tuple((k, v if isinstance(v, str) else tuple(v)) for k, v in items)
        return cls(action, resource, frozen)

    def keys(self) -> dict[str, str | list[str]]:
        return {k: v if isinstance(v, str) else list(v) for k, v in self.context}


def _attributes(detail: Mapping[str, str]) -> list[str]:
    return [a for a in detail.get("attributes", "").split(",") if a]


def requests_of(call: Call) -> list[Request]:
    detail = dict(call.detail)
    action = f"{call.service}:{call.operation}"
    if call.operation in {"TransactWriteItems", "TransactGetItems"}:
        context = {
            "dynamodb:Attributes": _attributes(detail),
            "dynamodb:EnclosingOperation": call.operation,
            # AWS presents an item's ReturnValuesOnConditionCheckFailure under this key.
            "dynamodb:ReturnValues": detail.get("return_on_failure", "NONE"),
        }
        request = Request.of(_TRANSACTION_ITEMS[detail["item"]], call.resource, context)
        return [request, *_old_item_read(call, detail)]
    if call.service == "dynamodb" and call.operation in _ITEM_WRITES:
        context = {
            "dynamodb:Attributes": _attributes(detail),
            "dynamodb:ReturnValues": detail.get("return_values", "NONE"),
        }
        return [Request.of(action, call.resource, context), *_old_item_read(call, detail)]
    if action == "sqs:CreateQueue" and detail.get("tagged") == "true":
        # Tagging a queue as it is created needs both (SQS's "tagging on creation").
        return [Request.of(action, call.resource), Request.of("sqs:TagQueue", call.resource)]
    if action == "sns:Subscribe":
        context = {"sns:Protocol": detail["protocol"], "sns:Endpoint": detail["endpoint"]}
        return [Request.of(action, call.resource, context)]
    return [Request.of(_BATCHES.get(action, action), call.resource)]


def _old_item_read(call: Call, detail: Mapping[str, str]) -> list[Request]:
    if detail.get("return_on_failure", "NONE") == "NONE":
        return []
    return [Request.of("dynamodb:GetItem", call.resource)]


def prefix_of(resource: str) -> str:
    """The stack's resource prefix a resource's name carries ("" for "*")."""
    name = re.split(r"[:/]", resource)[-1]
    found = _BASE_NAMES.match(name)
    return found.group(1) if found else ""


@dataclass(frozen=True)
class Grant:
    """One (action, resource) pair an Allow statement of a task role grants."""

    role: str
    statement: int
    action: str
    resource: int
    shown: str  # the resource as the template writes it

    def __str__(self) -> str:
        return f"{self.role}: {self.action} on {self.shown}"


class TaskRoles:
    """The template's task role statements, rendered for any resource prefix."""

    def __init__(self, template: Mapping[str, Any]) -> None:
        self.template = template
        self._rendered: dict[tuple[str, str], list[dict[str, Any]]] = {}

    def raw_statements(self, role: str) -> list[dict[str, Any]]:
        policies = self.template["Resources"][role]["Properties"]["Policies"]
        return [
            s
            for p in policies
            if p["PolicyName"] not in SIDECAR_POLICIES
            for s in as_list(p["PolicyDocument"]["Statement"])
        ]

    def statements(self, role: str, prefix: str) -> list[dict[str, Any]]:
        key = (role, prefix)
        if key not in self._rendered:
            arns = self._arns(prefix)
            renderer = Renderer(
                self.template,
                {"ResourcePrefix": prefix},
                ref=lambda logical: arns[logical],
                get_att=lambda logical, _: arns[logical],
            )
            self._rendered[key] = [renderer.resolve(s) for s in self.raw_statements(role)]
        return self._rendered[key]

    def grants(self, role: str) -> list[Grant]:
        return [
            Grant(role, i, action, j, token(resource))
            for i, s in enumerate(self.raw_statements(role))
            if s["Effect"] == "Allow"
            for action in as_list(s["Action"])
            for j, resource in enumerate(as_list(s["Resource"]))
        ]

    def _arns(self, prefix: str) -> dict[str, str]:
        """Every named data-plane resource's ARN under `prefix`, by logical id."""
        kinds = {
            "AWS::DynamoDB::Table": ("TableName", "arn:aws:dynamodb:{r}:{a}:table/{n}"),
            "AWS::SQS::Queue": ("QueueName", "arn:aws:sqs:{r}:{a}:{n}"),
            "AWS::SNS::Topic": ("TopicName", "arn:aws:sns:{r}:{a}:{n}"),
        }
        arns = {}
        for logical, resource in self.template["Resources"].items():
            if resource["Type"] in kinds:
                key, shape = kinds[resource["Type"]]
                if key in resource["Properties"]:
                    name = token(resource["Properties"][key]).replace("${ResourcePrefix}", prefix)
                    arns[logical] = shape.format(r=REGION, a=ACCOUNT, n=name)
        return arns


@dataclass
class Audit:
    not_granted: list[str]
    unused: list[Grant]
    audited: int


def audit(ledger: Iterable[Call], roles: TaskRoles) -> Audit:
    """What the task roles refuse among the recorded calls, and what they grant unused."""
    requests: dict[str, set[tuple[str, Request]]] = {r: set() for r in TASK_ROLE_OF.values()}
    not_granted: list[str] = []
    for call in ledger:
        role = TASK_ROLE_OF.get(call.caller)
        if role is None:
            continue
        for request in requests_of(call):
            if request.action in LOCAL_ONLY:
                continue
            prefix = prefix_of(request.resource)
            requests[role].add((prefix, request))
            if not allows(
                roles.statements(role, prefix), request.action, request.resource, request.keys()
            ):
                not_granted.append(
                    f"{call.caller} ({role}): {request.action} on {request.resource} "
                    f"{request.keys() or ''}"
                )
    unused = [
        grant
        for role, made in requests.items()
        for grant in roles.grants(role)
        if not any(_grant_covers(roles, grant, prefix, r) for prefix, r in made)
    ]
    return Audit(sorted(set(not_granted)), unused, sum(len(v) for v in requests.values()))


def _grant_covers(roles: TaskRoles, grant: Grant, prefix: str, request: Request) -> bool:
    if request.action != grant.action:
        return False
    statement = roles.statements(grant.role, prefix)[grant.statement]
    single = {
        **statement,
        "Action": grant.action,
        "Resource": as_list(statement["Resource"])[grant.resource],
    }
    return matches(single, request.action, request.resource, request.keys())


def without_grant(template: Mapping[str, Any], grant: Grant) -> dict[str, Any]:
    """A copy of `template` whose task role no longer grants `grant` (and grants the rest)."""
    changed = copy.deepcopy(dict(template))
    roles = TaskRoles(changed)
    statement = roles.raw_statements(grant.role)[grant.statement]
    actions = [a for a in as_list(statement["Action"]) if a != grant.action]
    resources = as_list(statement["Resource"])
    if actions:
        statement["Action"] = actions
        # The removed pair's other resources stay granted in a statement of their own.
        others = [r for j, r in enumerate(resources) if j != grant.resource]
        if others:
            extra = {**copy.deepcopy(statement), "Action": grant.action, "Resource": others}
            _policy_of(changed, grant.role)["Statement"].append(extra)
    else:
        statement["Resource"] = [r for j, r in enumerate(resources) if j != grant.resource]
        if not statement["Resource"]:
            _policy_of(changed, grant.role)["Statement"].remove(statement)
    return changed


def with_extra_grant(template: Mapping[str, Any], role: str, action: str) -> dict[str, Any]:
    """A copy of `template` whose task role also grants `action` on the events topic."""
    changed = copy.deepcopy(dict(template))
    extra = {"Effect": "Allow", "Action": action, "Resource": {"Ref": "EventsTopic"}}
    _policy_of(changed, role)["Statement"].append(extra)
    return changed


def _policy_of(template: Mapping[str, Any], role: str) -> dict[str, Any]:
    (policy,) = [
        p["PolicyDocument"]
        for p in template["Resources"][role]["Properties"]["Policies"]
        if p["PolicyName"] not in SIDECAR_POLICIES
    ]
    assert isinstance(policy, dict)
    return policy
