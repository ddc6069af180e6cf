"""`ecomm emulator --latency-ms`: every AWS call waits, and none waits behind another."""

from __future__ import annotations

import io
import json
from collections.abc import Callable, Iterable
from typing import Any

import pytest

from ecomm.cli_arguments import build_parser
from ecomm.emulator.server import CALLS_PATH, FaithfulMiddleware

AUTH = "AWS4-HMAC-SHA256 Credential=order/20261125/us-east-1/dynamodb/aws4_request, Signature=x"


def request(path: str = "/", target: str = "DynamoDB_20120810.GetItem") -> dict[str, Any]:
    body = json.dumps({"TableName": "Products", "Key": {"productID": {"S": "P1"}}}).encode()
    return {
        "PATH_INFO": path,
        "REQUEST_METHOD": "POST",
        "HTTP_AUTHORIZATION": AUTH,
        "HTTP_X_AMZ_TARGET": target,
        "CONTENT_TYPE": "application/x-amz-json-1.0",
        "CONTENT_LENGTH": str(len(body)),
        "wsgi.input": io.BytesIO(body),
    }


def moto(_: dict[str, Any], start_response: Callable[..., Any]) -> Iterable[bytes]:
    start_response("200 OK", [])
    return [b"{}"]


def test_each_aws_call_sleeps_the_latency_before_taking_the_dynamodb_lock() -> None:
    slept: list[tuple[float, bool]] = []
    middleware: FaithfulMiddleware

    def sleep(seconds: float) -> None:
        # The lock that serialises DynamoDB requests must be free: calls wait side by side.
        slept.append((seconds, middleware._dynamodb_lock.locked()))

    middleware = FaithfulMiddleware(moto, latency=0.01, sleep=sleep)
    assert b"".join(middleware(request(), lambda *_: None)) == b"{}"
    middleware(request(CALLS_PATH), lambda *_: None)  # the emulator's own endpoint: no latency
    assert slept == [(0.01, False)]


def test_without_the_option_no_call_sleeps() -> None:
    slept: list[float] = []
    middleware = FaithfulMiddleware(moto, sleep=slept.append)
    middleware(request(), lambda *_: None)
    assert slept == []


def test_the_option_is_milliseconds_within_bounds() -> None:
    parser = build_parser()
    assert parser.parse_args(["emulator", "--latency-ms", "10"]).latency_ms == 10.0
    assert parser.parse_args(["emulator"]).latency_ms == 0.0
    for bad in ("-1", "1001", "fast"):
        with pytest.raises(SystemExit) as exit_:
            parser.parse_args(["emulator", "--latency-ms", bad])
        assert exit_.value.code == 2
