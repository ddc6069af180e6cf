"""Answering one search from the index: match, filter, rank, page.

The plan keeps the work proportional to the smallest thing that bounds the answer, not to the
catalog: terms intersect their posting sets (smallest first), filters intersect what is left,
ranking splits that set into score groups with set operations, and a page is taken either by
walking a presorted order until it fills (when the matches are dense in it) or by picking the
best few of the matches themselves (when they are sparse). Orders exist per category too, so a
category page walks only that category. Browsing without terms mostly builds no set at all:
the page is a slice of an order, or a short walk that skips the few products out of stock.
"""

from __future__ import annotations

import heapq
from collections.abc import Callable, Sequence
from collections.abc import Set as AbstractSet
from dataclasses import dataclass
from itertools import islice
from typing import Any

from ecomm.core.domain.products import Product
from ecomm.core.domain.search import NO_PRICE_LIMIT, SearchQuery, Sort
from ecomm.roles.lookup.index import SearchIndex, Tier
from ecomm.roles.lookup.sort_orders import Orders, SortedOrder
from ecomm.roles.lookup.text import fold, query_terms

Members = AbstractSet[int]
_EMPTY: frozenset[int] = frozenset()


@dataclass(frozen=True)
class SearchResult:
    items: list[Product]
    total: int


@dataclass(frozen=True)
class _Order:
    """A presorted order, its key for sorting a few members, and the part of it to look at:
    the price range when the order is by price (then `exact`: that part is the whole answer
    to the category and price filters), else all of it."""

    order: SortedOrder
    key: Callable[[int], Any]
    span: tuple[int, int]
    exact: bool


def search(index: SearchIndex, query: SearchQuery) -> SearchResult:
    ordinals, total = search_ordinals(index, query)
    return SearchResult([index.product(o) for o in ordinals], total)


def search_ordinals(index: SearchIndex, query: SearchQuery) -> tuple[list[int], int]:
    """The page's products as index ordinals, and how many match in all."""
    domain = index.orders
    if query.category is not None:
        found = index.category_orders.get(fold(query.category).strip())
        if found is None:
            return [], 0
        domain = found
    chosen = _order_for(index, domain, query)
    terms = query_terms(query.text)
    if not terms:
        ordinals, total = _browse(index, domain, chosen, query)
    else:
        per_term = [index.term_tiers(t) for t in terms]
        if not all(per_term):
            return [], 0  # every term must match (AND)
        unions = sorted((_union(tiers) for tiers in per_term), key=len)
        matches = unions[0]
        for other in unions[1:]:
            matches = matches & other
        members = _filtered(index, matches, query)
        total = len(members)
        if query.sort is Sort.RELEVANCE:
            by_name = _order_for(index, domain, SearchQuery(sort=Sort.NAME))
            ordinals = _by_relevance(by_name, members, per_term, query)
        else:
            ordinals = _page(chosen, members, query.offset, query.per_page)
    return ordinals, total


def _browse(
    index: SearchIndex, domain: Orders, chosen: _Order, query: SearchQuery
) -> tuple[list[int], int]:
    """No terms: the category's (or catalog's) orders and the filters alone choose."""
    price, out = index.price, index.out_of_stock
    low, high = query.price_range or (-1, NO_PRICE_LIMIT)
    start, end = domain.price_span(low, high)
    accept: Callable[[int], bool]
    if query.in_stock is None:
        total = end - start
        if query.price_range is None or chosen.exact:
            first = chosen.span[0] + query.offset  # the answer is a slice of the order
            return chosen.order.ords[first : min(chosen.span[1], first + query.per_page)], total
        accept = lambda o: low <= price[o] <= high  # noqa: E731
    elif query.in_stock and len(out) < len(index.in_stock):
        # Most products are in stock: count the range minus the few out of stock in it, and
        # walk past those, rather than intersect with the large in-stock set.
        category = None
        if query.category is not None:
            category = index.by_category.get(fold(query.category).strip(), _EMPTY)
        total = (
            end
            - start
            - sum(1 for o in out if low <= price[o] <= high and (category is None or o in category))
        )
        accept = lambda o: o not in out and low <= price[o] <= high  # noqa: E731
    else:
        members = _filtered(index, None, query)
        return _page(chosen, members, query.offset, query.per_page), len(members)
    if total * 8 < chosen.span[1] - chosen.span[0]:
        # Too sparse in the order to walk to: pick from the set of matches instead.
        members = _filtered(index, None, query)
        return _page(chosen, members, query.offset, query.per_page), len(members)
    return _walk(chosen, accept, query.offset, query.per_page), total


def _walk(chosen: _Order, accept: Callable[[int], bool], skip: int, limit: int) -> list[int]:
    found: list[int] = []
    for ordinal in islice(chosen.order.ords, chosen.span[0], chosen.span[1]):
        if accept(ordinal):
            if skip:
                skip -= 1
                continue
            found.append(ordinal)
            if len(found) == limit:
                break
    return found


def _by_relevance(
    by_name: _Order, members: Members, per_term: list[list[Tier]], query: SearchQuery
) -> list[int]:
    groups = _rank(members, per_term)
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
        return _walk(chosen, members.__contains__, skip, limit)
    if needed * 8 < total:
        return heapq.nsmallest(needed, members, key=chosen.key)[skip:]
    return sorted(members, key=chosen.key)[skip:needed]


def _order_for(index: SearchIndex, domain: Orders, query: SearchQuery) -> _Order:
    price, name_key = index.price, index.name_key
    low, high = query.price_range or (-1, NO_PRICE_LIMIT)
    if query.sort is Sort.PRICE_ASC:
        return _Order(
            domain.by_price,
            lambda o: (price[o], name_key[o]),
            domain.price_span(low, high),
            exact=True,
        )
    if query.sort is Sort.PRICE_DESC:
        return _Order(
            domain.by_price_desc,
            lambda o: (-price[o], name_key[o]),
            domain.price_span(low, high, descending=True),
            exact=True,
        )
    return _Order(
        domain.by_name, name_key.__getitem__, (0, len(domain)), exact=query.price_range is None
    )


def _filtered(index: SearchIndex, matches: Members | None, query: SearchQuery) -> Members:
    """`matches` (None: every product) narrowed by the query's filters, smallest set first."""
    sets: list[Members] = []
    if query.category is not None:
        sets.append(index.by_category.get(fold(query.category).strip(), _EMPTY))
    excluded: Members = _EMPTY
    if query.in_stock is not None:
        if query.in_stock and matches is not None and len(index.out_of_stock) < len(index.in_stock):
            # Subtracting the few out of stock reads a small table that stays in the CPU's
            # cache; intersecting with the many in stock reads a large one, mostly from memory.
            excluded = index.out_of_stock
        else:
            sets.append(index.in_stock if query.in_stock else index.out_of_stock)
    if matches is not None:
        sets.append(matches)
    price_range = query.price_range
    if price_range is not None:
        start, end = index.orders.price_span(*price_range)
        if not sets or end - start < min(len(s) for s in sets):
            sets.append(set(index.orders.by_price.ords[start:end]))
            price_range = None
    if not sets:
        return set(index.orders.by_name.ords)
    sets.sort(key=len)
    result = sets[0]
    for other in sets[1:]:
        result = result & other
    if excluded:
        result = result - excluded
    if price_range is not None:
        # Fewer members than products in the range: checking each is cheaper than a set.
        price, (low, high) = index.price, price_range
        result = {o for o in result if low <= price[o] <= high}
    return result


def _union(tiers: Sequence[Tier]) -> Members:
    if len(tiers) == 1:
        return tiers[0][1]
    return set().union(*(members for _, members in tiers))
