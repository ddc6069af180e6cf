"""`ecomm loadgen` against the real shop: web, lookup and order as processes, on the emulator."""

from __future__ import annotations

import io

from ecomm.loadgen.journey import Mix
from ecomm.loadgen.options import LoadOptions
from ecomm.loadgen.runner import drive
from tests.e2e.conftest import Stack

# Every visit goes straight to checkout, so a few seconds are enough to see orders end.
STRAIGHT_TO_CHECKOUT: Mix = {
    "home": (("search", 1.0),),
    "search": (("product", 1.0),),
    "product": (("add", 1.0),),
    "add": (("checkout", 1.0),),
}


async def test_two_shoppers_browse_buy_and_see_their_orders_end_without_errors(
    stack: Stack,
) -> None:
    options = LoadOptions(
        base_url=stack.web, users=2, duration=6, think_time=0.05, max_requests=2000
    )
    out = io.StringIO()
    report = await drive(
        options, out=out, progress_every=1.0, poll_every=0.2, mix=STRAIGHT_TO_CHECKOUT
    )
    stats = report.stats
    assert stats.errors == 0, stats.error_kinds
    assert stats.orders["confirmed"] + stats.orders["rejected"] >= 1, stats.orders
    for step in ("home", "search", "product", "add_to_cart", "cart", "checkout", "order_page"):
        assert stats.steps[step].count >= 1, step
    assert "req/s" in out.getvalue()
    assert report.elapsed < options.duration + 12
