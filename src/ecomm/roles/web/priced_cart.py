"""The cart as a page shows it: each line with the catalog's current price and stock.

Prices and stock are never taken from the browser; they are joined here from what lookup
answered a moment ago, and a line the catalog can no longer fill carries a problem to show.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from decimal import Decimal

from ecomm.core.domain.money import Totals
from ecomm.core.domain.orders import OrderLine, Pricing
from ecomm.core.domain.products import Product
from ecomm.roles.web.cart import Cart

LOW_STOCK = 5


@dataclass(frozen=True)
class PricedLine:
    product_id: str
    quantity: int
    product: Product | None  # None: the catalog no longer has it

    @property
    def order_line(self) -> OrderLine:
        """The line as ordered: at the price and under the name shown."""
        if self.product is None:
            return OrderLine(self.product_id, self.quantity)
        return OrderLine(self.product_id, self.quantity, self.product.price, self.product.name)

    @property
    def problem(self) -> str | None:
        if self.product is None:
            return "This product is no longer available; please remove it."
        if self.product.stock <= 0:
            return "Out of stock; please remove it to check out."
        if self.quantity > self.product.stock:
            return f"Only {self.product.stock} left; please lower the quantity."
        return None


@dataclass(frozen=True)
class PricedCart:
    lines: list[PricedLine]
    pricing: Pricing

    def line_total(self, line: PricedLine) -> Decimal:
        return line.order_line.total(self.pricing.currency) or Decimal(0)

    @property
    def totals(self) -> Totals:
        """Subtotal, shipping and total by the rules the order worker charges by."""
        return self.pricing.totals(line.order_line for line in self.lines if line.product)

    def digest(self) -> str:
        """Names this cart's exact contents *and* the prices shown: the checkout form carries
        the one it showed, so a form sent back after a price changed is refused like one for
        another cart (and the shopper sees the new price before agreeing to it)."""
        shown = sorted(
            (line.product_id, line.quantity, f"{line.product.price:f}" if line.product else "-")
            for line in self.lines
        )
        raw = json.dumps([shown, f"{self.totals.shipping:f}"], separators=(",", ":"))
        return hashlib.sha256(raw.encode()).hexdigest()[:32]

    @property
    def item_count(self) -> int:
        return sum(line.quantity for line in self.lines)

    @property
    def problems(self) -> list[PricedLine]:
        return [line for line in self.lines if line.problem]

    @property
    def is_empty(self) -> bool:
        return not self.lines


def price(cart: Cart, products: dict[str, Product], pricing: Pricing) -> PricedCart:
    return PricedCart(
        [PricedLine(line.productID, line.quantity, products.get(line.productID)) for line in cart],
        pricing,
    )


def stock_badge(product: Product) -> tuple[str, str]:
    """(text, css modifier) for the badge a product card and page show."""
    if product.stock <= 0:
        return "Out of stock", "out"
    if product.stock <= LOW_STOCK:
        return f"Only {product.stock} left", "low"
    return "In stock", "in"


def addable(product: Product, in_cart: int, quantity: int) -> str | None:
    """Why `quantity` more of `product` cannot go in the cart, or None when it can."""
    if product.stock <= 0:
        return "Sorry, this product is out of stock."
    if in_cart + quantity > product.stock:
        have = f" and you already have {in_cart} in your cart" if in_cart else ""
        return f"Only {product.stock} left{have}."
    return None
