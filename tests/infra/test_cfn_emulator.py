"""The template deployed into the emulator, where the emulator supports its resource types.

moto's CloudFormation creates tables, topics and queues but not subscriptions or queue policies,
so those are applied through the SNS and SQS APIs with the template's own rendered properties.
The routing test then publishes every event type and checks which queue receives it: the filter
policies in the template do what `ecomm.core.resources` says.
"""

from __future__ import annotations

import json
import uuid
from typing import Any

import pytest

from ecomm.core.events import EventType
from ecomm.core.resources import EVENTS_TOPIC, MAX_RECEIVE_COUNT, QUEUES, TABLES
from tests.infra.cfn import ACCOUNT, REGION, Renderer, api_shape, resources_of_type
from tests.infra.conftest import ClientFactory

DATA_PLANE_TYPES = ("AWS::DynamoDB::Table", "AWS::SNS::Topic", "AWS::SQS::Queue")


def data_plane_template(template: dict[str, Any]) -> dict[str, Any]:
    """The stateful resources and the parameters they use, as a template of their own."""
    resources = {
        name: resource
        for name, resource in template["Resources"].items()
        if resource["Type"] in DATA_PLANE_TYPES
    }
    return {
        "AWSTemplateFormatVersion": template["AWSTemplateFormatVersion"],
        "Parameters": {"ResourcePrefix": template["Parameters"]["ResourcePrefix"]},
        "Resources": resources,
    }


class DataPlane:
    """A data-plane stack in the emulator, with the rest of the template rendered against it."""

    def __init__(self, template: dict[str, Any], client: ClientFactory) -> None:
        self.prefix = f"t{uuid.uuid4().hex[:8]}-"
        self.stack = f"ecomm-{self.prefix.rstrip('-')}"
        self._client = client
        cloudformation = client("cloudformation")
        cloudformation.create_stack(
            StackName=self.stack,
            TemplateBody=json.dumps(data_plane_template(template)),
            Parameters=[{"ParameterKey": "ResourcePrefix", "ParameterValue": self.prefix}],
        )
        stack_resources = cloudformation.describe_stack_resources(StackName=self.stack)
        self.physical: dict[str, str] = {
            r["LogicalResourceId"]: r["PhysicalResourceId"]
            for r in stack_resources["StackResources"]
        }
        self.renderer = Renderer(
            template,
            {"ResourcePrefix": self.prefix},
            ref=self.ref,
            get_att=self.get_att,
            stack_name=self.stack,
        )
        self.template = template

    def ref(self, logical: str) -> str:
        """Data-plane resources are real; the rest (roles, log groups, the secret) stand-ins."""
        if logical in self.physical:
            return self.physical[logical]
        if logical == "CookieSecret":
            return f"arn:aws:secretsmanager:{REGION}:{ACCOUNT}:secret:{self.stack}/cookie-secret"
        return f"{self.stack}-{logical}"

    def get_att(self, logical: str, attribute: str) -> str:
        if attribute == "Arn" and logical in resources_of_type(self.template, "AWS::SQS::Queue"):
            attributes = self._client("sqs").get_queue_attributes(
                QueueUrl=self.physical[logical], AttributeNames=["QueueArn"]
            )
            return str(attributes["Attributes"]["QueueArn"])
        if attribute == "QueueName":
            return self.physical[logical].rsplit("/", 1)[-1]
        if (logical, attribute) == ("Repository", "RepositoryUri"):
            return f"{ACCOUNT}.dkr.ecr.{REGION}.amazonaws.com/{self.stack}"
        if attribute == "Arn" and logical.endswith("Role"):
            return f"arn:aws:iam::{ACCOUNT}:role/{self.stack}-{logical}"
        raise KeyError(f"no test value for {logical}.{attribute}")

    def apply(self, kind: str) -> dict[str, dict[str, Any]]:
        """Render every resource of `kind` against this stack."""
        return {
            name: self.renderer.resolve(resource["Properties"])
            for name, resource in resources_of_type(self.template, kind).items()
            if "Condition" not in resource
        }


def _api_bool(value: Any) -> str:
    return "true" if value in (True, "true") else "false"


@pytest.fixture
def data_plane(template: dict[str, Any], client: ClientFactory) -> DataPlane:
    plane = DataPlane(template, client)
    sns, sqs = client("sns"), client("sqs")
    for policy in plane.apply("AWS::SQS::QueuePolicy").values():
        for url in policy["Queues"]:
            sqs.set_queue_attributes(
                QueueUrl=url, Attributes={"Policy": json.dumps(policy["PolicyDocument"])}
            )
    for sub in plane.apply("AWS::SNS::Subscription").values():
        if sub["Protocol"] != "sqs":
            continue
        sns.subscribe(
            TopicArn=sub["TopicArn"],
            Protocol=sub["Protocol"],
            Endpoint=sub["Endpoint"],
            Attributes={
                "RawMessageDelivery": _api_bool(sub["RawMessageDelivery"]),
                "FilterPolicyScope": sub["FilterPolicyScope"],
                "FilterPolicy": json.dumps(sub["FilterPolicy"]),
            },
        )
    return plane


def test_data_plane_tables_deploy_with_the_keys_of_resources_py(
    data_plane: DataPlane, client: ClientFactory
) -> None:
    dynamodb = client("dynamodb")
    for table in TABLES:
        description = dynamodb.describe_table(TableName=f"{data_plane.prefix}{table.name}")["Table"]
        assert description["KeySchema"] == [{"AttributeName": table.hash_key, "KeyType": "HASH"}]
        assert description["BillingModeSummary"]["BillingMode"] == "PAY_PER_REQUEST"


def test_data_plane_queues_deploy_with_redrive_to_their_dlq(
    data_plane: DataPlane, client: ClientFactory
) -> None:
    sqs = client("sqs")
    for queue in QUEUES:
        url = sqs.get_queue_url(QueueName=f"{data_plane.prefix}{queue.name}")["QueueUrl"]
        dlq_url = sqs.get_queue_url(QueueName=f"{data_plane.prefix}{queue.dlq_name}")["QueueUrl"]
        attributes = sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["All"])["Attributes"]
        dlq_arn = sqs.get_queue_attributes(QueueUrl=dlq_url, AttributeNames=["QueueArn"])
        redrive = json.loads(attributes["RedrivePolicy"])
        assert redrive["deadLetterTargetArn"] == dlq_arn["Attributes"]["QueueArn"]
        assert int(redrive["maxReceiveCount"]) == MAX_RECEIVE_COUNT
        policy = json.loads(attributes["Policy"])
        (statement,) = policy["Statement"]
        topic_arn = f"arn:aws:sns:{REGION}:{ACCOUNT}:{data_plane.prefix}{EVENTS_TOPIC}"
        assert statement["Condition"]["ArnEquals"]["aws:SourceArn"] == topic_arn


def _drain(sqs: Any, url: str) -> list[dict[str, Any]]:
    received: list[dict[str, Any]] = []
    while True:
        # The queues long-poll by default; an empty queue must answer at once here.
        batch = sqs.receive_message(
            QueueUrl=url, MaxNumberOfMessages=10, WaitTimeSeconds=0, MessageAttributeNames=["All"]
        ).get("Messages", [])
        if not batch:
            return received
        received.extend(batch)


def test_each_event_type_reaches_exactly_the_queues_that_filter_for_it(
    data_plane: DataPlane, client: ClientFactory
) -> None:
    sns, sqs = client("sns"), client("sqs")
    topic = sns.create_topic(Name=f"{data_plane.prefix}{EVENTS_TOPIC}")["TopicArn"]
    for event_type in EventType:
        body = json.dumps({"type": event_type.value, "version": 1, "data": {}})
        sns.publish(
            TopicArn=topic,
            Message=body,
            MessageAttributes={"type": {"DataType": "String", "StringValue": event_type.value}},
        )
    for queue in QUEUES:
        url = sqs.get_queue_url(QueueName=f"{data_plane.prefix}{queue.name}")["QueueUrl"]
        messages = _drain(sqs, url)
        # Raw delivery: the body is the envelope itself, not an SNS notification around it.
        received = sorted(json.loads(m["Body"])["type"] for m in messages)
        assert received == queue.filter_policy()["type"], queue.name


@pytest.mark.parametrize("family", ["web", "lookup", "order", "ops"])
def test_task_definition_registers_against_the_emulator_ecs_api(
    data_plane: DataPlane, client: ClientFactory, family: str
) -> None:
    resource = data_plane.template["Resources"][f"{family.capitalize()}TaskDefinition"]
    rendered = api_shape(data_plane.renderer.resolve(resource["Properties"]))
    ecs = client("ecs")
    registered = ecs.register_task_definition(**rendered)["taskDefinition"]
    assert registered["family"] == f"{data_plane.stack}-{family}"
    (container,) = registered["containerDefinitions"]
    assert container["image"].endswith(":latest")
    env = {e["name"]: e["value"] for e in container.get("environment", [])}
    assert env["ECOMM_RESOURCE_PREFIX"] == data_plane.prefix
    assert env["ECOMM_TOPIC_ARN"] == data_plane.physical["EventsTopic"]
    if family != "ops":
        assert env["ECOMM_ROLE"] == family
        assert "/healthz" in " ".join(container["healthCheck"]["command"])
    described = ecs.describe_task_definition(taskDefinition=registered["taskDefinitionArn"])
    assert described["taskDefinition"]["requiresCompatibilities"] == ["FARGATE"]
