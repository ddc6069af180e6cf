"""The lookup role's aiohttp application, built from explicitly passed dependencies.

Tests hand it a read model directly; `build.py` hands it the real one.
"""

from __future__ import annotations

from aiohttp import web

from ecomm.core.runtime.http import (
    Readiness,
    add_probe_routes,
    baseline_headers,
    json_errors,
    request_context,
)
from ecomm.core.runtime.metrics import Metrics
from ecomm.roles.lookup.api import add_routes, model_key, trending_key
from ecomm.roles.lookup.readmodel import ReadModel
from ecomm.roles.lookup.trending import Trending


def create_app(
    *,
    model: ReadModel,
    trending: Trending,
    metrics: Metrics,
    readiness: Readiness | None = None,
) -> web.Application:
    """`readiness` defaults to "the index is loaded"; the service adds its queues and table."""
    if readiness is None:
        readiness = Readiness(ttl=1.0)
        readiness.add("index", model.check_ready)
    # aiohttp refuses request lines over 8 KB itself, in plain text; up to 32 KB the request
    # reaches the views, so an oversized query is told the actual limit, in JSON.
    app = web.Application(
        middlewares=[request_context, baseline_headers, json_errors],
        handler_args={"max_line_size": 32 * 1024},
    )
    app[model_key] = model
    app[trending_key] = trending
    add_probe_routes(app, "lookup", metrics, readiness)
    add_routes(app)
    return app
