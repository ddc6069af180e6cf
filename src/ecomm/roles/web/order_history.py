"""The "your orders" list: the orders placed from this browser, with when, in a signed cookie.

The order service only knows an order once its worker has processed the OrderPlaced event, so
this list is also what tells the status page that an order it cannot find yet is PENDING rather
than unknown: for `PENDING_FOR` after it was placed. Past that, an order the service still does
not know is not coming (the event was lost, or the local emulator was reset since), and the
page says it cannot find it instead of "Pending" forever.

The cookie holds `[[orderID, placedAt], ...]` (placedAt in whole seconds since the epoch),
newest first. A cookie written before it held times (`[orderID, ...]`) still reads, its orders
with no placing time: known orders show as ever, unknown ones as not found.
"""

from __future__ import annotations

import json
from dataclasses import dataclass

from ecomm.core.contracts.identifiers import is_order_id
from ecomm.roles.web.signing import Signer

ORDERS_COOKIE = "orders"
MAX_REMEMBERED = 20
# The order worker takes seconds; a backlog or a redeploy, minutes. Long past that, it is lost.
PENDING_FOR = 15 * 60
_MAX_TIME = 2**40  # seconds since the epoch: beyond any real placing time, a bound to parse by


@dataclass(frozen=True)
class Placed:
    order_id: str
    placed_at: int | None = None  # None: remembered by a cookie older than placing times

    def may_be_pending(self, now: float) -> bool:
        """True while the order service may simply not have processed this order yet."""
        return self.placed_at is not None and 0 <= now - self.placed_at <= PENDING_FOR


class OrderHistoryCodec:
    def __init__(self, secret: str) -> None:
        self._signer = Signer(secret, "orders")

    def encode(self, history: list[Placed]) -> str:
        entries = [[p.order_id, p.placed_at] for p in history[:MAX_REMEMBERED]]
        return self._signer.sign(json.dumps(entries, separators=(",", ":")).encode())

    def decode(self, value: str | None) -> list[Placed]:
        """Newest first; an unsigned or malformed cookie is an empty history."""
        return self.parse(value) or []

    def parse(self, value: str | None) -> list[Placed] | None:
        """The orders in `value`, or None when it is absent or not a history of ours."""
        payload = self._signer.verify(value)
        if payload is None:
            return None
        try:
            entries = json.loads(payload)
        except (ValueError, RecursionError):
            return None
        if not isinstance(entries, list):
            return None
        return [p for p in map(_placed, entries[:MAX_REMEMBERED]) if p is not None]


def _placed(entry: object) -> Placed | None:
    if is_order_id(entry):
        return Placed(str(entry))
    if not (isinstance(entry, list) and len(entry) == 2 and is_order_id(entry[0])):
        return None
    at = entry[1]
    valid = isinstance(at, int) and not isinstance(at, bool) and 0 <= at < _MAX_TIME
    return Placed(entry[0], at if valid else None)


def remember(history: list[Placed], order_id: str, now: float) -> list[Placed]:
    """`history` with `order_id` first; placed again (the same form sent twice), it keeps the
    time it was first placed."""
    earlier = next((p for p in history if p.order_id == order_id), None)
    placed = earlier if earlier is not None else Placed(order_id, int(now))
    return [placed, *(p for p in history if p.order_id != order_id)][:MAX_REMEMBERED]


def find(history: list[Placed], order_id: str) -> Placed | None:
    return next((p for p in history if p.order_id == order_id), None)
