"""Security headers on every answer, error pages and redirects included.

The pages carry no inline script, style or event handler, so the policy can forbid them all:
scripts and styles come only from our own `/static/`. Product pictures may come from a CDN
(`imageUrl`), hence `img-src https:`.
"""

from __future__ import annotations

from aiohttp import web
from aiohttp.typedefs import Middleware

from ecomm.core.http import Handler

CONTENT_SECURITY_POLICY = "; ".join(
    [
        "default-src 'self'",
        "script-src 'self'",
        "style-src 'self'",
        "img-src 'self' https: data:",
        "connect-src 'self'",
        "form-action 'self'",
        "frame-ancestors 'none'",
        "base-uri 'none'",
        "object-src 'none'",
    ]
)
# Only features Chromium knows: an unknown one is reported as a console error on every page.
PERMISSIONS_POLICY = "camera=(), microphone=(), geolocation=(), payment=(), usb=()"
STATIC_MAX_AGE = 3600


def _headers(secure: bool) -> dict[str, str]:
    headers = {
        "Content-Security-Policy": CONTENT_SECURITY_POLICY,
        "X-Content-Type-Options": "nosniff",
        "Referrer-Policy": "strict-origin-when-cross-origin",
        "X-Frame-Options": "DENY",
        "Permissions-Policy": PERMISSIONS_POLICY,
        "Cross-Origin-Opener-Policy": "same-origin",
    }
    if secure:
        headers["Strict-Transport-Security"] = "max-age=31536000; includeSubDomains"
    return headers


def security_headers(*, secure: bool) -> Middleware:
    headers = _headers(secure)

    @web.middleware
    async def middleware(request: web.Request, handler: Handler) -> web.StreamResponse:
        try:
            response = await handler(request)
        except web.HTTPException as exc:
            # Redirects travel as exceptions; they get the same headers.
            exc.headers.update(headers)
            raise
        response.headers.update(headers)
        if request.path.startswith("/static/") and response.status == 200:
            response.headers.setdefault("Cache-Control", f"public, max-age={STATIC_MAX_AGE}")
        elif response.content_type == "text/html":
            # Pages show a cart and a CSRF token: personal, never for a shared cache.
            response.headers.setdefault("Cache-Control", "no-store")
        return response

    return middleware
