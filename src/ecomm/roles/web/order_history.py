"""The "your orders" list: the ids of the orders placed from this browser, in a signed cookie.

The order service only knows an order once its worker has processed the OrderPlaced event, so
this list is also what tells the status page that an order it cannot find yet is PENDING rather
than unknown.
"""

from __future__ import annotations

import json

from ecomm.core.contracts.identifiers import is_order_id
from ecomm.roles.web.signing import Signer

ORDERS_COOKIE = "orders"
MAX_REMEMBERED = 20


class OrderHistoryCodec:
    def __init__(self, secret: str) -> None:
        self._signer = Signer(secret, "orders")

    def encode(self, order_ids: list[str]) -> str:
        return self._signer.sign(json.dumps(order_ids[:MAX_REMEMBERED]).encode())

    def decode(self, value: str | None) -> list[str]:
        """Newest first; an unsigned or malformed cookie is an empty history."""
        return self.parse(value) or []

    def parse(self, value: str | None) -> list[str] | None:
        """The ids in `value`, or None when it is absent or not a history of ours."""
        payload = self._signer.verify(value)
        if payload is None:
            return None
        try:
            ids = json.loads(payload)
        except (ValueError, RecursionError):
            return None
        if not isinstance(ids, list):
            return None
        return [i for i in ids[:MAX_REMEMBERED] if is_order_id(i)]


def remember(history: list[str], order_id: str) -> list[str]:
    return [order_id, *(i for i in history if i != order_id)][:MAX_REMEMBERED]
