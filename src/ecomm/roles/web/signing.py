"""Signed cookie values: HMAC-SHA256 from the standard library, one derived key per purpose.

The web role keeps no server-side session, so whatever it must trust from the browser (the cart,
the CSRF token, the list of your orders) travels in a cookie signed with `cookie_secret`. Each
purpose signs with its own derived key, so a valid cart cookie can never be replayed as a CSRF
token or an order list.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac


def _b64encode(raw: bytes) -> str:
    return base64.urlsafe_b64encode(raw).rstrip(b"=").decode("ascii")


def _b64decode(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


# Our signed values are at most a browser's cookie size; anything longer is not ours.
MAX_SIGNED_VALUE = 4096


class Signer:
    """Signs and verifies payloads for one purpose ("cart", "csrf", "orders", ...)."""

    def __init__(self, secret: str, purpose: str) -> None:
        self._key = hmac.new(secret.encode(), f"ecomm-web/{purpose}".encode(), "sha256").digest()

    def _mac(self, body: str) -> str:
        return _b64encode(hmac.new(self._key, body.encode("ascii"), hashlib.sha256).digest())

    def sign(self, payload: bytes) -> str:
        """`<payload>.<mac>`, both base64url without padding: safe in a cookie as is."""
        body = _b64encode(payload)
        return f"{body}.{self._mac(body)}"

    def verify(self, value: str | None) -> bytes | None:
        """The payload when `value` was signed by us for this purpose, else None.

        Never raises: a missing, oversized, non-ASCII, foreign or tampered value is simply not
        ours, on every page including the error pages.
        """
        if (
            not value
            or len(value) > MAX_SIGNED_VALUE
            or not value.isascii()
            or value.count(".") != 1
        ):
            return None
        body, mac = value.split(".")
        if not hmac.compare_digest(self._mac(body).encode("ascii"), mac.encode("ascii")):
            return None
        try:
            return _b64decode(body)
        except (binascii.Error, ValueError):
            return None
