"""The cart: productID → quantity, kept in a signed cookie and nowhere else.

It never holds prices or stock: those always come from lookup when a page is rendered and again
at checkout, so a stale or forged cookie can at worst name products and quantities, which are
bounded here and checked against the catalog before anything is published.
"""

from __future__ import annotations

import json
import zlib
from collections.abc import Iterator
from dataclasses import dataclass, field

from ecomm.core.contracts.identifiers import is_product_id
from ecomm.core.domain.orders import MAX_LINE_QUANTITY, MAX_ORDER_LINES, OrderLine
from ecomm.roles.web.signing import Signer

CART_COOKIE = "cart"
# Browsers keep at most ~4096 bytes per cookie, name and attributes included.
MAX_COOKIE_VALUE = 3800
# Only our own signed payloads are inflated, but a bound costs nothing.
_MAX_INFLATED = 64 * 1024


class CartError(ValueError):
    """A change the cart refuses; its message is shown to the shopper next to the field."""


def parse_quantity(text: str | None) -> int:
    """A quantity typed by a shopper, bounded 1..MAX_LINE_QUANTITY."""
    message = f"Enter a whole number from 1 to {MAX_LINE_QUANTITY}."
    raw = (text or "").strip()
    if not (raw.isascii() and raw.isdigit()) or len(raw) > 6:
        raise CartError(message)
    quantity = int(raw)
    if not 1 <= quantity <= MAX_LINE_QUANTITY:
        raise CartError(message)
    return quantity


@dataclass(frozen=True)
class Cart:
    lines: dict[str, int] = field(default_factory=dict)

    def __iter__(self) -> Iterator[OrderLine]:
        return (OrderLine(pid, qty) for pid, qty in self.lines.items())

    def __len__(self) -> int:
        return len(self.lines)

    @property
    def item_count(self) -> int:
        return sum(self.lines.values())

    def quantity_of(self, product_id: str) -> int:
        return self.lines.get(product_id, 0)

    def with_quantity(self, product_id: str, quantity: int) -> Cart:
        """The cart with this line set to `quantity`; raises `CartError` past the limits."""
        if not 1 <= quantity <= MAX_LINE_QUANTITY:
            raise CartError(f"You can order from 1 to {MAX_LINE_QUANTITY} of one product.")
        if product_id not in self.lines and len(self.lines) >= MAX_ORDER_LINES:
            raise CartError(
                f"An order holds at most {MAX_ORDER_LINES} different products; "
                "check out or remove something first."
            )
        return Cart({**self.lines, product_id: quantity})

    def adding(self, product_id: str, quantity: int) -> Cart:
        total = self.quantity_of(product_id) + quantity
        if total > MAX_LINE_QUANTITY:
            raise CartError(
                f"You can order at most {MAX_LINE_QUANTITY} of one product "
                f"(you already have {self.quantity_of(product_id)} in your cart)."
            )
        return self.with_quantity(product_id, total)

    def without(self, product_id: str) -> Cart:
        return Cart({pid: qty for pid, qty in self.lines.items() if pid != product_id})


class CartCodec:
    """Turns a cart into a signed cookie value and back; anything untrusted becomes empty."""

    def __init__(self, secret: str) -> None:
        self._signer = Signer(secret, "cart")

    def encode(self, cart: Cart) -> str:
        raw = json.dumps(list(cart.lines.items()), separators=(",", ":")).encode()
        value = self._signer.sign(zlib.compress(raw, 9))
        if len(value) > MAX_COOKIE_VALUE:
            raise CartError("Your cart is full; check out or remove something first.")
        return value

    def decode(self, value: str | None) -> Cart:
        """The cart in `value`; an empty one when it is absent or not a cart of ours."""
        return self.parse(value) or Cart()

    def parse(self, value: str | None) -> Cart | None:
        """The cart in `value`, or None when it is absent or not a cart of ours."""
        payload = self._signer.verify(value)
        if payload is None:
            return None
        try:
            inflater = zlib.decompressobj()
            raw = inflater.decompress(payload, _MAX_INFLATED)
            pairs = json.loads(raw)
        except (zlib.error, ValueError, RecursionError):
            return None
        return _valid_cart(pairs)


def _valid_cart(pairs: object) -> Cart | None:
    if not isinstance(pairs, list) or len(pairs) > MAX_ORDER_LINES:
        return None
    lines: dict[str, int] = {}
    for pair in pairs:
        if not (isinstance(pair, list) and len(pair) == 2):
            return None
        pid, qty = pair
        valid_qty = isinstance(qty, int) and not isinstance(qty, bool)
        if not (is_product_id(pid) and valid_qty and 1 <= qty <= MAX_LINE_QUANTITY):
            return None
        lines[pid] = qty
    return Cart(lines)
