"""The search semantics, written the slow and obvious way: one pass over every product.

The index must give exactly these answers; it is only allowed to be faster.
"""

from __future__ import annotations

from collections.abc import Iterable

from ecomm.core.domain.products import Product
from ecomm.core.domain.search import SearchQuery, Sort
from ecomm.roles.lookup.index import (
    CATEGORY,
    DESCRIPTION,
    EXACT,
    FUZZY,
    MAX_PREFIX_EXPANSIONS,
    NAME,
    PREFIX,
    PREFIX_MIN_LENGTH,
    price_cents,
    tier_score,
)
from ecomm.roles.lookup.text import FUZZY_MIN_LENGTH, fold, query_terms, tokens, within_one_edit


def _fields(p: Product) -> dict[int, set[str]]:
    return {
        NAME: tokens(p.name),
        CATEGORY: tokens(p.category),
        DESCRIPTION: tokens(p.description),
    }


def _term_score(fields: dict[int, set[str]], term: str, vocabulary: set[str]) -> int:
    exact = term in vocabulary
    prefixed: list[str] = []
    if len(term) >= min(PREFIX_MIN_LENGTH.values()):
        prefixed = sorted(w for w in vocabulary if w.startswith(term) and w != term)
        prefixed = prefixed[:MAX_PREFIX_EXPANSIONS]
    fuzzy: list[str] = []
    if not exact and not prefixed and len(term) >= FUZZY_MIN_LENGTH:
        fuzzy = [w for w in vocabulary if within_one_edit(term, w)]
    best = 0
    for field, words in fields.items():
        if term in words:
            best = max(best, tier_score(field, EXACT))
        if len(term) >= PREFIX_MIN_LENGTH[field] and any(w in words for w in prefixed):
            best = max(best, tier_score(field, PREFIX))
        if any(w in words for w in fuzzy):
            best = max(best, tier_score(field, FUZZY))
    return best


def brute_force(products: Iterable[Product], query: SearchQuery) -> tuple[list[str], int]:
    """(product ids of the requested page, total) for `query`."""
    catalog = list(products)
    fields = {p.productID: _fields(p) for p in catalog}
    vocabulary = set().union(*(w for f in fields.values() for w in f.values()))
    terms = query_terms(query.text)
    scored: list[tuple[int, Product]] = []
    for p in catalog:
        if query.category is not None and fold(p.category).strip() != fold(query.category).strip():
            continue
        if query.in_stock is not None and p.in_stock != query.in_stock:
            continue
        cents = price_cents(p)
        if query.min_cents is not None and cents < query.min_cents:
            continue
        if query.max_cents is not None and cents > query.max_cents:
            continue
        scores = [_term_score(fields[p.productID], t, vocabulary) for t in terms]
        if all(scores):
            scored.append((sum(scores), p))

    def name_key(p: Product) -> tuple[str, str]:
        return fold(p.name), p.productID

    if query.sort is Sort.PRICE_ASC:
        scored.sort(key=lambda sp: (price_cents(sp[1]), *name_key(sp[1])))
    elif query.sort is Sort.PRICE_DESC:
        scored.sort(key=lambda sp: (-price_cents(sp[1]), *name_key(sp[1])))
    elif query.sort is Sort.NAME or not terms:
        scored.sort(key=lambda sp: name_key(sp[1]))
    else:
        scored.sort(key=lambda sp: (-sp[0], *name_key(sp[1])))
    page = scored[query.offset : query.offset + query.per_page]
    return [p.productID for _, p in page], len(scored)
