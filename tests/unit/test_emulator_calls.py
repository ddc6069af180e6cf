"""The emulator's ledger names the caller, the operation and the resource as IAM would."""

from __future__ import annotations

import json

from ecomm.emulator.calls import Call, calls_of, parameters, signature

AUTH = (
    "AWS4-HMAC-SHA256 Credential=order/20270115/us-east-1/{service}/aws4_request, "
    "SignedHeaders=host;x-amz-date, Signature=abc"
)
TABLE = "arn:aws:dynamodb:us-east-1:123456789012:table/"


def calls(service: str, operation: str, params: dict[str, object]) -> list[Call]:
    return list(calls_of(signature(AUTH.format(service=service)), operation, params))


def test_the_access_key_id_names_the_caller() -> None:
    sig = signature(AUTH.format(service="sqs"))
    assert (sig.caller, sig.region, sig.service) == ("order", "us-east-1", "sqs")
    assert signature("").caller == "unsigned"


def test_a_transaction_is_one_call_per_item_with_what_its_conditions_read() -> None:
    update = {
        "TableName": "p-Products",
        "Key": {"productID": {"S": "P1"}},
        "UpdateExpression": "SET stock = stock - :q, #u = :now",
        "ConditionExpression": "attribute_exists(productID) AND stock >= :q",
        "ExpressionAttributeNames": {"#u": "updatedAt"},
        "ReturnValuesOnConditionCheckFailure": "ALL_OLD",
    }
    put = {"TableName": "p-Orders", "Item": {"orderID": {"S": "O1"}, "status": {"S": "NEW"}}}
    found = calls(
        "dynamodb", "TransactWriteItems", {"TransactItems": [{"Update": update}, {"Put": put}]}
    )
    assert [(c.resource, dict(c.detail)) for c in found] == [
        (
            TABLE + "p-Products",
            {
                "item": "Update",
                "attributes": "productID,stock,updatedAt",
                "return_on_failure": "ALL_OLD",
            },
        ),
        (
            TABLE + "p-Orders",
            {"item": "Put", "attributes": "orderID,status"},
        ),
    ]


def test_queues_topics_and_subscriptions_are_named_by_their_arns() -> None:
    (receive,) = calls(
        "sqs", "ReceiveMessage", {"QueueUrl": "http://127.0.0.1:1/123456789012/q-OrderQueue"}
    )
    assert receive.resource == "arn:aws:sqs:us-east-1:123456789012:q-OrderQueue"
    (unsubscribe,) = calls(
        "sns", "Unsubscribe", {"SubscriptionArn": "arn:aws:sns:us-east-1:1:t:abc"}
    )
    assert unsubscribe.resource == "arn:aws:sns:us-east-1:1:t"
    (subscribe,) = calls(
        "sns",
        "Subscribe",
        {"TopicArn": "arn:aws:sns:us-east-1:1:t", "Protocol": "sqs", "Endpoint": "q"},
    )
    assert dict(subscribe.detail) == {"protocol": "sqs", "endpoint": "q"}
    (listed,) = calls("sqs", "ListQueues", {"QueueNamePrefix": "q-"})
    assert listed.resource == "*"


def test_parameters_are_read_from_either_protocol() -> None:
    assert parameters(json.dumps({"TableName": "T"}).encode(), "application/x-amz-json-1.0") == {
        "TableName": "T"
    }
    assert parameters(b"Action=Publish&TopicArn=arn", "application/x-www-form-urlencoded") == {
        "Action": "Publish",
        "TopicArn": "arn",
    }
    assert parameters(b"{not json", "application/x-amz-json-1.0") == {}
