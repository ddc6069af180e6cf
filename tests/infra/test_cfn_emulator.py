"""The template deployed into the emulator, where the emulator supports its resource types.

The routing test publishes every event type and checks which queue receives it: the filter
policies in the template do what `ecomm.core.contracts.resources` says.
"""

from __future__ import annotations

import json
from typing import Any

import pytest

from ecomm.core.contracts.events import EventType
from ecomm.core.contracts.resources import EVENTS_TOPIC, MAX_RECEIVE_COUNT, QUEUES, TABLES
from tests.infra.cfn import ACCOUNT, REGION, api_shape
from tests.infra.emulated_stack import ClientFactory, DataPlane


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
    rendered = api_shape(
        data_plane.apply("AWS::ECS::TaskDefinition")[f"{family.capitalize()}TaskDefinition"]
    )
    ecs = client("ecs")
    registered = ecs.register_task_definition(**rendered)["taskDefinition"]
    assert registered["family"] == f"{data_plane.stack}-{family}"
    container, *sidecars = registered["containerDefinitions"]
    assert container["name"] == family
    assert [s["name"] for s in sidecars] == ([] if family == "ops" else ["otel-collector"])
    assert container["image"].endswith(":latest")
    env = {e["name"]: e["value"] for e in container.get("environment", [])}
    assert env["ECOMM_RESOURCE_PREFIX"] == data_plane.prefix
    assert env["ECOMM_TOPIC_ARN"] == data_plane.physical["EventsTopic"]
    if family != "ops":
        assert env["ECOMM_ROLE"] == family
        assert "/healthz" in " ".join(container["healthCheck"]["command"])
    described = ecs.describe_task_definition(taskDefinition=registered["taskDefinitionArn"])
    assert described["taskDefinition"]["requiresCompatibilities"] == ["FARGATE"]
