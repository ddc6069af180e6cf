"""Who called what on which resource: the emulator's ledger of AWS calls.

Each process signs its requests with an access key id that names its role (the local emulator
checks no signature, see `core/adapters/aws.py`), so the SigV4 `Credential=` scope tells the
caller, the region and the service. The operation comes from the `X-Amz-Target` header (DynamoDB
and SQS speak JSON) or the form's `Action` (SNS speaks the query protocol), and the resource from
the request's own parameters, as an ARN, the way IAM names it.

A call that touches several resources (a transaction, a batch over tables) is recorded once per
resource. `detail` keeps what IAM conditions read and nothing else: the attribute names an item
request names, the protocol and endpoint of a subscription, whether a new queue is tagged. Keys
and bodies stay out, so a million calls of one kind make one entry.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from typing import Any
from urllib.parse import parse_qs

ACCOUNT = "123456789012"  # moto's default account: every resource here lives in it
UNSIGNED = "unsigned"


@dataclass(frozen=True)
class Call:
    """One kind of call: a caller's operation on one resource (an ARN, or "*")."""

    caller: str
    service: str
    operation: str
    resource: str
    detail: tuple[tuple[str, str], ...] = ()

    def as_json(self) -> dict[str, Any]:
        return {
            "role": self.caller,
            "service": self.service,
            "operation": self.operation,
            "resource": self.resource,
            "detail": dict(self.detail),
        }


@dataclass(frozen=True)
class Signature:
    caller: str
    region: str
    service: str


_CREDENTIAL = re.compile(r"Credential=([^/,\s]+)/\d{8}/([^/]+)/([^/]+)/aws4_request")


def signature(authorization: str) -> Signature:
    found = _CREDENTIAL.search(authorization)
    if found is None:
        return Signature(UNSIGNED, "us-east-1", "unknown")
    return Signature(found.group(1), found.group(2), found.group(3))


def parameters(body: bytes, content_type: str) -> dict[str, Any]:
    """The request's parameters: JSON for the JSON protocols, flattened form fields otherwise."""
    text = body.decode("utf-8", "replace")
    if "json" in content_type:
        try:
            loaded = json.loads(text or "{}")
        except ValueError:
            return {}
        return loaded if isinstance(loaded, dict) else {}
    return {k: v[0] for k, v in parse_qs(text).items()}


def calls_of(sig: Signature, operation: str, params: Mapping[str, Any]) -> Iterator[Call]:
    """The `Call`s one request makes (one per resource it touches)."""
    if sig.service == "dynamodb":
        yield from _dynamodb(sig, operation, params)
    elif sig.service == "sqs":
        yield _call(sig, operation, _sqs_resource(sig, params), _sqs_detail(operation, params))
    elif sig.service == "sns":
        yield _call(sig, operation, _sns_resource(sig, operation, params), _sns_detail(params))
    else:
        yield _call(sig, operation, "*")


def _call(
    sig: Signature, operation: str, resource: str, detail: Mapping[str, str] | None = None
) -> Call:
    return Call(sig.caller, sig.service, operation, resource, tuple(sorted((detail or {}).items())))


# ------------------------------------------------------------------------------ DynamoDB

_TRANSACT_KINDS = ("Update", "Put", "Delete", "ConditionCheck", "Get")
_EXPRESSIONS = ("UpdateExpression", "ConditionExpression", "ProjectionExpression")
# A name in an expression: a path's first element or a #placeholder; :values are not names.
_NAME = re.compile(r"(?<![:\w#.])(#?[A-Za-z_][A-Za-z0-9_]*)")
_NOT_NAMES = frozenset(
    {
        "SET",
        "REMOVE",
        "ADD",
        "DELETE",
        "AND",
        "OR",
        "NOT",
        "BETWEEN",
        "IN",
        "attribute_exists",
        "attribute_not_exists",
        "attribute_type",
        "begins_with",
        "contains",
        "size",
        "if_not_exists",
        "list_append",
    }
)


def _table(sig: Signature, name: str) -> str:
    return f"arn:aws:dynamodb:{sig.region}:{ACCOUNT}:table/{name}"


def item_attributes(request: Mapping[str, Any]) -> list[str]:
    """Top-level attribute names an item request names, key included: what DynamoDB presents
    as `dynamodb:Attributes`."""
    aliases: Mapping[str, str] = request.get("ExpressionAttributeNames") or {}
    found = set(request.get("Key") or {}) | set(request.get("Item") or {})
    for field in _EXPRESSIONS:
        for token in _NAME.findall(str(request.get(field) or "")):
            if token not in _NOT_NAMES:
                found.add(aliases.get(token, token))
    return sorted(found)


def _item_detail(request: Mapping[str, Any]) -> dict[str, str]:
    detail = {"attributes": ",".join(item_attributes(request))}
    for key, name in (
        ("ReturnValues", "return_values"),
        ("ReturnValuesOnConditionCheckFailure", "return_on_failure"),
    ):
        if request.get(key):
            detail[name] = str(request[key])
    return detail


def _dynamodb(sig: Signature, operation: str, params: Mapping[str, Any]) -> Iterator[Call]:
    if operation in {"TransactWriteItems", "TransactGetItems"}:
        for entry in params.get("TransactItems") or []:
            for kind in _TRANSACT_KINDS:
                request = entry.get(kind) if isinstance(entry, dict) else None
                if isinstance(request, dict):
                    detail = {"item": kind, **_item_detail(request)}
                    yield _call(sig, operation, _table(sig, str(request.get("TableName"))), detail)
        return
    if operation in {"BatchGetItem", "BatchWriteItem"}:
        for name in params.get("RequestItems") or {}:
            yield _call(sig, operation, _table(sig, name))
        return
    name = params.get("TableName")
    if name is None:
        yield _call(sig, operation, "*")  # ListTables and the like
        return
    detail = {}
    if operation in {"PutItem", "UpdateItem", "DeleteItem", "GetItem"}:
        detail = _item_detail(params)
    yield _call(sig, operation, _table(sig, str(name)), detail)


# ------------------------------------------------------------------------------ SQS


def _sqs_resource(sig: Signature, params: Mapping[str, Any]) -> str:
    name = params.get("QueueName")
    if name is None and params.get("QueueUrl"):
        name = str(params["QueueUrl"]).rstrip("/").rsplit("/", 1)[-1]
    return f"arn:aws:sqs:{sig.region}:{ACCOUNT}:{name}" if name else "*"


def _sqs_detail(operation: str, params: Mapping[str, Any]) -> dict[str, str]:
    if operation == "CreateQueue":
        return {"tagged": str(bool(params.get("tags"))).lower()}
    return {}


# ------------------------------------------------------------------------------ SNS


def _sns_resource(sig: Signature, operation: str, params: Mapping[str, Any]) -> str:
    if params.get("TopicArn"):
        return str(params["TopicArn"])
    if params.get("SubscriptionArn"):
        # A subscription's ARN is its topic's plus an id; IAM checks these against the topic.
        return str(params["SubscriptionArn"]).rsplit(":", 1)[0]
    if operation == "CreateTopic" and params.get("Name"):
        return f"arn:aws:sns:{sig.region}:{ACCOUNT}:{params['Name']}"
    return "*"


def _sns_detail(params: Mapping[str, Any]) -> dict[str, str]:
    if "Protocol" in params:
        return {"protocol": str(params["Protocol"]), "endpoint": str(params.get("Endpoint", ""))}
    return {}
