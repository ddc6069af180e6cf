"""Acting like a browser in HTTP tests: settings for the app under test, CSRF tokens, forms."""

from __future__ import annotations

import re
from typing import Any

import aiohttp
from aiohttp.test_utils import TestClient
from pydantic import SecretStr

from ecomm.core.runtime.settings import Settings

SIGNING_KEY = "integration-test-secret"
# A shopper's checkout fields: name, email and a shipping address.
ADDRESS = {"line1": "12 Analytical Row", "city": "London", "postal_code": "N1 9GU", "country": "GB"}
ADA = {"name": "Ada Lovelace", "email": "ada@example.com", **ADDRESS}
_TOKEN = re.compile(r'name="csrf_token" value="([^"]+)"')
_HIDDEN = re.compile(r'<input type="hidden" name="([a-z_]+)" value="([^"]*)"')


def make_settings(**overrides: Any) -> Settings:
    values: dict[str, Any] = {
        "cookie_secret": SecretStr(SIGNING_KEY),
        "peer_timeout": 0.5,
        "checkout_rate_per_minute": 6.0,
        "checkout_burst": 3,
        "trusted_proxy_hops": 1,
        # Each search is published at once; the window's own test sets one.
        "search_event_window": 0.0,
        **overrides,
    }
    return Settings(**values)


async def csrf_token(client: TestClient[Any, Any], path: str = "/products/p001") -> str:
    """The token a page's forms carry; fetching it also sets this client's CSRF cookie."""
    response = await client.get(path)
    found = _TOKEN.search(await response.text())
    assert found, f"no CSRF token on {path}"
    return found.group(1)


async def hidden_fields(client: TestClient[Any, Any], path: str) -> dict[str, str]:
    """The hidden fields of the form on `path` (CSRF token, order id, cart digest ...)."""
    response = await client.get(path, allow_redirects=False)
    return dict(_HIDDEN.findall(await response.text()))


async def post_form(
    client: TestClient[Any, Any], path: str, data: dict[str, str], **kwargs: Any
) -> aiohttp.ClientResponse:
    """POST a form as a browser would: with the hidden fields of the page that shows it (for
    checkout, the checkout page's own), not following redirects."""
    if path == "/checkout":
        fields = await hidden_fields(client, "/checkout")
        fields.setdefault("csrf_token", await csrf_token(client))
    else:
        fields = {"csrf_token": await csrf_token(client)}
    response: aiohttp.ClientResponse = await client.post(
        path, data={**fields, **data}, allow_redirects=False, **kwargs
    )
    return response
