"""CSRF protection by signed double submit, checked on every POST.

The browser holds a random token in an HttpOnly cookie, signed with `cookie_secret`; every form
carries the same token in a hidden field. A cross-site form cannot read the cookie to copy it,
and cannot plant a cookie of its own choosing either (e.g. from a sibling subdomain), because the
signature would not verify. No server-side session is needed, so web tasks stay stateless.
"""

from __future__ import annotations

import hmac
import secrets

from aiohttp import web
from aiohttp.typedefs import Middleware

from ecomm.core.http import Handler
from ecomm.roles.web.cookies import CookiePolicy
from ecomm.roles.web.signing import Signer

CSRF_COOKIE = "csrf"
CSRF_FIELD = "csrf_token"
SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})

csrf_token_key = web.RequestKey("csrf_token", str)


class CsrfTokens:
    def __init__(self, secret: str) -> None:
        self._signer = Signer(secret, "csrf")

    def new(self) -> str:
        return self._signer.sign(secrets.token_bytes(18))

    def is_ours(self, value: str | None) -> bool:
        return self._signer.verify(value) is not None


class CsrfRefused(web.HTTPForbidden):
    """A POST without the token of this browser: a forged request, or an expired page."""


def csrf_protection(tokens: CsrfTokens, cookies: CookiePolicy) -> Middleware:
    """Middleware: issue the token when missing, refuse any unsafe request that lacks it."""

    @web.middleware
    async def middleware(request: web.Request, handler: Handler) -> web.StreamResponse:
        from_cookie = request.cookies.get(CSRF_COOKIE)
        fresh = not tokens.is_ours(from_cookie)
        token = tokens.new() if fresh or from_cookie is None else from_cookie
        request[csrf_token_key] = token
        if request.method not in SAFE_METHODS:
            form = await request.post()
            sent = form.get(CSRF_FIELD)
            if fresh or not isinstance(sent, str) or not hmac.compare_digest(sent, token):
                raise CsrfRefused(
                    text="This form has expired or did not come from this shop. "
                    "Please go back, reload the page and try again."
                )
        response = await handler(request)
        if fresh and response.content_type == "text/html" and not response.prepared:
            cookies.set(response, CSRF_COOKIE, token)
        return response

    return middleware
