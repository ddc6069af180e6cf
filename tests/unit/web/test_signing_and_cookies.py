"""Signed cookie values: the cart, the order list and CSRF tokens cannot be forged or swapped."""

from __future__ import annotations

import json
import zlib
from collections.abc import Callable

import pytest
from hypothesis import given
from hypothesis import strategies as st

from ecomm.core.domain.orders import MAX_LINE_QUANTITY, MAX_ORDER_LINES
from ecomm.roles.web.cart import Cart, CartCodec
from ecomm.roles.web.csrf import CsrfTokens
from ecomm.roles.web.order_history import (
    MAX_REMEMBERED,
    PENDING_FOR,
    OrderHistoryCodec,
    Placed,
    remember,
)
from ecomm.roles.web.signing import Signer

carts = st.dictionaries(
    st.from_regex(r"[A-Za-z0-9._-]{1,40}", fullmatch=True),
    st.integers(min_value=1, max_value=MAX_LINE_QUANTITY),
    max_size=20,
)


def test_a_signed_value_verifies_only_for_its_own_secret_and_purpose() -> None:
    value = Signer("s3cret", "cart").sign(b"payload")
    assert Signer("s3cret", "cart").verify(value) == b"payload"
    assert Signer("other", "cart").verify(value) is None
    assert Signer("s3cret", "orders").verify(value) is None


def test_malformed_values_do_not_verify() -> None:
    signer = Signer("s3cret", "cart")
    for value in [None, "", "no-dot", "a.b.c", "é.é", "!!!.???"]:
        assert signer.verify(value) is None


@given(carts)
def test_a_cart_survives_its_cookie(lines: dict[str, int]) -> None:
    codec = CartCodec("s3cret")
    assert codec.decode(codec.encode(Cart(lines))) == Cart(lines)


def test_a_signed_cart_with_impossible_lines_is_emptied() -> None:
    signer = Signer("s3cret", "cart")
    for raw in [b'[["p1",0]]', b'[["p1",true]]', b'{"p1":1}', b'[["",1]]', b"not json"]:
        forged = signer.sign(zlib.compress(raw))
        assert CartCodec("s3cret").decode(forged) == Cart()


def test_a_full_cart_of_long_ids_still_fits_a_cookie() -> None:
    lines = {f"{n:032x}": MAX_LINE_QUANTITY for n in range(MAX_ORDER_LINES)}
    assert len(CartCodec("s3cret").encode(Cart(lines))) < 3800


def test_order_history_keeps_the_newest_orders_first_without_duplicates() -> None:
    history: list[Placed] = []
    for n in range(MAX_REMEMBERED + 5):
        history = remember(history, f"order{n}", 1_000 + n)
    history = remember(history, "order10", 5_000)
    assert history[0] == Placed("order10", 1_010)  # placed again: still when it was first placed
    assert len(history) == MAX_REMEMBERED
    assert len({p.order_id for p in history}) == len(history)
    codec = OrderHistoryCodec("s3cret")
    assert codec.decode(codec.encode(history)) == history
    assert codec.decode("tampered.value") == []


def test_an_order_may_be_pending_only_for_a_while_after_it_was_placed() -> None:
    placed = Placed("o1", 1_000)
    assert placed.may_be_pending(1_000)
    assert placed.may_be_pending(1_000 + PENDING_FOR)
    assert not placed.may_be_pending(1_000 + PENDING_FOR + 1)
    assert not Placed("o1", None).may_be_pending(1_000)


def test_a_history_cookie_from_before_placing_times_still_reads() -> None:
    old = Signer("s3cret", "orders").sign(json.dumps(["order1", "order2"]).encode())
    assert OrderHistoryCodec("s3cret").decode(old) == [Placed("order1"), Placed("order2")]


def test_csrf_tokens_are_random_and_signed() -> None:
    tokens = CsrfTokens("s3cret")
    first, second = tokens.new(), tokens.new()
    assert first != second
    assert tokens.is_ours(first)
    assert not tokens.is_ours(CsrfTokens("other").new())
    assert not tokens.is_ours(None)


@given(st.text(max_size=5000))
def test_any_cookie_value_at_all_is_read_as_ours_or_absent_never_an_error(value: str) -> None:
    codec = CartCodec("s3cret")
    assert codec.decode(value) == Cart()
    assert OrderHistoryCodec("s3cret").decode(value) == []
    assert not CsrfTokens("s3cret").is_ours(value)


@pytest.mark.parametrize(
    "tamper",
    [
        lambda v: v[:-1] + "\u00e9",  # a non-ASCII signature once raised TypeError: every page 500
        lambda v: "\u00e9" + v,
        lambda v: v + "." + v,
        lambda v: v + "A" * 5000,
        lambda v: v.replace(".", "\u2024"),
    ],
)
def test_a_tampered_cookie_is_absent(tamper: Callable[[str], str]) -> None:
    codec = CartCodec("s3cret")
    value = codec.encode(Cart({"p1": 2}))
    assert codec.decode(value) == Cart({"p1": 2})
    assert codec.parse(tamper(value)) is None


def test_a_value_signed_for_another_purpose_is_not_ours() -> None:
    history = OrderHistoryCodec("s3cret").encode([Placed("order1", 1)])
    assert CartCodec("s3cret").parse(history) is None
    assert not CsrfTokens("s3cret").is_ours(history)
