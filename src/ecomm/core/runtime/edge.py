"""The HTTP server's own edge: what a role answers when aiohttp rejects a request itself.

aiohttp parses the request line and headers before any middleware runs. When that fails (a URL
or header over its limit, an invalid method, a bad header character) or a bug escapes every
middleware, it answers from `RequestHandler.handle_error`: a plain-text page that echoes the
offending request, without the role's security headers, and logs a multi-line traceback through
the standard library. aiohttp offers no hook for this (aio-libs/aiohttp#3287), so the runner
below builds its server with a request handler whose `handle_error` answers the role's own small
error page (`edge_errors_key`, JSON by default) and logs one structured line that names the
error's class, never the bytes that caused it.

    bytes ─> aiohttp's parser ─ fails ─> EdgeRequestHandler.handle_error ─> role's edge page
                    └─ ok ─> the app's middlewares ─> views (bugs: the same page, status 500)
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from http import HTTPStatus
from typing import Any

import structlog
from aiohttp import web
from aiohttp.web_protocol import RequestHandler
from aiohttp.web_request import BaseRequest

log = structlog.get_logger(__name__)

EdgePage = Callable[[int], web.Response]
edge_page_key: web.AppKey[EdgePage] = web.AppKey("edge_page")

# Headers every role sends, whatever the body: the web role adds its page policy on top.
BASELINE_HEADERS = {
    "X-Content-Type-Options": "nosniff",
    "Content-Security-Policy": "default-src 'none'; frame-ancestors 'none'",
    "Referrer-Policy": "no-referrer",
    "Cache-Control": "no-store",
}

_MESSAGES = {
    400: "the request could not be read",
    404: "not found",
    405: "method not allowed",
    413: "the request is too large",
    414: "the address is too long",
    431: "the request headers are too large",
}


def edge_message(status: int) -> str:
    """A short, fixed description of a status: never anything taken from the request."""
    if status in _MESSAGES:
        return _MESSAGES[status]
    return "internal error" if status >= 500 else "the request could not be read"


def json_edge_page(status: int) -> web.Response:
    """The JSON APIs' edge answer: `{"error": ...}` with the baseline headers."""
    return web.json_response(
        {"error": edge_message(status)}, status=status, headers=BASELINE_HEADERS
    )


class EdgeRequestHandler(RequestHandler):
    """aiohttp's per-connection handler, with the role's own answer to unreadable requests."""

    def __init__(self, *args: Any, edge_page: EdgePage, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._edge_page = edge_page

    def handle_error(
        self,
        request: BaseRequest,
        status: int = 500,
        exc: BaseException | None = None,
        message: str | None = None,
    ) -> web.StreamResponse:
        # `message` echoes the request (aiohttp quotes the offending bytes): it is never used.
        del message
        if status >= 500:
            log.error("unhandled_error", status=status, exc_info=exc)
        else:
            log.warning(
                "request_rejected_by_parser",
                status=status,
                error_type=type(exc).__name__ if exc is not None else None,
                remote=request.remote,
            )
        if request.writer.output_size > 0:
            # Part of a response went out already; only closing the connection is left.
            raise ConnectionError("response already started; closing the connection")
        response = self._edge_page(status if 400 <= status < 600 else HTTPStatus.BAD_REQUEST)
        response.force_close()
        return response


class EdgeServer(web.Server):
    """A `web.Server` whose connections use `EdgeRequestHandler`."""

    def __init__(self, *args: Any, edge_page: EdgePage, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._edge_page = edge_page

    def __call__(self) -> RequestHandler:
        return EdgeRequestHandler(self, loop=self._loop, edge_page=self._edge_page, **self._kwargs)


class EdgeRunner(web.AppRunner):
    """`web.AppRunner` serving through `EdgeServer`, with the app's `edge_page_key` page."""

    async def _make_server(self) -> web.Server:
        # Mirrors AppRunner._make_server / Application._make_handler, swapping the class only.
        plain = await super()._make_server()
        return EdgeServer(
            plain.request_handler,
            request_factory=plain.request_factory,
            handler_cancellation=plain.handler_cancellation,
            loop=asyncio.get_running_loop(),
            edge_page=self.app.get(edge_page_key, json_edge_page),
            **plain._kwargs,  # the handler arguments the app chose (max_line_size, ...)
        )
