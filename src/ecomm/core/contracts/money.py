"""Money on the wire: a decimal string (`"19.99"`), in events and in the order API alike.

Never a JSON number: a reader that takes numbers as floats (most do) would hold `0.1 + 0.2`
inexactly, and a writer could print `1e2`. The string is read strictly (digits, an optional
point and at most four decimals, no sign, no exponent) straight into a `Decimal`, and written
from the `Decimal` without an exponent. A float, even a whole one, is refused: it means the
sender computed money in floating point.
"""

from __future__ import annotations

import re
from decimal import Decimal
from typing import Annotated

from pydantic import Field, PlainSerializer, PlainValidator

MAX_AMOUNT_DIGITS = 12  # before the point: a trillion minor units of any currency
_AMOUNT = re.compile(rf"(0|[1-9][0-9]{{0,{MAX_AMOUNT_DIGITS - 1}}})(\.[0-9]{{1,4}})?")


def amount_text(value: Decimal) -> str:
    """`value` as the wire writes it: `"19.99"`, never `"1.999E+1"`."""
    return f"{value:f}"


def read_amount(value: object) -> Decimal:
    """An amount from the wire; `ValueError` for anything but a bounded decimal string."""
    if isinstance(value, Decimal) and value.is_finite():
        value = amount_text(value)  # built in Python, not read: same rule
    if not isinstance(value, str):
        raise ValueError('an amount is a decimal string, like "19.99"')
    if _AMOUNT.fullmatch(value) is None:
        raise ValueError('an amount is a decimal string, like "19.99", at most 4 decimals')
    return Decimal(value)


Amount = Annotated[
    Decimal, PlainValidator(read_amount), PlainSerializer(amount_text, return_type=str)
]
CurrencyCode = Annotated[str, Field(pattern=r"^[A-Z]{3}$")]
