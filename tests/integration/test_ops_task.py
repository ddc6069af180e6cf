"""The ops task's commands, signed as the ops task: what they do, and (for the IAM test at the
end of the suite) which calls they make under OpsTaskRole."""

from __future__ import annotations

import pytest

from ecomm.core.adapters.products_table import ProductRepository
from ecomm.core.contracts.resources import DLQ_SUFFIX, LOOKUP_QUEUE, ORDER_QUEUE
from ecomm.core.runtime.bootstrap import Runtime, open_aws
from ecomm.core.runtime.settings import Settings
from ecomm.ops.catalog import generate, seed
from ecomm.ops.deadletters import list_dead_letters, redrive


async def depth(runtime: Runtime, name: str) -> int:
    url = (await runtime.aws.sqs.get_queue_url(QueueName=name))["QueueUrl"]
    attrs = await runtime.aws.sqs.get_queue_attributes(
        QueueUrl=url, AttributeNames=["ApproximateNumberOfMessages"]
    )
    return int(attrs["Attributes"]["ApproximateNumberOfMessages"])


@pytest.mark.parametrize("queue", [ORDER_QUEUE, LOOKUP_QUEUE])
async def test_the_ops_task_moves_a_queues_dead_letters_back(
    runtime: Runtime, settings: Settings, queue: str
) -> None:
    name = settings.resource_name(queue)
    sqs = runtime.aws.sqs
    dlq = (await sqs.get_queue_url(QueueName=name + DLQ_SUFFIX))["QueueUrl"]
    await sqs.send_message(QueueUrl=dlq, MessageBody='{"lost": true}')

    async with open_aws(settings) as ops:
        [letter] = (await list_dead_letters(ops.sqs, name)).letters  # and handed back
        assert letter.body == '{"lost": true}'
        assert (await redrive(ops.sqs, name)).moved == 1
        assert (await list_dead_letters(ops.sqs, name)).letters == []
    assert await depth(runtime, name) == 1


async def test_the_ops_task_seeds_the_catalog(runtime: Runtime, settings: Settings) -> None:
    async with open_aws(settings) as ops:
        await seed(ProductRepository(ops.dynamodb, runtime.names.products_table), 3, progress=False)
    products = ProductRepository(runtime.aws.dynamodb, runtime.names.products_table)
    wanted = [p.productID for p in generate(3)]
    assert sorted(await products.get_many(wanted)) == sorted(wanted)
