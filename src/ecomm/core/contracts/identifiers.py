"""The shapes of the identifiers that travel in URLs, cookies, forms and events.

Always matched whole (`fullmatch`): `re.match(r"^...$")` accepts a trailing newline, which then
fails somewhere deeper instead of at the edge.
"""

from __future__ import annotations

import re

MAX_ID_LENGTH = 128
PRODUCT_ID = re.compile(r"[A-Za-z0-9._-]{1,128}")
ORDER_ID = re.compile(r"[A-Za-z0-9_-]{1,128}")


def is_product_id(value: object) -> bool:
    return isinstance(value, str) and PRODUCT_ID.fullmatch(value) is not None


def is_order_id(value: object) -> bool:
    return isinstance(value, str) and ORDER_ID.fullmatch(value) is not None
