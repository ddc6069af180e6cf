"""A shopper's visit: a random walk over the shop's pages, with think time between steps.

    home ─┬─> search ─┬─> product ─┬─> add to cart ─┬─> checkout ─> order status until final
          │     ↑ ↺   │            │                └─> search / leave
          └─> product └─> leave    └─> search / leave

Each visit starts with no cookies, like a new shopper, so every run also exercises the CSRF
cookie being issued. The walk is driven by a seeded `random.Random`, so a run is repeatable.
"""

from __future__ import annotations

import json
import random
import time
from collections.abc import Mapping

from ecomm.loadgen.client import Page, RateLimited, ShopClient, VisitEnded
from ecomm.loadgen.pages import form_fields, product_ids
from ecomm.loadgen.stats import Stats
from ecomm.loadgen.words import search_term

# state -> (next state, probability); every row sums to 1. Checkout always ends the visit.
Mix = Mapping[str, tuple[tuple[str, float], ...]]
MIX: Mix = {
    "home": (("search", 0.85), ("product", 0.10), ("leave", 0.05)),
    "search": (("product", 0.60), ("search", 0.25), ("leave", 0.15)),
    "product": (("add", 0.30), ("search", 0.50), ("leave", 0.20)),
    "add": (("checkout", 0.50), ("search", 0.40), ("leave", 0.10)),
}
MAX_STEPS_PER_VISIT = 40
MAX_THINK_FACTOR = 10  # an exponential pause is capped at ten times its mean
CHECKOUT_ATTEMPTS = 3
ORDER_WAIT = 60.0  # how long a shopper watches an order before calling it unfinished
# Where simulated shoppers ship to: the checkout form's address fields, filled as a person would.
SHIPPING_ADDRESS = {
    "line1": "1 Load Test Lane",
    "city": "Springfield",
    "region": "OR",
    "postal_code": "97477",
    "country": "US",
}


def next_state(state: str, rng: random.Random, mix: Mix = MIX) -> str:
    roll = rng.random()
    edges = mix[state]
    for target, probability in edges:
        roll -= probability
        if roll < 0:
            return target
    return edges[-1][0]


def think_time(rng: random.Random, mean: float) -> float:
    """Exponential with the given mean, capped at `MAX_THINK_FACTOR` times it; 0 for mean 0."""
    if mean <= 0:
        return 0.0
    return min(rng.expovariate(1 / mean), mean * MAX_THINK_FACTOR)


class Shopper:
    def __init__(
        self,
        number: int,
        client: ShopClient,
        stats: Stats,
        rng: random.Random,
        words: list[str],
        *,
        think_mean: float,
        poll_every: float = 1.0,
        mix: Mix = MIX,
    ) -> None:
        self._number = number
        self._client = client
        self._stats = stats
        self._rng = rng
        self._words = words
        self._think_mean = think_mean
        self._poll_every = poll_every
        self._mix = mix

    async def run(self) -> None:
        """Visit after visit until the run's budget ends."""
        budget = self._client.budget
        while not budget.stopped.is_set():
            try:
                await self.visit()
                await self._think()
            except VisitEnded:
                if budget.stopped.is_set():
                    return
                # An error ended the visit; a real shopper would come back a little later.
                try:
                    await self._think()
                except VisitEnded:
                    return

    async def _think(self) -> None:
        await self._client.budget.sleep(think_time(self._rng, self._think_mean))

    async def visit(self) -> None:
        self._client.forget_cookies()
        page = await self._client.get("home", "/")
        state = "home"
        for _ in range(MAX_STEPS_PER_VISIT):
            state = next_state(state, self._rng, self._mix)
            if state == "leave":
                return
            await self._think()
            if state == "search":
                page = await self._search()
            elif state == "product":
                found = await self._product(page)
                if found is None:
                    state = "search"  # nothing to open: search again
                else:
                    page = found
            elif state == "add":
                added = await self._add_to_cart(page)
                if added is None:
                    state = "search"  # sold out, or gone meanwhile: look for something else
                else:
                    page = added
            elif state == "checkout":
                await self._checkout()
                return

    async def _search(self) -> Page:
        term = search_term(self._words, self._rng)
        return await self._client.get("search", f"/search?q={term.replace(' ', '+')}")

    async def _product(self, listing: Page) -> Page | None:
        ids = product_ids(listing.text)
        if not ids:
            return None
        # People open the first results far more often than the last ones.
        index = min(int(self._rng.expovariate(1 / 3)), len(ids) - 1)
        return await self._client.get("product", f"/products/{ids[index]}")

    async def _add_to_cart(self, product_page: Page) -> Page | None:
        fields = form_fields(product_page.text, "/cart/items")
        if fields is None or "product_id" not in fields:
            return None
        form = {**fields, "quantity": "1"}
        # 400: the stock ran out between the page and the click; the page says so.
        answer = await self._client.post("add_to_cart", "/cart/items", form, expect=(303, 400))
        if answer.status == 400:
            return None
        return await self._client.follow("cart", answer)

    async def _checkout(self) -> None:
        page = await self._client.get("checkout_form", "/checkout")
        fields = form_fields(page.text, "/checkout") or {}
        form = {
            **fields,
            **SHIPPING_ADDRESS,
            "name": f"Load Shopper {self._number}",
            "email": f"shopper{self._number}@example.com",
        }
        for attempt in range(CHECKOUT_ATTEMPTS):
            try:
                # 409: a line can no longer be ordered as it is (stock changed meanwhile).
                answer = await self._client.post(
                    "checkout", "/checkout", form, expect=(303, 409), limitable=True
                )
                break
            except RateLimited as limited:
                if attempt == CHECKOUT_ATTEMPTS - 1:
                    self._stats.orders["given up (rate limited)"] += 1
                    return
                await self._client.budget.sleep(limited.retry_after)
        if answer.status == 409:
            self._stats.orders["refused at checkout"] += 1
            return
        order_page = await self._client.follow("order_page", answer)
        await self._follow_order(answer.location or "", order_page)

    async def _follow_order(self, order_path: str, order_page: Page) -> None:
        """Poll the status JSON, as the page's script does, until the order is final."""
        path = self._client.same_origin_path(order_path) or ""
        status_path = f"{path.rstrip('/')}/status.json"
        until = time.monotonic() + ORDER_WAIT
        if 'data-status="PENDING"' not in order_page.text:
            status_json = await self._client.get("order_status", status_path)
            self._stats.orders[_final_status(status_json) or "unknown"] += 1
            return
        try:
            while time.monotonic() < until:
                await self._client.budget.sleep(self._poll_every)
                answer = await self._client.get("order_status", status_path)
                final = _final_status(answer)
                if final:
                    self._stats.orders[final] += 1
                    return
        except VisitEnded:
            self._stats.orders["unfinished"] += 1
            raise
        self._stats.orders["unfinished"] += 1


def _final_status(page: Page) -> str | None:
    """ "confirmed" / "rejected" once the status JSON says the order is final, else None."""
    try:
        body = json.loads(page.text)
    except ValueError:
        return None
    if isinstance(body, dict) and body.get("final"):
        return str(body.get("status", "")).lower() or None
    return None
