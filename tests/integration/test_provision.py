from __future__ import annotations

import json

from ecomm.core.aws import AwsClients
from ecomm.core.provision import provision
from ecomm.core.resources import MAX_RECEIVE_COUNT, QUEUES
from ecomm.core.settings import Settings


async def test_provision_twice_changes_nothing(aws: AwsClients, settings: Settings) -> None:
    names = await provision(aws, settings)  # the fixture already ran it once

    topic_arn = (await aws.sns.create_topic(Name=names.topic))["TopicArn"]
    subs = (await aws.sns.list_subscriptions_by_topic(TopicArn=topic_arn))["Subscriptions"]
    assert len(subs) == len(QUEUES)
    # Other tests' stacks share the emulator: more tables than one page lists.
    tables = [
        t
        async for page in aws.dynamodb.get_paginator("list_tables").paginate()
        for t in page["TableNames"]
    ]
    assert names.products_table in tables
    assert names.orders_table in tables


async def test_queues_have_raw_filtered_subscriptions_and_a_dlq(
    aws: AwsClients, settings: Settings
) -> None:
    names = await provision(aws, settings)
    topic_arn = (await aws.sns.create_topic(Name=names.topic))["TopicArn"]
    subs = (await aws.sns.list_subscriptions_by_topic(TopicArn=topic_arn))["Subscriptions"]
    for spec in QUEUES:
        url = (await aws.sqs.get_queue_url(QueueName=settings.resource_name(spec.name)))["QueueUrl"]
        attrs = (await aws.sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["All"]))[
            "Attributes"
        ]
        redrive = json.loads(attrs["RedrivePolicy"])
        assert redrive["deadLetterTargetArn"].endswith(settings.resource_name(spec.dlq_name))
        assert int(redrive["maxReceiveCount"]) == MAX_RECEIVE_COUNT
        (sub,) = [s for s in subs if s["Endpoint"] == attrs["QueueArn"]]
        sub_attrs = (
            await aws.sns.get_subscription_attributes(SubscriptionArn=sub["SubscriptionArn"])
        )["Attributes"]
        assert sub_attrs["RawMessageDelivery"] == "true"
        assert json.loads(sub_attrs["FilterPolicy"]) == spec.filter_policy()
