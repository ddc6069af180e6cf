"""The task roles' conditions against the calls the code really sends.

The role code runs against the emulator; botocore's own event hooks record each request's
parameters as sent. Each request is then evaluated against the template's statements rendered
for this stack (tests/infra/iam.py), with the condition keys AWS documents for it. What no
emulator can show is whether AWS fills those keys exactly so: infra/README.md says which
assumptions remain.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from decimal import Decimal
from typing import Any

import pytest

from ecomm.core.adapters.orders_table import OrderRepository
from ecomm.core.adapters.products_table import ProductRepository
from ecomm.core.domain.lifecycle import TRANSITIONS, Action
from ecomm.core.domain.orders import Order, OrderLine, OrderStatus, ReservationRefused, StatusChange
from ecomm.core.domain.products import Product
from ecomm.core.runtime.bootstrap import Runtime
from ecomm.core.runtime.settings import Settings
from ecomm.roles.lookup.taskqueue import TaskQueues
from tests.infra.cfn import Renderer, as_list, resources_of_type
from tests.infra.iam import allows, dynamodb_attributes


@contextmanager
def recorded(client: Any, operation: str) -> Iterator[list[dict[str, Any]]]:
    """Parameters of every `operation` request `client` sends inside the block."""
    sent: list[dict[str, Any]] = []
    event = f"before-parameter-build.{client.meta.service_model.endpoint_prefix}.{operation}"

    def record(params: dict[str, Any], **_: Any) -> None:
        sent.append(dict(params))

    client.meta.events.register(event, record)
    try:
        yield sent
    finally:
        client.meta.events.unregister(event, record)


class Stack:
    """The template's task role statements, rendered with this test's real resource ARNs."""

    def __init__(self, template: dict[str, Any], settings: Settings, arns: dict[str, str]) -> None:
        self.arns = arns
        self._renderer = Renderer(
            template,
            {"ResourcePrefix": settings.resource_prefix},
            ref=lambda logical: arns[logical],
            get_att=lambda logical, attribute: arns[logical],
        )
        self._template = template

    def statements(self, role: str) -> list[dict[str, Any]]:
        rendered = self._renderer.resolve(self._template["Resources"][role]["Properties"])
        return [s for p in rendered["Policies"] for s in as_list(p["PolicyDocument"]["Statement"])]


def _physical(resource: dict[str, Any], key: str, settings: Settings) -> str:
    name: str = resource["Properties"][key]["Fn::Sub"]
    return name.replace("${ResourcePrefix}", settings.resource_prefix)


@pytest.fixture
async def stack(template: dict[str, Any], settings: Settings, runtime: Runtime) -> Stack:
    """ARNs of this test's tables, topic and queues, by the template's logical ids."""
    aws = runtime.aws
    arns = {"EventsTopic": runtime.topic_arn}
    for logical, table in resources_of_type(template, "AWS::DynamoDB::Table").items():
        described = await aws.dynamodb.describe_table(
            TableName=_physical(table, "TableName", settings)
        )
        arns[logical] = described["Table"]["TableArn"]
    for logical, queue in resources_of_type(template, "AWS::SQS::Queue").items():
        url = await aws.sqs.get_queue_url(QueueName=_physical(queue, "QueueName", settings))
        attributes = await aws.sqs.get_queue_attributes(
            QueueUrl=url["QueueUrl"], AttributeNames=["QueueArn"]
        )
        arns[logical] = attributes["Attributes"]["QueueArn"]
    return Stack(template, settings, arns)


# ------------------------------------------------------------------------------ order


def _transaction_requests(
    sent: dict[str, Any], stack: Stack
) -> list[tuple[str, str, dict[str, Any]]]:
    """(action, table ARN, context) for each item of a TransactWriteItems, as DynamoDB
    authorises it: the item-level action, with the transaction as enclosing operation."""
    actions = {"Update": "dynamodb:UpdateItem", "Put": "dynamodb:PutItem"}
    tables = {a.rsplit("/", 1)[-1]: a for a in stack.arns.values() if ":table/" in a}
    requests = []
    for item in sent["TransactItems"]:
        ((kind, request),) = item.items()
        context = {
            "dynamodb:Attributes": sorted(dynamodb_attributes(request)),
            "dynamodb:EnclosingOperation": "TransactWriteItems",
            "dynamodb:ReturnValues": request.get("ReturnValuesOnConditionCheckFailure", "NONE"),
        }
        requests.append((actions[kind], tables[request["TableName"]], context))
    return requests


def _orders(runtime: Runtime) -> OrderRepository:
    return OrderRepository(
        runtime.aws.dynamodb, runtime.names.orders_table, runtime.names.products_table
    )


async def _place(runtime: Runtime, order_id: str, quantity: int) -> None:
    line = OrderLine("P1", quantity, Decimal("9.99"))  # at the price shown: a price condition
    await _orders(runtime).reserve_and_confirm(
        Order(order_id, OrderStatus.CONFIRMED, (line,), None, None, "t", "t")
    )


@pytest.mark.parametrize("quantity", [1, 99], ids=["reserved", "refused"])
async def test_the_order_transaction_is_within_the_order_role(
    runtime: Runtime, stack: Stack, quantity: int
) -> None:
    products = ProductRepository(runtime.aws.dynamodb, runtime.names.products_table)
    await products.put_many([Product("P1", "Kettle", "", "Kitchen", Decimal("9.99"), 3, "t")])
    with recorded(runtime.aws.dynamodb, "TransactWriteItems") as sent:
        try:
            await _place(runtime, f"O-{quantity}", quantity)
        except ReservationRefused:
            assert quantity == 99  # the ALL_OLD path: stock too low
    (transaction,) = sent
    requests = _transaction_requests(transaction, stack)
    assert [action for action, _, _ in requests] == ["dynamodb:UpdateItem", "dynamodb:PutItem"]
    statements = stack.statements("OrderTaskRole")
    for action, table, context in requests:
        assert allows(statements, action, table, context), (action, context)


async def test_a_transaction_naming_one_more_product_attribute_is_refused(
    runtime: Runtime, stack: Stack
) -> None:
    # What an update that also wrote the name (or any attribute not listed) would meet.
    products = ProductRepository(runtime.aws.dynamodb, runtime.names.products_table)
    await products.put_many([Product("P1", "Kettle", "", "Kitchen", Decimal("9.99"), 3, "t")])
    with recorded(runtime.aws.dynamodb, "TransactWriteItems") as sent:
        await _place(runtime, "O-price", 1)
    ((action, table, context), _) = _transaction_requests(sent[0], stack)
    assert "price" in context["dynamodb:Attributes"]  # the reservation's price condition
    context["dynamodb:Attributes"] = [*context["dynamodb:Attributes"], "name"]
    assert not allows(stack.statements("OrderTaskRole"), action, table, context)


async def test_a_cancellation_and_a_shipment_are_within_the_order_role(
    runtime: Runtime, stack: Stack
) -> None:
    products = ProductRepository(runtime.aws.dynamodb, runtime.names.products_table)
    await products.put_many([Product("P1", "Kettle", "", "Kitchen", Decimal("9.99"), 9, "t")])
    for order_id in ("O-cancel", "O-ship"):
        await _place(runtime, order_id, 1)
    cancel, ship = TRANSITIONS[Action.CANCEL], TRANSITIONS[Action.SHIP]
    with recorded(runtime.aws.dynamodb, "TransactWriteItems") as sent:
        await _orders(runtime).change_status("O-cancel", cancel, StatusChange(cancel.target, "t"))
    requests = _transaction_requests(sent[0], stack)
    assert [action for action, _, _ in requests] == ["dynamodb:UpdateItem"] * 2
    with recorded(runtime.aws.dynamodb, "UpdateItem") as updates:
        await _orders(runtime).change_status("O-ship", ship, StatusChange(ship.target, "t"))
    (update,) = updates
    orders_arn = stack.arns["OrdersTable"]
    requests.append(("dynamodb:UpdateItem", orders_arn, {}))
    assert update["TableName"].endswith("Orders")
    statements = stack.statements("OrderTaskRole")
    for action, table, context in requests:
        assert allows(statements, action, table, context), (action, table, context)


# ------------------------------------------------------------------------------ lookup


def _subscribe_context(request: dict[str, Any]) -> dict[str, str]:
    return {"sns:Protocol": request["Protocol"], "sns:Endpoint": request["Endpoint"]}


async def test_lookup_subscribes_and_unsubscribes_its_task_queue_within_its_role(
    settings: Settings, runtime: Runtime, stack: Stack
) -> None:
    topic = stack.arns["EventsTopic"]
    queues = TaskQueues(runtime.aws, settings, topic)
    with recorded(runtime.aws.sns, "Subscribe") as subscribed:
        queue = await queues.create()
    with recorded(runtime.aws.sns, "Unsubscribe") as unsubscribed:
        await queues.delete(queue)
    statements = stack.statements("LookupTaskRole")
    (subscribe,) = subscribed
    assert subscribe["Endpoint"] == queue.arn
    assert allows(statements, "sns:Subscribe", subscribe["TopicArn"], _subscribe_context(subscribe))
    # Unsubscribe is authorised against the topic the subscription belongs to.
    (unsubscribe,) = unsubscribed
    subscription_topic = unsubscribe["SubscriptionArn"].rsplit(":", 1)[0]
    assert subscription_topic == topic
    assert allows(statements, "sns:Unsubscribe", subscription_topic, {})


@pytest.mark.parametrize(
    ("protocol", "endpoint"),
    [
        ("sqs", "LookupQueueDlq"),
        ("sqs", "OrderQueue"),
        ("sqs", "LookupQueue"),
        ("https", "https://example.com/hook"),
        ("email", "someone@example.com"),
    ],
)
async def test_lookup_may_subscribe_nothing_but_its_task_queues(
    stack: Stack, protocol: str, endpoint: str
) -> None:
    endpoint = stack.arns.get(endpoint, endpoint)
    context = {"sns:Protocol": protocol, "sns:Endpoint": endpoint}
    statements = stack.statements("LookupTaskRole")
    assert not allows(statements, "sns:Subscribe", stack.arns["EventsTopic"], context)
