"""HTTP clients for the web role's peers: lookup (the catalog) and order (order status).

Both share one keep-alive `ClientSession` whose total timeout is `peer_timeout`, so a slow or
down peer becomes `PeerUnavailable` within that bound and the page says so, instead of hanging.
Answers are validated here, at the edge, and turned into plain domain objects.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import Coroutine, Iterator, Mapping
from dataclasses import dataclass
from typing import Any, TypeVar
from urllib.parse import quote

import aiohttp
import structlog
from pydantic import BaseModel, ValidationError

from ecomm.core.contracts.orders import OrderBody
from ecomm.core.contracts.products import (
    MAX_IDS,
    CategoriesAnswer,
    ProductBody,
    ProductsAnswer,
    TrendingAnswer,
    loads,
)
from ecomm.core.contracts.search import WITH_CATEGORIES, SearchAnswer
from ecomm.core.domain.errors import DomainError
from ecomm.core.domain.orders import Order, OrderNotFound
from ecomm.core.domain.products import Product, ProductNotFound

log = structlog.get_logger(__name__)

M = TypeVar("M", bound=BaseModel)
T = TypeVar("T")


class PeerUnavailable(DomainError):
    """A peer timed out, refused the connection, failed, or answered nonsense."""

    def __init__(self, peer: str, detail: str) -> None:
        super().__init__(f"{peer} is unavailable: {detail}")
        self.peer = peer


class PeerRefused(DomainError):
    """A peer answered 400: our request was wrong, and its message says why."""


@dataclass(frozen=True)
class Category:
    name: str
    count: int


@dataclass(frozen=True)
class SearchPage:
    items: list[Product]
    total: int
    page: int
    per_page: int
    suggestion: str | None = None  # other words to search for, when nothing was found
    categories: list[Category] | None = None  # the catalog's, when asked for


class _Peer:
    def __init__(self, name: str, session: aiohttp.ClientSession, base_url: str) -> None:
        self._name = name
        self._session = session
        self._base = base_url.rstrip("/")

    async def _get(
        self, path: str, params: Mapping[str, str] | None = None, *, held: float = 0.0
    ) -> tuple[int, Any]:
        """(status, JSON body) for 2xx/400/404; every other outcome is `PeerUnavailable`.

        `held`: seconds the peer may hold the answer on purpose, added to the timeout."""
        url = f"{self._base}{path}"
        total = self._session.timeout.total
        # The session's own unless held (`timeout=None` would mean no timeout at all).
        timeout = (
            aiohttp.ClientTimeout(total=total + held) if held and total else self._session.timeout
        )
        try:
            async with self._session.get(url, params=params, timeout=timeout) as response:
                if response.status not in (200, 400, 404):
                    raise PeerUnavailable(self._name, f"HTTP {response.status} from {path}")
                body = await response.read()
        except (aiohttp.ClientError, TimeoutError) as exc:
            # TimeoutError: the session's total timeout.
            raise PeerUnavailable(self._name, f"{type(exc).__name__} on {path}") from exc
        try:
            return response.status, loads(body)
        except ValueError as exc:
            raise PeerUnavailable(self._name, f"{type(exc).__name__} on {path}") from exc

    def _parse(self, model: type[M], body: Any) -> M:
        try:
            return model.model_validate(body)
        except ValidationError as exc:
            raise PeerUnavailable(
                self._name, f"unexpected answer: {exc.error_count()} errors"
            ) from exc

    async def healthz(self) -> None:
        status, _ = await self._get("/healthz")
        if status != 200:
            raise PeerUnavailable(self._name, f"/healthz answered {status}")


def _error_message(body: Any) -> str:
    message = body.get("error") if isinstance(body, dict) else None
    if isinstance(message, str):
        return message
    return "the request was not valid"


class LookupClient(_Peer):
    """The catalog, as the lookup service serves it."""

    def __init__(self, session: aiohttp.ClientSession, base_url: str) -> None:
        super().__init__("lookup", session, base_url)

    async def search(
        self, params: Mapping[str, str], *, with_categories: bool = False
    ) -> SearchPage:
        """A page of results; with the catalog's categories too when asked (one call, not two)."""
        wanted = {**params, **WITH_CATEGORIES} if with_categories else params
        status, body = await self._get("/api/products", wanted)
        if status != 200:
            raise PeerRefused(_error_message(body))
        page = self._parse(SearchAnswer, body)
        items = [p.to_domain() for p in page.items]
        categories = None
        if page.categories is not None:
            categories = [Category(c.name, c.count) for c in page.categories]
        return SearchPage(items, page.total, page.page, page.per_page, page.suggestion, categories)

    async def product(self, product_id: str) -> Product:
        status, body = await self._get(f"/api/products/{quote(product_id, safe='')}")
        if status == 404:
            raise ProductNotFound(product_id)
        if status != 200:
            raise PeerRefused(_error_message(body))
        return self._parse(ProductBody, body).to_domain()

    async def products(self, product_ids: list[str]) -> dict[str, Product]:
        """The products that exist among `product_ids`, a hundred to a call."""
        wanted = list(dict.fromkeys(product_ids))
        found: dict[str, Product] = {}
        for start in range(0, len(wanted), MAX_IDS):
            ids = ",".join(wanted[start : start + MAX_IDS])
            status, body = await self._get("/api/products", {"ids": ids})
            if status != 200:
                raise PeerRefused(_error_message(body))
            for item in self._parse(ProductsAnswer, body).items:
                found[item.productID] = item.to_domain()
        return found

    async def categories(self) -> list[Category]:
        _, body = await self._get("/api/categories")
        return [Category(c.name, c.count) for c in self._parse(CategoriesAnswer, body).categories]

    async def featured(self) -> list[Product]:
        """In-stock products across the categories, for the home page."""
        return await self._shelf("/api/featured")

    async def best_sellers(self) -> list[Product]:
        """The in-stock products that sold most; none until something sold."""
        return await self._shelf("/api/bestsellers")

    async def _shelf(self, path: str) -> list[Product]:
        status, body = await self._get(path)
        if status != 200:
            raise PeerRefused(_error_message(body))
        return [p.to_domain() for p in self._parse(ProductsAnswer, body).items]

    async def trending(self) -> list[str]:
        status, body = await self._get("/api/trending")
        if status != 200:
            return []
        return [t.query for t in self._parse(TrendingAnswer, body).items]


class OrderClient(_Peer):
    """Order status, as the order service records it."""

    def __init__(self, session: aiohttp.ClientSession, base_url: str) -> None:
        super().__init__("order", session, base_url)

    async def order(self, order_id: str, *, wait: float = 0.0) -> Order:
        """The order; `wait` > 0: held until a pending order is decided, at most that long."""
        path = f"/api/orders/{quote(order_id, safe='')}"
        params = {"wait": f"{wait:g}"} if wait else None
        status, body = await self._get(path, params, held=wait)
        if status == 404:
            raise OrderNotFound(order_id)
        if status != 200:
            raise PeerRefused(_error_message(body))
        return self._parse(OrderBody, body).to_domain()


@contextlib.contextmanager
def first_failure() -> Iterator[None]:
    """Around a `TaskGroup`: raise the first failure itself, not the group that wraps it.

    The error middleware then turns a `PeerUnavailable` into the 503 page as usual.
    """
    try:
        yield
    except BaseExceptionGroup as failed:
        raise failed.exceptions[0] from None


async def gather_or_raise(coros: list[Coroutine[Any, Any, T]]) -> list[T]:
    """Run concurrently; on the first failure cancel the rest and raise that failure."""
    with first_failure():
        async with asyncio.TaskGroup() as group:
            tasks = [group.create_task(c) for c in coros]
    return [t.result() for t in tasks]
