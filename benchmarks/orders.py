"""Orders end to end through the web checkout: placed (OrderPlaced published) → final.

Each of `shoppers` closed-loop shoppers does what a browser does: open a product page, add it to
the cart (with the form's CSRF token), open checkout, post it, follow the redirect to the order's
page, and ask its status JSON until it is final. Latency runs from posting checkout to the first
answer that says CONFIRMED (or REJECTED). The order page and the status JSON of a pending order
wait for the decision (up to a second), so they answer when it is made; an order the order
service decided in that process costs it no read, and the AWS call count shows any as `GetItem`.
"""

from __future__ import annotations

import asyncio
import json
import random
import time
from dataclasses import dataclass, field

import aiohttp

from benchmarks.stats import percentile
from ecomm.loadgen.journey import SHIPPING_ADDRESS
from ecomm.loadgen.pages import form_fields

ORDER_WAIT = 30.0


@dataclass
class OrdersResult:
    seconds: float
    latencies: list[float] = field(default_factory=list)
    outcomes: dict[str, int] = field(default_factory=dict)
    errors: list[str] = field(default_factory=list)

    @property
    def final(self) -> int:
        return self.outcomes.get("confirmed", 0) + self.outcomes.get("rejected", 0)

    @property
    def confirmed(self) -> int:
        return self.outcomes.get("confirmed", 0)

    @property
    def per_second(self) -> float:
        return len(self.latencies) / self.seconds if self.seconds else 0.0

    @property
    def p50(self) -> float:
        return percentile(self.latencies, 0.5)

    @property
    def p99(self) -> float:
        return percentile(self.latencies, 0.99)


class _Failed(Exception):
    pass


async def _expect(response: aiohttp.ClientResponse, status: int, what: str) -> str:
    text = await response.text()
    if response.status != status:
        raise _Failed(f"{what}: HTTP {response.status}")
    return text


async def _one_order(
    session: aiohttp.ClientSession, base: str, product_id: str, poll_every: float
) -> tuple[str, float] | None:
    """(final status, seconds from checkout to final); None when the product was sold out."""
    session.cookie_jar.clear()
    async with session.get(f"{base}/products/{product_id}") as r:
        fields = form_fields(await _expect(r, 200, "product page"), "/cart/items")
    if fields is None:
        return None
    async with session.post(
        f"{base}/cart/items", data={**fields, "quantity": "1"}, allow_redirects=False
    ) as r:
        if r.status == 400:  # sold out since the page was drawn
            return None
        await _expect(r, 303, "add to cart")
    async with session.get(f"{base}/checkout", allow_redirects=False) as r:
        fields = form_fields(await _expect(r, 200, "checkout form"), "/checkout") or {}
    form = {**fields, **SHIPPING_ADDRESS, "name": "Bench Shopper", "email": "bench@example.com"}
    placed = time.perf_counter()
    async with session.post(f"{base}/checkout", data=form, allow_redirects=False) as r:
        await _expect(r, 303, "checkout")
        location = r.headers["Location"]
    if not location.startswith("/orders/"):
        raise _Failed(f"checkout redirected to {location!r}")
    async with session.get(f"{base}{location}") as r:
        await _expect(r, 200, "order page")
    while time.perf_counter() - placed < ORDER_WAIT:
        await asyncio.sleep(poll_every)
        async with session.get(f"{base}{location}/status.json") as r:
            body = json.loads(await _expect(r, 200, "order status"))
        if body.get("final"):
            return str(body["status"]).lower(), time.perf_counter() - placed
    return "unfinished", time.perf_counter() - placed


async def drive_orders(
    base: str,
    product_ids: list[str],
    *,
    shoppers: int = 8,
    duration: float = 20.0,
    poll_every: float = 0.0,
    seed: int = 7,
) -> OrdersResult:
    """Place orders for `duration` s; orders placed before the end are followed to the end."""
    if not base.startswith("http://127.0.0.1:"):
        raise ValueError("the orders benchmark only drives a shop on 127.0.0.1")
    result = OrdersResult(seconds=duration)
    end = time.perf_counter() + duration
    connector = aiohttp.TCPConnector(limit=shoppers * 2)
    timeout = aiohttp.ClientTimeout(total=10)

    async def shopper(n: int) -> None:
        rng = random.Random(f"{seed}:{n}")
        jar = aiohttp.CookieJar(unsafe=True)
        async with aiohttp.ClientSession(
            connector=connector, connector_owner=False, cookie_jar=jar, timeout=timeout
        ) as session:
            while time.perf_counter() < end:
                try:
                    outcome = await _one_order(session, base, rng.choice(product_ids), poll_every)
                except (_Failed, aiohttp.ClientError, TimeoutError, KeyError, ValueError) as exc:
                    result.errors.append(f"{type(exc).__name__}: {exc}")
                    await asyncio.sleep(0.1)
                    continue
                if outcome is None:
                    continue
                status, seconds = outcome
                result.outcomes[status] = result.outcomes.get(status, 0) + 1
                if status != "unfinished" and time.perf_counter() <= end:
                    result.latencies.append(seconds)

    try:
        await asyncio.gather(*(shopper(n) for n in range(shoppers)))
    finally:
        await connector.close()
    return result
