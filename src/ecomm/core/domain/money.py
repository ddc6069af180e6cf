"""Money: `Decimal` amounts in a currency, rounded to its minor unit by one rule. Never a float.

The rules an order's totals follow, in this order:

    line total = unit price x quantity, rounded half up to the currency's minor unit (cents)
    subtotal   = the sum of the line totals (exact: each is already in minor units)
    shipping   = the shop's `ShippingRule` applied to the subtotal
    total      = subtotal + shipping

Rounding happens once, per line, so the lines a receipt shows always add up to its subtotal.
A catalog price has at most two decimals today, so the line rounding changes nothing; it is
there so a price of more decimals could never make a total that the lines do not explain.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

from ecomm.core.domain.errors import DomainError

ZERO = Decimal(0)


class UnknownCurrency(DomainError, ValueError):
    def __init__(self, code: str) -> None:
        super().__init__(f"unknown currency {code[:8]!r}; one of {', '.join(sorted(CURRENCIES))}")


@dataclass(frozen=True)
class Currency:
    code: str  # ISO 4217
    exponent: int  # digits of its minor unit: 2 for cents, 0 for the yen
    symbol: str = ""  # written before the amount; without one, the code goes after it

    @property
    def quantum(self) -> Decimal:
        return Decimal(1).scaleb(-self.exponent)

    def round(self, amount: Decimal) -> Decimal:
        """`amount` in whole minor units, halves rounded away from zero (as a till does)."""
        return amount.quantize(self.quantum, rounding=ROUND_HALF_UP)

    def is_exact(self, amount: Decimal) -> bool:
        """True when `amount` is a whole number of minor units (no rounding would change it)."""
        return amount.is_finite() and amount == self.round(amount)

    def to_minor(self, amount: Decimal) -> int:
        return int(self.round(amount).scaleb(self.exponent))

    def from_minor(self, minor: int) -> Decimal:
        return Decimal(minor).scaleb(-self.exponent)

    def format(self, amount: Decimal) -> str:
        """`$1,234.50`, or `1,234.50 CHF` for a currency without a symbol here."""
        digits = f"{self.round(amount):,.{self.exponent}f}"
        return f"{self.symbol}{digits}" if self.symbol else f"{digits} {self.code}"


CURRENCIES: dict[str, Currency] = {
    c.code: c
    for c in (
        Currency("USD", 2, "$"),
        Currency("EUR", 2, "€"),
        Currency("GBP", 2, "£"),
        Currency("JPY", 0, "¥"),
        Currency("CAD", 2, "CA$"),
        Currency("AUD", 2, "A$"),
        Currency("CHF", 2),
        Currency("SEK", 2),
    )
}


def currency_of(code: str) -> Currency:
    """The currency with ISO 4217 code `code`; `UnknownCurrency` for one the shop does not know."""
    try:
        return CURRENCIES[code]
    except KeyError:
        raise UnknownCurrency(code) from None


def line_total(unit_price: Decimal, quantity: int, currency: Currency) -> Decimal:
    return currency.round(unit_price * quantity)


@dataclass(frozen=True)
class ShippingRule:
    """Shipping costs `flat_fee`, and nothing once the subtotal reaches `free_from` (None: never
    free). Both are amounts of the shop's currency (ECOMM_SHIPPING_FLAT_FEE,
    ECOMM_FREE_SHIPPING_FROM)."""

    flat_fee: Decimal
    free_from: Decimal | None = None

    def cost(self, subtotal: Decimal) -> Decimal:
        if self.free_from is not None and subtotal >= self.free_from:
            return ZERO
        return self.flat_fee


@dataclass(frozen=True)
class Totals:
    subtotal: Decimal
    shipping: Decimal
    total: Decimal


def totals(line_totals: Iterable[Decimal], rule: ShippingRule, currency: Currency) -> Totals:
    """Subtotal, shipping and total of lines whose totals are already rounded (`line_total`)."""
    subtotal = currency.round(sum(line_totals, ZERO))  # exact; gives "0.00" its exponent
    shipping = currency.round(rule.cost(subtotal))
    return Totals(subtotal, shipping, subtotal + shipping)
