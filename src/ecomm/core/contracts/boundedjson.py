"""`json.loads` with bounds, for text from outside: what it cannot read raises `UnreadableJson`.

The standard parser takes any length, recurses once per level of nesting (a body of 100,000
`[` raises `RecursionError`), converts integers of any length (4,300 digits and more raise a
`ValueError`, fewer still cost time), reads `NaN` and `Infinity`, rounds long decimals silently
to a float, and lets a `\\ud800` escape make a string that UTF-8 cannot carry. Here each of those
is refused by the parser's hooks or by one walk of the result, with a sentence saying which.
"""

from __future__ import annotations

import json
import math
from typing import Any

MAX_INT_CHARS = 20  # any 64-bit integer, sign included
MAX_FLOAT_CHARS = 32
FLOAT_DIGITS = 15  # a float holds every decimal of 15 significant digits exactly (DBL_DIG)


class UnreadableJson(ValueError):
    """Text that is not JSON, or JSON beyond the bounds."""


def bounded_loads(text: object, *, max_chars: int, max_depth: int) -> Any:
    """The value `text` holds, if it is JSON within `max_chars` and `max_depth` levels."""
    if not isinstance(text, str):
        raise UnreadableJson(f"{type(text).__name__}, not text")
    if len(text) > max_chars:
        raise UnreadableJson(f"{len(text)} characters, more than {max_chars}")
    try:
        value = json.loads(text, parse_int=_integer, parse_float=_decimal, parse_constant=_constant)
    except RecursionError as exc:
        raise UnreadableJson(f"nested deeper than {max_depth} levels") from exc
    except UnreadableJson:
        raise
    except ValueError as exc:  # JSONDecodeError among them
        raise UnreadableJson(f"not JSON: {exc}") from exc
    _check_tree(value, max_depth)
    return value


def _integer(text: str) -> int:
    if len(text) > MAX_INT_CHARS:
        raise UnreadableJson(f"a number of {len(text)} digits")
    return int(text)


def _decimal(text: str) -> float:
    digits = text.lower().partition("e")[0].lstrip("-").replace(".", "").strip("0")
    if len(text) > MAX_FLOAT_CHARS or len(digits) > FLOAT_DIGITS:
        raise UnreadableJson(f"a number with more than {FLOAT_DIGITS} digits: {text[:40]}")
    value = float(text)
    if not math.isfinite(value):
        raise UnreadableJson(f"a number too large: {text}")
    return value


def _constant(name: str) -> float:
    raise UnreadableJson(f"{name} is not a number")


def _check_tree(value: Any, max_depth: int) -> None:
    """Refuse nesting deeper than `max_depth` and text UTF-8 cannot carry (a lone surrogate)."""
    pending: list[tuple[Any, int]] = [(value, 1)]
    while pending:
        item, depth = pending.pop()
        if isinstance(item, str):
            if not item.isascii():
                try:
                    item.encode()
                except UnicodeEncodeError as exc:
                    raise UnreadableJson(f"text that is not Unicode: {exc.reason}") from exc
            continue
        if isinstance(item, dict):
            children: list[Any] = [*item, *item.values()]
        elif isinstance(item, list):
            children = item
        else:
            continue
        if depth > max_depth:
            raise UnreadableJson(f"nested deeper than {max_depth} levels")
        pending.extend((child, depth + 1) for child in children)
