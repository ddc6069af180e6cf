"""Create ecomm's AWS resources, idempotently, at the configured endpoint.

Run it twice and nothing changes: tables are created only when missing, CreateTopic and
CreateQueue return what exists, and a subscription is made only when the queue has none on the
topic (its filter policy and raw delivery are re-applied, so a changed spec converges).
"""

from __future__ import annotations

import json
from typing import TYPE_CHECKING

import structlog
from botocore.exceptions import ClientError

from ecomm.core.adapters.aws import AwsClients, error_code
from ecomm.core.contracts.resources import (
    DLQ_RETENTION_SECONDS,
    MAX_RECEIVE_COUNT,
    QUEUES,
    TABLES,
    QueueSpec,
    ResourceNames,
    topic_may_send,
)
from ecomm.core.runtime.settings import Settings

if TYPE_CHECKING:
    from types_aiobotocore_dynamodb import DynamoDBClient

log = structlog.get_logger(__name__)


async def provision(aws: AwsClients, settings: Settings) -> ResourceNames:
    names = ResourceNames.with_prefix(settings.resource_prefix)
    for table in TABLES:
        await _ensure_table(aws.dynamodb, settings.resource_name(table.name), table.hash_key)
    topic_arn = (await aws.sns.create_topic(Name=names.topic))["TopicArn"]
    for queue in QUEUES:
        await _ensure_queue(aws, settings, queue, topic_arn)
    log.info("provisioned", prefix=settings.resource_prefix or None, topic=topic_arn)
    return names


async def _ensure_table(db: DynamoDBClient, name: str, hash_key: str) -> None:
    try:
        await db.describe_table(TableName=name)
        return
    except ClientError as exc:
        if error_code(exc) != "ResourceNotFoundException":
            raise
    try:
        await db.create_table(
            TableName=name,
            KeySchema=[{"AttributeName": hash_key, "KeyType": "HASH"}],
            AttributeDefinitions=[{"AttributeName": hash_key, "AttributeType": "S"}],
            BillingMode="PAY_PER_REQUEST",
        )
    except ClientError as exc:
        if error_code(exc) != "ResourceInUseException":  # created meanwhile by another run
            raise
    await db.get_waiter("table_exists").wait(TableName=name, WaiterConfig={"Delay": 1})
    log.info("table_created", table=name)


async def _queue_arn(aws: AwsClients, url: str) -> str:
    attrs = await aws.sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["QueueArn"])
    return attrs["Attributes"]["QueueArn"]


async def _ensure_queue(aws: AwsClients, settings: Settings, spec: QueueSpec, topic: str) -> None:
    name = settings.resource_name(spec.name)
    dlq_url = (
        await aws.sqs.create_queue(
            QueueName=settings.resource_name(spec.dlq_name),
            Attributes={"MessageRetentionPeriod": str(DLQ_RETENTION_SECONDS)},
        )
    )["QueueUrl"]
    dlq_arn = await _queue_arn(aws, dlq_url)
    url = (await aws.sqs.create_queue(QueueName=name))["QueueUrl"]
    arn = await _queue_arn(aws, url)
    await aws.sqs.set_queue_attributes(
        QueueUrl=url,
        Attributes={
            "VisibilityTimeout": str(settings.visibility_timeout),
            "RedrivePolicy": json.dumps(
                {"deadLetterTargetArn": dlq_arn, "maxReceiveCount": str(MAX_RECEIVE_COUNT)}
            ),
            "Policy": json.dumps(topic_may_send(arn, topic)),
        },
    )
    filter_policy = json.dumps(spec.filter_policy())
    existing = await _subscription_for(aws, topic, arn)
    if existing is None:
        await aws.sns.subscribe(
            TopicArn=topic,
            Protocol="sqs",
            Endpoint=arn,
            Attributes={"RawMessageDelivery": "true", "FilterPolicy": filter_policy},
            ReturnSubscriptionArn=True,
        )
        log.info("subscribed", queue=name)
        return
    await aws.sns.set_subscription_attributes(
        SubscriptionArn=existing, AttributeName="FilterPolicy", AttributeValue=filter_policy
    )
    await aws.sns.set_subscription_attributes(
        SubscriptionArn=existing, AttributeName="RawMessageDelivery", AttributeValue="true"
    )


async def _subscription_for(aws: AwsClients, topic: str, endpoint: str) -> str | None:
    paginator = aws.sns.get_paginator("list_subscriptions_by_topic")
    async for page in paginator.paginate(TopicArn=topic):
        for sub in page.get("Subscriptions", []):
            if sub.get("Endpoint") == endpoint and sub.get("Protocol") == "sqs":
                return sub["SubscriptionArn"]
    return None
