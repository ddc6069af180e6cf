"""Answering one search from the index: match, filter, rank, page.

The plan keeps the work proportional to the smallest thing that bounds the answer, not to the
catalog: terms intersect their posting sets (smallest first), filters intersect what is left,
ranking splits that set into score groups with set operations, and a page is taken either by
walking a presorted order until it fills (when the matches are dense) or by picking the best
few of the matches themselves (when they are sparse). With no terms and no filters, a page is a
slice of a presorted order.
"""

from __future__ import annotations

import heapq
from collections.abc import Callable, Sequence
from collections.abc import Set as AbstractSet
from dataclasses import dataclass
from enum import StrEnum
from itertools import islice
from typing import Any

from ecomm.core.domain import Product
from ecomm.roles.lookup.index import SearchIndex, Tier
from ecomm.roles.lookup.orders import SortedOrder
from ecomm.roles.lookup.text import fold, query_terms

Members = AbstractSet[int]
_EMPTY: frozenset[int] = frozenset()
_NO_LIMIT = 10**15


class Sort(StrEnum):
    RELEVANCE = "relevance"  # best match first; without a query, by name
    PRICE_ASC = "price_asc"
    PRICE_DESC = "price_desc"
    NAME = "name"


@dataclass(frozen=True)
class SearchQuery:
    text: str = ""
    category: str | None = None
    min_cents: int | None = None
    max_cents: int | None = None
    in_stock: bool | None = None
    sort: Sort = Sort.RELEVANCE
    page: int = 1
    per_page: int = 20

    @property
    def offset(self) -> int:
        return (self.page - 1) * self.per_page

    @property
    def price_range(self) -> tuple[int, int] | None:
        if self.min_cents is None and self.max_cents is None:
            return None
        low = -1 if self.min_cents is None else self.min_cents
        return low, _NO_LIMIT if self.max_cents is None else self.max_cents


@dataclass(frozen=True)
class SearchResult:
    items: list[Product]
    total: int


@dataclass(frozen=True)
class _Order:
    """A presorted order, its key for sorting a few members, and where the price range is."""

    order: SortedOrder
    key: Callable[[int], Any]
    span: tuple[int, int]


def search(index: SearchIndex, query: SearchQuery) -> SearchResult:
    terms = query_terms(query.text)
    if not terms:
        ordinals, total = _browse(index, query)
    else:
        per_term = [index.term_tiers(t) for t in terms]
        if not all(per_term):
            return SearchResult([], 0)  # every term must match (AND)
        unions = sorted((_union(tiers) for tiers in per_term), key=len)
        matches = unions[0]
        for other in unions[1:]:
            matches = matches & other
        members = _filtered(index, matches, query)
        total = len(members)
        if query.sort is Sort.RELEVANCE:
            ordinals = _by_relevance(index, members, per_term, query)
        else:
            ordinals = _page(_order_for(index, query), members, query.offset, query.per_page)
    return SearchResult([index.product(o) for o in ordinals], total)


def _browse(index: SearchIndex, query: SearchQuery) -> tuple[list[int], int]:
    """No terms: the filters alone choose, and the sort's own order pages them."""
    chosen = _order_for(index, query)
    if not _filter_sets(index, query):
        start, end = chosen.span
        if query.price_range is None or query.sort in (Sort.PRICE_ASC, Sort.PRICE_DESC):
            # At most a price range, which is a slice of a price order: no set needed.
            start += query.offset
            return chosen.order.ords[start : min(end, start + query.per_page)], end - chosen.span[0]
    if query.in_stock and len(index.out_of_stock) < len(index.in_stock):
        found = _browse_in_stock(index, query, chosen)
        if found is not None:
            return found
    members = _filtered(index, None, query)
    return _page(chosen, members, query.offset, query.per_page), len(members)


def _browse_in_stock(
    index: SearchIndex, query: SearchQuery, chosen: _Order
) -> tuple[list[int], int] | None:
    """In-stock products of a category or a price range, without building their set.

    Most products are in stock, so intersecting with the in-stock set touches nearly every
    product in range. Instead: total = (products in range) - (out-of-stock ones in range), which
    touches only the few out of stock, and the page is a walk of the sorted order that skips
    them. None when that does not apply: both filters, or matches too sparse to walk to.
    """
    price, out = index.price, index.out_of_stock
    low, high = query.price_range or (-1, _NO_LIMIT)
    category: Members | None = None
    if query.category is not None:
        if query.price_range is not None:
            return None  # the size of the intersection is not known without counting it
        category = index.by_category.get(fold(query.category).strip(), _EMPTY)
        total = len(category) - sum(1 for o in out if o in category)
    else:
        start, end = index.by_price.span((low,), (high + 1,))
        total = end - start - sum(1 for o in out if low <= price[o] <= high)
    start, end = chosen.span
    if total * 8 < end - start:
        return None
    found: list[int] = []
    skip = query.offset
    for ordinal in islice(chosen.order.ords, start, end):
        if ordinal in out or not low <= price[ordinal] <= high:
            continue
        if category is not None and ordinal not in category:
            continue
        if skip:
            skip -= 1
            continue
        found.append(ordinal)
        if len(found) == query.per_page:
            break
    return found, total


def _by_relevance(
    index: SearchIndex, members: Members, per_term: list[list[Tier]], query: SearchQuery
) -> list[int]:
    groups = _rank(members, per_term)
    by_name = _Order(index.by_name, index.name_key.__getitem__, (0, len(index.by_name)))
    skip, wanted = query.offset, query.per_page
    found: list[int] = []
    for score in sorted(groups, reverse=True):
        group = groups[score]
        if skip >= len(group):
            skip -= len(group)
            continue
        found += _page(by_name, group, skip, wanted - len(found))
        skip = 0
        if len(found) == wanted:
            break
    return found


def _rank(members: Members, per_term: list[list[Tier]]) -> dict[int, Members]:
    """Split `members` by total score: for each term, the best tier a product is in counts."""
    if len(per_term) == 1 and len(per_term[0]) == 1:
        return {per_term[0][0][0]: members}  # one way to match: nothing to split
    groups: dict[int, Members] = {0: members}
    for tiers in per_term:
        ranked: dict[int, set[int]] = {}
        for base, group in groups.items():
            rest = group
            for score, tier in tiers:
                hit = rest & tier
                if not hit:
                    continue
                mine = ranked.get(base + score)
                if mine is None:
                    ranked[base + score] = hit if isinstance(hit, set) else set(hit)
                else:
                    mine |= hit
                if len(hit) == len(rest):
                    break
                rest = rest - hit
        groups = dict(ranked)
    return groups


def _page(chosen: _Order, members: Members, skip: int, limit: int) -> list[int]:
    """Members `skip`..`skip + limit` in the chosen order."""
    total = len(members)
    if skip >= total or limit <= 0:
        return []
    needed = skip + limit
    start, end = chosen.span
    # A walk visits about needed * span / total positions; picking touches every member.
    if needed * (end - start) <= 4 * total * total:
        found: list[int] = []
        for ordinal in islice(chosen.order.ords, start, end):
            if ordinal in members:
                if skip:
                    skip -= 1
                    continue
                found.append(ordinal)
                if len(found) == limit:
                    break
        return found
    if needed * 8 < total:
        return heapq.nsmallest(needed, members, key=chosen.key)[skip:]
    return sorted(members, key=chosen.key)[skip:needed]


def _order_for(index: SearchIndex, query: SearchQuery) -> _Order:
    low, high = query.price_range or (-1, _NO_LIMIT)
    price, name_key = index.price, index.name_key
    if query.sort is Sort.PRICE_ASC:
        order = index.by_price
        return _Order(order, lambda o: (price[o], name_key[o]), order.span((low,), (high + 1,)))
    if query.sort is Sort.PRICE_DESC:
        order = index.by_price_desc
        return _Order(order, lambda o: (-price[o], name_key[o]), order.span((-high,), (-low + 1,)))
    return _Order(index.by_name, name_key.__getitem__, (0, len(index.by_name)))


def _filter_sets(index: SearchIndex, query: SearchQuery) -> list[Members]:
    sets: list[Members] = []
    if query.category is not None:
        sets.append(index.by_category.get(fold(query.category).strip(), _EMPTY))
    if query.in_stock is not None:
        sets.append(index.in_stock if query.in_stock else index.out_of_stock)
    return sets


def _filtered(index: SearchIndex, matches: Members | None, query: SearchQuery) -> Members:
    """`matches` (None: every product) narrowed by the query's filters, smallest set first."""
    sets = _filter_sets(index, query)
    if matches is not None:
        sets.append(matches)
    price_range = query.price_range
    if price_range is not None:
        low, high = price_range
        start, end = index.by_price.span((low,), (high + 1,))
        if not sets or end - start < min(len(s) for s in sets):
            sets.append(set(index.by_price.ords[start:end]))
            price_range = None
    if not sets:
        return set(index.by_name.ords)
    sets.sort(key=len)
    result = sets[0]
    for other in sets[1:]:
        result = result & other
    if price_range is not None:
        # Fewer members than products in the range: checking each is cheaper than a set.
        price, (low, high) = index.price, price_range
        result = {o for o in result if low <= price[o] <= high}
    return result


def _union(tiers: Sequence[Tier]) -> Members:
    if len(tiers) == 1:
        return tiers[0][1]
    return set().union(*(members for _, members in tiers))
