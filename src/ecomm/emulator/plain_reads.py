"""Scan and Query answers written as plain JSON, past moto's model-driven serializer.

moto writes every answer by walking botocore's output shape, value by value; for a Scan of
2,000 products that walk takes over a second, and the whole catalog is scanned by lookup's
first load (the wait before `make run` can say "ready") and by the local shop's save on Ctrl-C.
A DynamoDB JSON-protocol answer *is* the result: the same keys, each attribute value a map
such as {"S": "..."} or {"N": "12.50"}. So a Scan or Query result is written with `json.dumps`,
unless it holds a binary value (raw bytes, which the serializer base64-encodes): that one, and
every other operation, goes moto's way. Installed by the emulator and nowhere else.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from functools import wraps

from moto.core.common_types import TYPE_RESPONSE
from moto.core.responses import ActionContext, ActionResult
from moto.dynamodb.responses import DynamoHandler, DynamoResult

Answer = Callable[[DynamoHandler], ActionResult]
CONTENT_TYPE = "application/x-amz-json-1.0"  # DynamoDB's protocol, jsonVersion 1.0


class PlainJson(ActionResult):
    def execute_result(self, context: ActionContext) -> TYPE_RESPONSE:
        try:
            body = json.dumps(self.result, separators=(",", ":"))
        except TypeError:  # bytes: a binary attribute
            return super().execute_result(context)
        return 200, {"Content-Type": CONTENT_TYPE}, body


def _plain(answer: Answer) -> Answer:
    @wraps(answer)
    def plain(handler: DynamoHandler) -> ActionResult:
        result = answer(handler)
        return PlainJson(result.result) if type(result) is DynamoResult else result

    return plain


# moto's own answers, taken once: installing twice wraps them once.
_MOTO_ANSWERS: dict[str, Answer] = {
    name: getattr(DynamoHandler, name) for name in ("scan", "query")
}


def install() -> None:
    """Answer Scan and Query as plain JSON in this process (the emulator's only)."""
    for name, answer in _MOTO_ANSWERS.items():
        setattr(DynamoHandler, name, _plain(answer))
