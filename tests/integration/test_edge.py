"""Requests aiohttp refuses before any middleware runs still get the role's own answer.

Before, a URL over 8 KB, an invented method or a control character in a header got aiohttp's
plain-text page that quoted the request back, with no security headers, and a multi-line
traceback in the log.
"""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncIterator, Awaitable, Callable

import pytest
from aiohttp import web
from aiohttp.typedefs import Middleware

from ecomm.core.runtime.edge import BASELINE_HEADERS, EdgePage, EdgeRunner, edge_page_key
from ecomm.core.runtime.http import baseline_headers, json_errors, metrics_key, request_context
from ecomm.core.runtime.metrics import Metrics
from ecomm.roles.web.security_headers import CONTENT_SECURITY_POLICY, edge_page

SECRET = b"s3cret-in-the-request"
RAW_REQUESTS = [
    pytest.param(b"GET /search?q=" + SECRET + b"a" * 9000 + b" HTTP/1.1\r\n\r\n", id="url"),
    pytest.param(b"FOO /" + SECRET + b" HTTP/1.1\r\nHost: x\r\n\r\n", id="method"),
    pytest.param(b"GET / HTTP/1.1\r\nX-Bad: " + SECRET + b"\x01\r\n\r\n", id="header"),
    pytest.param(b"GET / HTTP/1.1\r\nX-Big: " + SECRET + b"a" * 9000 + b"\r\n\r\n", id="big"),
    pytest.param(
        b"GET / HTTP/1.1\r\n" + b"".join(b"X-%d: 1\r\n" % n for n in range(200)) + b"\r\n",
        id="many-headers",
    ),
    pytest.param(b"\x16\x03\x01\x02\x00\x01\x00\x01\xfc\x03\x03" + SECRET + b"\r\n\r\n", id="tls"),
]

Start = Callable[[EdgePage | None, list[Middleware]], Awaitable[int]]


async def _hello(_: web.Request) -> web.Response:
    return web.Response(text="hello")


async def _boom(_: web.Request) -> web.Response:
    raise RuntimeError("a bug that escapes every middleware")


@pytest.fixture
async def serve() -> AsyncIterator[Start]:
    runners: list[EdgeRunner] = []

    async def start(page: EdgePage | None, middlewares: list[Middleware]) -> int:
        app = web.Application(middlewares=middlewares)
        app[metrics_key] = Metrics("test")
        if page is not None:
            app[edge_page_key] = page
        app.router.add_get("/", _hello)
        app.router.add_get("/boom", _boom)
        runner = EdgeRunner(app, access_log=None)
        await runner.setup()
        site = web.TCPSite(runner, "127.0.0.1", 0)
        await site.start()
        runners.append(runner)
        return int(runner.addresses[0][1])

    yield start
    for runner in runners:
        await runner.cleanup()


async def _raw(port: int, request: bytes) -> tuple[int, dict[str, str], bytes]:
    reader, writer = await asyncio.open_connection("127.0.0.1", port)
    writer.write(request)
    await writer.drain()
    answer = await asyncio.wait_for(reader.read(), timeout=10)
    writer.close()
    head, _, body = answer.partition(b"\r\n\r\n")
    status_line, *header_lines = head.decode("latin-1").split("\r\n")
    headers = dict(line.split(": ", 1) for line in header_lines)
    return int(status_line.split()[1]), headers, body


@pytest.mark.parametrize("request_bytes", RAW_REQUESTS)
async def test_the_shop_answers_a_request_aiohttp_refuses_with_its_own_page(
    serve: Start, request_bytes: bytes
) -> None:
    port = await serve(edge_page(secure=True), [request_context])
    status, headers, body = await _raw(port, request_bytes)
    assert 400 <= status < 500
    assert headers["Content-Security-Policy"] == CONTENT_SECURITY_POLICY
    assert headers["Strict-Transport-Security"].startswith("max-age=")
    assert headers["Content-Type"].startswith("text/html")
    assert SECRET not in body
    assert len(body) < 1024


@pytest.mark.parametrize("request_bytes", RAW_REQUESTS)
async def test_an_api_answers_a_request_aiohttp_refuses_in_json(
    serve: Start, request_bytes: bytes
) -> None:
    port = await serve(None, [request_context, baseline_headers, json_errors])
    status, headers, body = await _raw(port, request_bytes)
    assert 400 <= status < 500
    assert headers["X-Content-Type-Options"] == "nosniff"
    assert json.loads(body) == {"error": json.loads(body)["error"]}
    assert SECRET not in body


async def test_a_bug_that_escapes_every_middleware_is_a_500_with_headers_and_no_traceback(
    serve: Start,
) -> None:
    port = await serve(edge_page(secure=False), [])
    status, headers, body = await _raw(port, b"GET /boom HTTP/1.1\r\nHost: x\r\n\r\n")
    assert status == 500
    assert headers["Content-Security-Policy"] == CONTENT_SECURITY_POLICY
    assert b"Traceback" not in body
    assert b"a bug" not in body


async def test_every_api_answer_carries_the_baseline_headers(
    serve: Start,
) -> None:
    port = await serve(None, [request_context, baseline_headers, json_errors])
    for path in (b"/", b"/nowhere"):
        _, headers, _ = await _raw(port, b"GET " + path + b" HTTP/1.1\r\nConnection: close\r\n\r\n")
        for name, value in BASELINE_HEADERS.items():
            assert headers[name] == value
