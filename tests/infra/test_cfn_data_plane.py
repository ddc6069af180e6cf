"""infra/ecomm.yaml's data plane, read as data, against `ecomm.core.contracts.resources`.

Names, keys, filter policies, the redrive limit and DLQ retention come from resources.py and
the EventType values; changing one side without the other fails here.
"""

from __future__ import annotations

from typing import Any

import pytest

from ecomm.core.contracts.resources import (
    DLQ_RETENTION_SECONDS,
    EVENTS_TOPIC,
    MAX_RECEIVE_COUNT,
    QUEUES,
    TABLES,
    QueueSpec,
)
from tests.infra.cfn import named, resources_of_type, token


@pytest.mark.parametrize("table", TABLES, ids=lambda t: t.name)
def test_table_matches_resources_py(template: dict[str, Any], table: Any) -> None:
    _, props = named(template, "AWS::DynamoDB::Table", table.name)
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
    named(template, "AWS::SNS::Topic", EVENTS_TOPIC)


@pytest.mark.parametrize("queue", QUEUES, ids=lambda q: q.name)
def test_queue_redrive_and_dlq_match_resources_py(
    template: dict[str, Any], queue: QueueSpec
) -> None:
    _, props = named(template, "AWS::SQS::Queue", queue.name)
    dlq_logical, dlq = named(template, "AWS::SQS::Queue", queue.dlq_name)
    assert token(props["RedrivePolicy"]["deadLetterTargetArn"]) == f"{dlq_logical}.Arn"
    assert props["RedrivePolicy"]["maxReceiveCount"] == MAX_RECEIVE_COUNT
    assert dlq["MessageRetentionPeriod"] == DLQ_RETENTION_SECONDS


@pytest.mark.parametrize("queue", QUEUES, ids=lambda q: q.name)
def test_subscription_filters_exactly_as_resources_py(
    template: dict[str, Any], queue: QueueSpec
) -> None:
    logical, _ = named(template, "AWS::SQS::Queue", queue.name)
    topic, _ = named(template, "AWS::SNS::Topic", EVENTS_TOPIC)
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
    logical, _ = named(template, "AWS::SQS::Queue", queue.name)
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
