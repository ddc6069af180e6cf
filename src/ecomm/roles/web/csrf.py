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
from markupsafe import escape

from ecomm.core.runtime.http import Handler
from ecomm.roles.web.cookies import CookiePolicy
from ecomm.roles.web.forms import read_form
from ecomm.roles.web.signing import Signer

CSRF_COOKIE = "csrf"
CSRF_FIELD = "csrf_token"
SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})


class CsrfTokens:
    def __init__(self, secret: str) -> None:
        self._signer = Signer(secret, "csrf")

    def new(self) -> str:
        return self._signer.sign(secrets.token_bytes(18))

    def is_ours(self, value: str | None) -> bool:
        return self._signer.verify(value) is not None


class CsrfToken:
    """This request's token, settled only when asked for: most pages (search, home, order
    status) show no form, and need neither the signature check nor a new token and cookie."""

    __slots__ = ("_cookie", "_tokens", "_value", "fresh")

    def __init__(self, tokens: CsrfTokens, from_cookie: str | None) -> None:
        self._tokens = tokens
        self._cookie = from_cookie
        self._value: str | None = None
        self.fresh = False  # a new token was made: the browser's cookie was missing or not ours

    @property
    def value(self) -> str:
        if self._value is None:
            if self._cookie is not None and self._tokens.is_ours(self._cookie):
                self._value = self._cookie
            else:
                self._value, self.fresh = self._tokens.new(), True
        return self._value

    def __str__(self) -> str:
        return self.value

    def __html__(self) -> str:
        return str(escape(self.value))


csrf_token_key = web.RequestKey("csrf_token", CsrfToken)


class CsrfRefused(web.HTTPForbidden):
    """A POST without the token of this browser: a forged request, or an expired page."""


def csrf_protection(
    tokens: CsrfTokens, cookies: CookiePolicy, exempt: frozenset[str] = frozenset()
) -> Middleware:
    """Middleware: refuse any unsafe request without the token; issue it (and its cookie) when
    a page shows a form and the browser has none. `exempt` paths are no browser's: they prove
    where they come from themselves (a payment provider's signed webhook)."""

    @web.middleware
    async def middleware(request: web.Request, handler: Handler) -> web.StreamResponse:
        token = CsrfToken(tokens, request.cookies.get(CSRF_COOKIE))
        request[csrf_token_key] = token
        if request.method not in SAFE_METHODS and request.path not in exempt:
            sent = (await read_form(request)).get(CSRF_FIELD, "")
            expected = token.value
            # Bytes, not str: compare_digest refuses a str with non-ASCII characters.
            if token.fresh or not hmac.compare_digest(sent.encode(), expected.encode()):
                raise CsrfRefused(
                    text="This form has expired or did not come from this shop. "
                    "Please go back, reload the page and try again."
                )
        response = await handler(request)
        if token.fresh and response.content_type == "text/html" and not response.prepared:
            cookies.set(response, CSRF_COOKIE, token.value)
        return response

    return middleware
