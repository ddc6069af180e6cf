"""One page of a search, in an order that is total and the same however the index is laid out.

Tantivy orders hits by one thing: the score, or one fast field. Among hits that tie on it, it
keeps the order of their place in the index, which moves as products are updated and segments
merge, and differs between two tasks that loaded the same catalog. So the ties a page cuts
through are settled here, the shop's way: relevance ties by product id, price ties by folded
name then id. Names are ordered by integers made of their first characters (`name_order`), and
the names those tie are compared here.

Tantivy is asked for the page and a few hundred hits more, so that a tie at the page's end is
usually seen whole; if not, for more, until it ends. Only the ties the page cuts through are
sorted here: whatever comes before them certainly comes before the page. A tie too large to
fetch whole is left to tantivy: on score, in the index's order (stable while the index does
not change, so pages still neither repeat nor skip); on a name's head, searched again within
the tie, ordered by the name's tail.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from operator import itemgetter
from typing import Any

import tantivy

from ecomm.core.domain.products import Product
from ecomm.core.domain.search import Sort
from ecomm.roles.lookup.engine_query import KEY, NAME_HEAD, NAME_TAIL, PRICE
from ecomm.roles.lookup.engine_text import fold

# Hits fetched past the page, so that a tie at its end is usually seen whole at once: asking
# tantivy for a few hundred more costs far less than asking again.
LOOK_AHEAD = 512
_GROWTH = 4  # when a tie goes on past what was fetched, ask for this many times more
# Larger ties on score keep the index's order: a word that every product of a large category
# matches, or one matched only through a typo, ties thousands of products.
SCORE_TIE_LIMIT = 256

Hit = tuple[Any, tantivy.DocAddress]


# The total order's keys, smallest first, for hits' order values and their products; each key
# ends with the product id, so no two are equal.
ExactKeys = Callable[[Sequence[Any], Sequence[Product]], list[tuple[Any, ...]]]


@dataclass(frozen=True)
class Order:
    field: str | None  # None: by score
    descending: bool
    exact: ExactKeys
    tie_limit: int | None = None  # None: every tie is settled here, however large
    then: Order | None = None  # orders a tie too large to settle here, within the tie


def _by_name(_: Sequence[Any], products: Sequence[Product]) -> list[tuple[Any, ...]]:
    return [(fold(p.name), p.productID) for p in products]


BY_SCORE = Order(
    None,
    True,
    lambda scores, ps: [(-s, p.productID) for s, p in zip(scores, ps, strict=True)],
    SCORE_TIE_LIMIT,
)
# A tie on the head larger than the look-ahead shows whole is searched again, by the tail:
# one more search, where fetching until the tie ends could take several.
BY_NAME = Order(NAME_HEAD, False, _by_name, LOOK_AHEAD, Order(NAME_TAIL, False, _by_name))
BY_PRICE = Order(
    PRICE,
    False,
    lambda cents, ps: [(c, fold(p.name), p.productID) for c, p in zip(cents, ps, strict=True)],
)
BY_PRICE_DESC = Order(
    PRICE,
    True,
    lambda cents, ps: [(-c, fold(p.name), p.productID) for c, p in zip(cents, ps, strict=True)],
)


def order_for(sort: Sort, *, ranked: bool) -> Order:
    """Relevance is by score when the query has words to score, else by name."""
    if sort is Sort.PRICE_ASC:
        return BY_PRICE
    if sort is Sort.PRICE_DESC:
        return BY_PRICE_DESC
    if sort is Sort.RELEVANCE and ranked:
        return BY_SCORE
    return BY_NAME


@dataclass(frozen=True)
class Search:
    """One search's query and order over one searcher, and where its products are."""

    searcher: tantivy.Searcher
    schema: tantivy.Schema
    query: tantivy.Query
    order: Order
    products_by_key: Sequence[Product | None]

    def fetch(self, limit: int, *, count: bool = False) -> tuple[Sequence[Hit], int]:
        result = self.searcher.search(
            self.query,
            max(limit, 1),  # tantivy panics on a limit of 0
            count=count,
            order_by_field=self.order.field,
            order=tantivy.Order.Desc if self.order.descending else tantivy.Order.Asc,
        )
        # The stub leaves out `count`, which the result has (None when not asked to count).
        return result.hits, result.count or 0  # type: ignore[attr-defined]

    def products(self, hits: Sequence[Hit]) -> list[Product | None]:
        """The products of `hits`; None for one removed while this search ran."""
        keys = self.searcher.fast_field_values(KEY, [address for _, address in hits])
        products, end = self.products_by_key, len(self.products_by_key)
        return [products[k] if isinstance(k, int) and 0 <= k < end else None for k in keys]

    def settled(
        self, hits: Sequence[Hit], tie: range, known: dict[int, Product | None]
    ) -> list[Product | None]:
        """The products at positions `tie` in the order's exact order; any removed while this
        search ran come last, as None, so that the others keep their places."""
        present = [(hits[p][0], product) for p in tie if (product := known[p]) is not None]
        keys = self.order.exact([value for value, _ in present], [p for _, p in present])
        ranked = sorted(zip(keys, (p for _, p in present), strict=True), key=itemgetter(0))
        return [product for _, product in ranked] + [None] * (len(tie) - len(present))

    def within(self, value: Any, then: Order) -> Search:
        """This search narrowed to the hits whose order value is `value`, ordered by `then`."""
        if self.order.field is None:
            raise ValueError("a tie on score cannot be searched again")
        same = tantivy.Query.range_query(
            self.schema, self.order.field, tantivy.FieldType.Integer, value, value
        )
        narrowed = tantivy.Query.boolean_query(
            [(tantivy.Occur.Must, self.query), (tantivy.Occur.Must, same)]
        )
        return replace(self, query=narrowed, order=then)


def page(search: Search, *, offset: int, limit: int) -> tuple[list[Product], int]:
    """Products `offset`..`offset + limit` of the search's matches in its order, and how many
    match in all."""
    order, want = search.order, offset + limit
    fetched = want + 1 + LOOK_AHEAD
    hits, total = search.fetch(fetched, count=True)
    while len(hits) == fetched < total and hits[-1][0] == hits[want - 1][0]:
        # The page's last tie goes on past the fetched hits: fetch until it ends, unless it
        # is already too large to settle here.
        tied = len(hits) - _tie_start(hits, want - 1)
        if order.tie_limit is not None and tied > order.tie_limit:
            break
        fetched = min(total, fetched * _GROWTH)
        hits, _ = search.fetch(fetched)
    if offset >= len(hits):
        return [], total
    complete = len(hits) == total
    ties = _ties(hits, offset, min(want, len(hits)), order, complete)
    # One call for the products of every tie settled here and the page's part of the rest.
    needed = [
        p
        for start, end, settle in ties
        for p in (range(start, end) if settle else range(max(start, offset), min(end, want)))
    ]
    known = dict(zip(needed, search.products([hits[p] for p in needed]), strict=True))
    found: list[Product | None] = []
    for start, end, settle in ties:
        # The part of the page in this tie, counted from the tie's start.
        first, stop = max(start, offset) - start, min(end, want) - start
        if settle and end - start > 1:
            found += search.settled(hits, range(start, end), known)[first:stop]
        elif settle or order.then is None:
            found += [known[p] for p in range(start + first, start + stop)]
        else:
            within = search.within(hits[start][0], order.then)
            found += page(within, offset=first, limit=stop - first)[0]
    # A product removed while this search ran has no entry any more: it is left out.
    return [product for product in found if product is not None], total


def _tie_start(hits: Sequence[Hit], at: int) -> int:
    while at > 0 and hits[at - 1][0] == hits[at][0]:
        at -= 1
    return at


def _ties(
    hits: Sequence[Hit], first: int, stop: int, order: Order, complete: bool
) -> list[tuple[int, int, bool]]:
    """The ties (runs of equal values) that positions `first`..`stop` lie in, each with
    whether to settle it here: not when it is larger than the order allows, which a tie still
    going at the end of `hits` (when there are more) is known to be."""
    found = []
    start = _tie_start(hits, first)
    while start < stop:
        end = start + 1
        while end < len(hits) and hits[end][0] == hits[start][0]:
            end += 1
        whole = end < len(hits) or complete
        limit = order.tie_limit
        found.append((start, end, whole and (limit is None or end - start <= limit)))
        start = end
    return found
