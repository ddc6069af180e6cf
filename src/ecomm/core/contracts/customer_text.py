"""What a customer types, as every wire format carries it: one rule for names, addresses, emails.

Text is trimmed and runs of spaces made one; text with a control or invisible formatting
character is refused, so a name cannot show one thing and say another. The web's forms and the
event contract apply the same rule (`clean_customer_text`), so what a form accepts, an event
carries.
"""

from __future__ import annotations

import unicodedata
from typing import Annotated

from pydantic import AfterValidator, BeforeValidator, EmailStr, Field

from ecomm.core.contracts.countries import is_country
from ecomm.core.domain.lifecycle import MAX_REASON

MAX_CUSTOMER_NAME = 200
MAX_EMAIL = 254  # RFC 5321: the longest address a mail server accepts
MAX_ADDRESS_LINE = 200
MAX_CITY = 100
MAX_POSTAL_CODE = 16  # the longest in use is 10; room for spaces and dashes typed


# Controls (Cc), format characters (Cf: the bidi overrides U+202A..U+202E and isolates
# U+2066..U+2069 among them), lone surrogates (Cs) and line or paragraph separators: with them a
# name shows one thing and says another, or breaks the line it is printed on.
_REFUSED_CATEGORIES = frozenset({"Cc", "Cf", "Cs", "Zl", "Zp"})
# Except the two joiners (Cf): Persian, Hindi and other scripts spell ordinary names with them.
_JOINERS = frozenset({"\u200c", "\u200d"})


def clean_customer_text(value: str, *, max_length: int = MAX_CUSTOMER_NAME) -> str:
    """What a customer typed, trimmed and with runs of spaces made one, if acceptable.

    Raises `ValueError`, whose message completes "Your name ...", when it is empty, longer than
    `max_length`, or holds a control or invisible formatting character.
    """
    for char in value:
        if unicodedata.category(char) in _REFUSED_CATEGORIES and char not in _JOINERS:
            raise ValueError(
                f"must not contain the control or formatting character U+{ord(char):04X}"
            )
    cleaned = " ".join(value.split())
    if not cleaned:
        raise ValueError("must not be empty")
    if len(cleaned) > max_length:
        raise ValueError(f"must be at most {max_length} characters long")
    return cleaned


def _bounded_email(value: object) -> object:
    # Before the address is parsed: EmailStr checks its length only afterwards.
    if isinstance(value, str) and len(value) > MAX_EMAIL:
        raise ValueError(f"an email address is at most {MAX_EMAIL} characters long")
    return value


def _cleaned(max_length: int, *, optional: bool = False) -> AfterValidator:
    def clean(value: str) -> str:
        if optional and not value.strip():
            return ""
        return clean_customer_text(value, max_length=max_length)

    return AfterValidator(clean)


def _known_country(value: str) -> str:
    if not is_country(value):
        raise ValueError("must be an ISO 3166-1 alpha-2 country code, like US")
    return value


def _postal_code(value: str) -> str:
    if not all(c.isascii() and (c.isalnum() or c in " -") for c in value):
        raise ValueError("must hold only letters, digits, spaces and dashes")
    return value


# Bounded before cleaning too: a bound checked only afterwards would let a megabyte through the
# cleaning first.
CustomerName = Annotated[
    str, Field(min_length=1, max_length=MAX_CUSTOMER_NAME), _cleaned(MAX_CUSTOMER_NAME)
]
CustomerEmail = Annotated[EmailStr, BeforeValidator(_bounded_email)]
AddressLine = Annotated[
    str, Field(min_length=1, max_length=MAX_ADDRESS_LINE), _cleaned(MAX_ADDRESS_LINE)
]
OptionalAddressLine = Annotated[
    str, Field(max_length=MAX_ADDRESS_LINE), _cleaned(MAX_ADDRESS_LINE, optional=True)
]
City = Annotated[str, Field(min_length=1, max_length=MAX_CITY), _cleaned(MAX_CITY)]
OptionalRegion = Annotated[str, Field(max_length=MAX_CITY), _cleaned(MAX_CITY, optional=True)]
PostalCode = Annotated[
    str,
    Field(min_length=1, max_length=MAX_POSTAL_CODE),
    _cleaned(MAX_POSTAL_CODE),
    AfterValidator(_postal_code),
]
CountryCode = Annotated[str, Field(min_length=2, max_length=2), AfterValidator(_known_country)]
# Why an order was cancelled, shipped or delivered: typed by an operator, shown to the shopper.
StatusReason = Annotated[str, Field(max_length=MAX_REASON), _cleaned(MAX_REASON, optional=True)]
