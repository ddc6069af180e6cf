"""What every role's HTTP server shares: request context, probes, metrics, JSON errors, serving.

One summary log line per request, carrying the request id that also becomes the correlation id
of any event the request publishes. When tracing is on, each request is a SERVER span that
continues the caller's trace (a `traceparent` header from web's peer calls).
"""

from __future__ import annotations

import asyncio
import itertools
import re
import secrets
import time
from collections.abc import AsyncIterator, Awaitable, Callable, Mapping
from contextlib import asynccontextmanager
from dataclasses import dataclass, field

import structlog
from aiohttp import web
from aiohttp.typedefs import Middleware
from opentelemetry import propagate
from opentelemetry.instrumentation.utils import suppress_instrumentation
from opentelemetry.trace import SpanKind, StatusCode

from ecomm.core.runtime import tracing
from ecomm.core.runtime.edge import BASELINE_HEADERS, EdgeRunner
from ecomm.core.runtime.metrics import Metrics

log = structlog.get_logger(__name__)

REQUEST_ID_HEADER = "X-Request-ID"
_SAFE_ID = re.compile(r"[A-Za-z0-9._-]{8,64}")

metrics_key = web.AppKey("metrics", Metrics)
role_key = web.AppKey("role", str)
request_id_key = web.RequestKey("request_id", str)
Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]
Check = Callable[[], Awaitable[None]]


# A request id must be unique, not secret: a random per-process prefix and a counter cost a
# fraction of uuid4's read of the kernel's random pool, on every request.
_ID_PREFIX = secrets.token_hex(10)
_ID_COUNTER = itertools.count(1)


def new_request_id() -> str:
    """32 hex characters, unique across processes and restarts (80 random bits) and within one."""
    return f"{_ID_PREFIX}{next(_ID_COUNTER):012x}"


def request_id_of(request: web.Request) -> str:
    return str(request.get(request_id_key, ""))


@web.middleware
async def request_context(request: web.Request, handler: Handler) -> web.StreamResponse:
    """Bind a request id to the logs, echo it back, and log/measure one line per request."""
    if not tracing.enabled():
        return await _in_context(request, handler)
    route = _route(request)
    if route in _QUIET_ROUTES:
        # A probe every few seconds per task is no story to trace, nor are the calls it makes.
        with suppress_instrumentation():
            return await _in_context(request, handler)
    with tracing.tracer().start_as_current_span(
        f"{request.method} {route}",
        context=propagate.extract(request.headers),
        kind=SpanKind.SERVER,
        attributes={
            "http.request.method": request.method,
            "http.route": route,
            "url.path": request.path,
        },
        record_exception=False,
        set_status_on_exception=False,
    ) as span:
        status = 500
        try:
            response = await _in_context(request, handler)
            status = response.status
        except web.HTTPException as exc:
            status = exc.status
            raise
        finally:
            span.set_attribute("http.response.status_code", status)
            if status >= 500:
                span.set_status(StatusCode.ERROR)
        return response


def _route(request: web.Request) -> str:
    resource = request.match_info.route.resource
    return resource.canonical if resource is not None else "unmatched"


async def _in_context(request: web.Request, handler: Handler) -> web.StreamResponse:
    incoming = request.headers.get(REQUEST_ID_HEADER, "")
    rid = incoming if _SAFE_ID.fullmatch(incoming) else new_request_id()
    request[request_id_key] = rid
    structlog.contextvars.clear_contextvars()
    structlog.contextvars.bind_contextvars(request_id=rid, correlation_id=rid)
    started = time.perf_counter()
    status = 500
    try:
        response = await handler(request)
        status = response.status
    except web.HTTPException as exc:
        status = exc.status
        exc.headers[REQUEST_ID_HEADER] = rid
        raise
    finally:
        elapsed = time.perf_counter() - started
        route = _route(request)
        request.app[metrics_key].observe_request(request.method, route, status, elapsed)
        if route not in _QUIET_ROUTES:
            # The route's template, not the path: a path is bytes from outside (a hostile
            # segment, or a customer's text typed into a URL) and the template says as much.
            log.info(
                "request",
                method=request.method,
                route=route,
                status=status,
                ms=round(elapsed * 1000, 2),
            )
    response.headers[REQUEST_ID_HEADER] = rid
    return response


# Probes are hit every few seconds by ECS and the load balancer; logging each would drown the rest.
_QUIET_ROUTES = frozenset({"/healthz", "/readyz", "/metrics"})


def headers_on_every_answer(headers: Mapping[str, str]) -> Middleware:
    """Middleware: `headers` on every answer, errors and redirects included (they travel as
    exceptions). A page of HTML is never for a shared cache: it may show a cart or a token."""

    @web.middleware
    async def middleware(request: web.Request, handler: Handler) -> web.StreamResponse:
        try:
            response = await handler(request)
        except web.HTTPException as exc:
            exc.headers.update(headers)
            raise
        response.headers.update(headers)
        if response.content_type == "text/html":
            response.headers.setdefault("Cache-Control", "no-store")
        return response

    return middleware


# The JSON APIs' security headers.
baseline_headers = headers_on_every_answer(BASELINE_HEADERS)


@web.middleware
async def json_errors(request: web.Request, handler: Handler) -> web.StreamResponse:
    """JSON APIs answer `{"error": "..."}` for every failure, never an HTML page or a traceback."""
    try:
        return await handler(request)
    except web.HTTPException as exc:
        if exc.status < 400:
            raise
        message = exc.text if exc.text and not exc.text.startswith(str(exc.status)) else exc.reason
        # Keep headers such as Retry-After or Allow, not the plain-text body's own.
        headers = {
            k: v
            for k, v in exc.headers.items()
            if k.lower() not in {"content-type", "content-length"}
        }
        return web.json_response({"error": message}, status=exc.status, headers=headers)
    except asyncio.CancelledError:
        raise
    except Exception:
        log.exception("unhandled_error")
        return web.json_response({"error": "internal error"}, status=500)


def json_error(status: type[web.HTTPException], message: str) -> web.HTTPException:
    return status(text=message)


@dataclass
class Readiness:
    """Named dependency checks behind `/readyz`, cached briefly to bound the calls they cost."""

    ttl: float = 5.0
    checks: dict[str, Check] = field(default_factory=dict)
    _cached: tuple[float, dict[str, str]] | None = None

    def add(self, name: str, check: Check) -> None:
        self.checks[name] = check

    async def report(self) -> dict[str, str]:
        now = time.monotonic()
        if self._cached and now - self._cached[0] < self.ttl:
            return self._cached[1]
        results: dict[str, str] = {}
        for name, check in self.checks.items():
            try:
                await asyncio.wait_for(check(), timeout=2.0)
                results[name] = "ok"
            except Exception as exc:  # noqa: BLE001 - any failure means "not ready", and says why
                results[name] = f"{type(exc).__name__}: {exc}"[:200]
        self._cached = (now, results)
        return results


def add_probe_routes(
    app: web.Application, role: str, metrics: Metrics, readiness: Readiness
) -> None:
    """`/healthz` (alive), `/readyz` (dependencies answer) and `/metrics` (Prometheus)."""
    app[metrics_key] = metrics
    app[role_key] = role

    async def healthz(_: web.Request) -> web.Response:
        return web.json_response({"status": "ok", "role": role})

    async def readyz(_: web.Request) -> web.Response:
        results = await readiness.report()
        ready = all(v == "ok" for v in results.values())
        metrics.ready.set(1 if ready else 0)
        return web.json_response(
            {"status": "ready" if ready else "not ready", "checks": results},
            status=200 if ready else 503,
        )

    async def metrics_view(_: web.Request) -> web.Response:
        return web.Response(body=metrics.render(), content_type="text/plain", charset="utf-8")

    app.router.add_get("/healthz", healthz)
    app.router.add_get("/readyz", readyz)
    app.router.add_get("/metrics", metrics_view)


@asynccontextmanager
async def listening(app: web.Application, host: str, port: int) -> AsyncIterator[None]:
    """`app` started (its cleanup_ctx entered) and answering on `host:port` for the block; on
    leaving, in-flight requests are drained and the app's cleanups run."""
    runner = EdgeRunner(app, access_log=None, shutdown_timeout=10.0)
    await runner.setup()
    try:
        await web.TCPSite(runner, host, port, reuse_address=True).start()
        log.info("listening", url=f"http://{host}:{port}", role=app[role_key])
        yield
    finally:
        await runner.cleanup()
