"""Security headers on every answer, error pages and redirects included.

The pages carry no inline script, style or event handler, so the policy can forbid them all:
scripts and styles come only from our own `/static/`. Product pictures may come from a CDN
(`imageUrl`), hence `img-src https:`. When the shop takes cards, the payment provider's origins
are allowed to serve the checkout's Stripe.js, answer its calls and frame its card element and
3-D Secure prompt (`card_payment.stripe_origins`), and nothing else of theirs.
"""

from __future__ import annotations

from html import escape

from aiohttp import web
from aiohttp.typedefs import Middleware

from ecomm.core.runtime.edge import EdgePage, edge_message
from ecomm.core.runtime.http import headers_on_every_answer


def content_security_policy(payment_origins: tuple[str, ...] = ()) -> str:
    allowed = "".join(f" {origin}" for origin in payment_origins)
    return "; ".join(
        [
            "default-src 'self'",
            f"script-src 'self'{allowed}",
            "style-src 'self'",
            "img-src 'self' https: data:",
            f"connect-src 'self'{allowed}",
            f"frame-src 'self'{allowed}",
            "form-action 'self'",
            "frame-ancestors 'none'",
            "base-uri 'none'",
            "object-src 'none'",
        ]
    )


CONTENT_SECURITY_POLICY = content_security_policy()
# Only features Chromium knows: an unknown one is reported as a console error on every page.
PERMISSIONS_POLICY = "camera=(), microphone=(), geolocation=(), payment=(), usb=()"


def page_headers(secure: bool, payment_origins: tuple[str, ...] = ()) -> dict[str, str]:
    """The headers of every answer, pages, files, redirects and the edge's own errors alike."""
    headers = {
        "Content-Security-Policy": content_security_policy(payment_origins),
        "X-Content-Type-Options": "nosniff",
        "Referrer-Policy": "strict-origin-when-cross-origin",
        "X-Frame-Options": "DENY",
        "Permissions-Policy": PERMISSIONS_POLICY,
        "Cross-Origin-Opener-Policy": "same-origin",
    }
    if secure:
        headers["Strict-Transport-Security"] = "max-age=31536000; includeSubDomains"
    return headers


def security_headers(*, secure: bool, payment_origins: tuple[str, ...] = ()) -> Middleware:
    return headers_on_every_answer(page_headers(secure, payment_origins))


def edge_page(secure: bool, payment_origins: tuple[str, ...] = ()) -> EdgePage:
    """What the server answers when aiohttp refuses a request before the app sees it."""
    headers = {**page_headers(secure, payment_origins), "Cache-Control": "no-store"}

    def page(status: int) -> web.Response:
        text = escape(edge_message(status)).capitalize()
        body = _EDGE_PAGE.format(status=status, text=text)
        return web.Response(text=body, status=status, content_type="text/html", headers=headers)

    return page


_EDGE_PAGE = """<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>{status} · Ecomm</title></head>
<body><main><h1>{text}</h1><p><a href="/">Go to the home page</a></p></main></body></html>
"""
