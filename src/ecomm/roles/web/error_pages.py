"""One middleware turns every failure into a readable page, never a traceback.

Views raise what happened (`ProductNotFound`, `PeerUnavailable`, an `HTTPException`); this is the
one place that decides which page and status that becomes.
"""

from __future__ import annotations

import asyncio
from html import escape

import structlog
from aiohttp import web

from ecomm.core.domain.errors import DomainError
from ecomm.core.domain.orders import OrderNotFound
from ecomm.core.domain.products import ProductNotFound
from ecomm.core.runtime.http import Handler
from ecomm.roles.web.pages import render
from ecomm.roles.web.peers import PeerRefused, PeerUnavailable

log = structlog.get_logger(__name__)

_TITLES = {
    400: ("That didn't work", "Something in that request wasn't quite right."),
    403: ("Please try again", "This form has expired. Go back, reload the page and try again."),
    404: ("We can't find that page", "The page you asked for isn't here. It may have moved."),
    405: ("That didn't work", "This page can't be used that way."),
    413: ("That was too much", "That request was too large."),
    429: ("Slow down a little", "Too many attempts in a short time. Please wait and retry."),
    500: ("Something went wrong", "Something went wrong on our side. Please try again."),
    503: (
        "The shop is having trouble",
        "The shop is having trouble right now. Please try again in a moment.",
    ),
}
# Headers of an HTTP error worth keeping on the page that replaces it.
_KEPT_HEADERS = ("Retry-After", "Allow")


def _message(exc: web.HTTPException) -> str | None:
    """The text a view chose for this error, or None for aiohttp's default `404: Not Found`."""
    text = exc.text or ""
    return None if not text or text.startswith(f"{exc.status}:") else text


def error_page(
    request: web.Request,
    status: int,
    message: str | None = None,
    headers: dict[str, str] | None = None,
) -> web.Response:
    title, default = _TITLES.get(status, _TITLES[500 if status >= 500 else 400])
    context = {"status": status, "title": title, "message": message or default}
    try:
        response = render(request, "error.html", context, status=status)
    except Exception:
        log.exception("error_page_failed")
        body = f"<!doctype html><title>{escape(title)}</title><h1>{escape(title)}</h1>"
        response = web.Response(text=body, status=status, content_type="text/html")
    response.headers.update(headers or {})
    return response


def _domain_error_page(request: web.Request, exc: DomainError) -> web.Response:
    if isinstance(exc, ProductNotFound):
        return error_page(request, 404, "We couldn't find that product. It may have been removed.")
    if isinstance(exc, OrderNotFound):
        return error_page(request, 404, "We couldn't find that order.")
    if isinstance(exc, PeerRefused):
        return error_page(request, 400, str(exc))
    if isinstance(exc, PeerUnavailable):
        log.warning("peer_unavailable", peer=exc.peer, error=str(exc))
        return error_page(request, 503, headers={"Retry-After": "5"})
    log.error("unhandled_domain_error", error=str(exc), error_type=type(exc).__name__)
    return error_page(request, 500)


@web.middleware
async def error_pages(request: web.Request, handler: Handler) -> web.StreamResponse:
    try:
        return await handler(request)
    except web.HTTPException as exc:
        if exc.status < 400:
            raise
        kept = {h: exc.headers[h] for h in _KEPT_HEADERS if h in exc.headers}
        return error_page(request, exc.status, _message(exc), kept)
    except DomainError as exc:
        return _domain_error_page(request, exc)
    except asyncio.CancelledError:
        raise
    except Exception:
        log.exception("unhandled_error")
        return error_page(request, 500)
