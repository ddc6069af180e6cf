"""The shipping address on the checkout form: read, and one clear message per field to fix.

The rules are the event contract's (`core/contracts/customer_text.py`, `countries.py`), so an
address this form accepts is one the OrderPlaced event carries.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

from pydantic import ValidationError

from ecomm.core.contracts.countries import COUNTRIES
from ecomm.core.contracts.customer_text import (
    MAX_ADDRESS_LINE,
    MAX_CITY,
    MAX_POSTAL_CODE,
    clean_customer_text,
)
from ecomm.core.contracts.events import AddressData

# form field -> (AddressData field, longest, message when empty; None: optional)
FIELDS: dict[str, tuple[str, int, str | None]] = {
    "line1": ("line1", MAX_ADDRESS_LINE, "Please enter your street address."),
    "line2": ("line2", MAX_ADDRESS_LINE, None),
    "city": ("city", MAX_CITY, "Please enter your town or city."),
    "region": ("region", MAX_CITY, None),
    "postal_code": ("postalCode", MAX_POSTAL_CODE, "Please enter your postal code."),
}


@dataclass(frozen=True)
class AddressForm:
    values: dict[str, str] = field(default_factory=dict)
    errors: dict[str, str] = field(default_factory=dict)

    def value(self, name: str) -> str:
        return self.values.get(name, "")

    def address(self) -> AddressData | None:
        if self.errors:
            return None
        wire = {FIELDS[name][0]: self.values[name] for name in FIELDS}
        return AddressData(**wire, country=self.values["country"])


def read_address(form: Mapping[str, str]) -> AddressForm:
    values: dict[str, str] = {}
    errors: dict[str, str] = {}
    for name, (_, longest, if_empty) in FIELDS.items():
        text = " ".join(form.get(name, "").split())
        values[name] = text[: longest + 50]
        problem = _problem(text, longest, if_empty)
        if problem:
            errors[name] = problem
    if "postal_code" not in errors and not _postal(values["postal_code"]):
        errors["postal_code"] = "A postal code has only letters, digits, spaces and dashes."
    country = form.get("country", "").strip()
    values["country"] = country if country in COUNTRIES else ""
    if not values["country"]:
        errors["country"] = "Please choose your country."
    address = AddressForm(values, errors)
    if not errors:
        try:
            address.address()
        except ValidationError:  # the contract refuses what the checks above let through
            return AddressForm(values, {"line1": "Please check your address."})
    return address


def _problem(text: str, longest: int, if_empty: str | None) -> str | None:
    if not text:
        return if_empty
    if len(text) > longest:
        return f"Please shorten this to {longest} characters."
    try:
        clean_customer_text(text, max_length=longest)
    except ValueError:
        return "Please use only letters, digits, spaces and punctuation."
    return None


def _postal(text: str) -> bool:
    return all(c.isascii() and (c.isalnum() or c in " -") for c in text)
