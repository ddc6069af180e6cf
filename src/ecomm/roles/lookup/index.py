"""The lookup role's read model: every product, indexed for search, in memory, with no I/O.

    productID ─> ordinal (a small int; every set below holds ordinals)
    word      ─> ordinals whose name / category / description has it   (inverted index)
    sorted vocabulary                                                   (prefixes, by bisect)
    word minus one letter ─> words                                      (typos, no vocab scan)
    category, in stock, out of stock ─> ordinals                        (filters)
    name order, price order (both ways), per catalog and per category   (sorts and price ranges)

Every structure is updated in place when one product changes, so a stock change costs a few
set operations, never a rebuild. `search.py` plans queries over these structures.

Two counters let answers be kept: `changes` counts every upsert and removal, `version` only
those that can alter what `search()` or `categories()` answers. A search reads a product's name,
category and description (its words, the category filter, the name order), its price in cents
(the price filter and orders) and whether it is in stock (the filter), nothing else; so
`version` moves on an addition, a removal, a change to any of those, a category label spelled
anew, and the end of a bulk load. A stock change that leaves a product in stock (or out of it)
does not move it: that is what every confirmed order causes, and kept answers must survive it.
(The sizes of the stock sets steer the search's plan, never its answer.)
"""

from __future__ import annotations

import sys
from bisect import bisect_left, insort
from collections.abc import Iterable
from dataclasses import dataclass
from decimal import ROUND_HALF_EVEN
from typing import TypeVar

from ecomm.core.domain.products import Product
from ecomm.roles.lookup.sort_orders import Keys, Orders
from ecomm.roles.lookup.text import FUZZY_MIN_LENGTH, deletions, fold, tokens, within_one_edit

# Field-major scores: any name match outranks any category match, which outranks any description
# match; within a field, exact > prefix > fuzzy. Fields double as indexes into `postings`.
DESCRIPTION, CATEGORY, NAME = 0, 1, 2
FUZZY, PREFIX, EXACT = 0, 1, 2
_FIELDS = (NAME, CATEGORY, DESCRIPTION)
# A short prefix can match thousands of words; its first ones (alphabetically) suffice.
MAX_PREFIX_EXPANSIONS = 50
# One letter is not yet a prefix worth expanding ("s" would match most of the catalog), and two
# letters only say something about names and categories, not about every word of a description.
PREFIX_MIN_LENGTH = {NAME: 2, CATEGORY: 2, DESCRIPTION: 3}


K = TypeVar("K")
V = TypeVar("V")
Tier = tuple[int, set[int]]


def tier_score(field: int, kind: int) -> int:
    return field * 3 + kind + 1


def price_cents(product: Product) -> int:
    return int((product.price * 100).to_integral_value(ROUND_HALF_EVEN))


@dataclass(frozen=True, slots=True)
class _Entry:
    product: Product
    category: str  # folded, for the category filter
    keys: Keys


def _words(product: Product) -> tuple[set[str], set[str], set[str]]:
    """The product's indexed words by field, each word under its best field only: a search
    ranks a product by its best match, so the lower copies would cost memory and buy nothing.
    Recomputed when needed rather than kept: 100,000 products' word sets outweigh the index."""
    name = tokens(product.name)
    category = tokens(product.category) - name
    return (tokens(product.description) - name - category, category, name)


def _same_text(a: Product, b: Product) -> bool:
    return (a.name, a.category, a.description) == (b.name, b.category, b.description)


def _discard(mapping: dict[K, set[V]], key: K, value: V) -> bool:
    """Remove `value` from `mapping[key]`; True when that emptied (and dropped) the key."""
    found = mapping.get(key)
    if found is None:
        return False
    found.discard(value)
    if found:
        return False
    del mapping[key]
    return True


class SearchIndex:
    """Products by ordinal plus the structures that find and order them."""

    def __init__(self) -> None:
        self._ordinal: dict[str, int] = {}
        self._entries: list[_Entry | None] = []
        self._free: list[int] = []
        self.price: list[int] = []  # cents, by ordinal
        self.name_key: list[tuple[str, str]] = []  # (folded name, productID), by ordinal
        self.postings: tuple[dict[str, set[int]], ...] = ({}, {}, {})  # by field
        self._vocabulary: list[str] = []
        self._deletions: dict[str, set[str]] = {}
        self.by_category: dict[str, set[int]] = {}
        self._category_label: dict[str, str] = {}
        self.in_stock: set[int] = set()
        self.out_of_stock: set[int] = set()
        self.orders = Orders()  # the whole catalog's
        self.category_orders: dict[str, Orders] = {}
        self._bulk = False  # while loading, sorted structures are rebuilt once at the end
        self.version = 0  # see the module docstring for what bumps it
        self.changes = 0  # every upsert and removal, whatever it changed

    def __len__(self) -> int:
        return len(self._ordinal)

    def get(self, product_id: str) -> Product | None:
        ordinal = self._ordinal.get(product_id)
        return None if ordinal is None else self.product(ordinal)

    def product(self, ordinal: int) -> Product:
        entry = self._entries[ordinal]
        if entry is None:
            raise KeyError(ordinal)
        return entry.product

    def ordinal(self, product_id: str) -> int:
        """The ordinal `product(ordinal)` answers `product_id` at; KeyError if not held."""
        return self._ordinal[product_id]

    def product_ids(self) -> set[str]:
        return set(self._ordinal)

    # -- changes --------------------------------------------------------------------------

    def load(self, products: Iterable[Product]) -> None:
        """Upsert many; `finish_load` then sorts once instead of inserting one by one."""
        self._bulk = True
        for product in products:
            self.upsert(product)

    def finish_load(self) -> None:
        if not self._bulk:
            return
        self._bulk = False
        self.version += 1
        live = [(e, i) for i, e in enumerate(self._entries) if e is not None]
        self.orders.rebuild([(e.keys, i) for e, i in live])
        by_category: dict[str, list[tuple[Keys, int]]] = {}
        for e, i in live:
            by_category.setdefault(e.category, []).append((e.keys, i))
        self.category_orders = {}
        for category, entries in by_category.items():
            self.category_orders[category] = orders = Orders()
            orders.rebuild(entries)
        for postings in self.postings:
            for word, members in postings.items():
                # Grown one add at a time, a set ends up to four times larger than a copy.
                postings[word] = set(members)
        self._vocabulary = sorted(set().union(*self.postings))
        self._deletions = {}
        for word in self._vocabulary:
            self._add_deletions(word)

    def upsert(self, product: Product) -> None:
        """Make the index hold `product` as given (the caller decided it is the newest)."""
        self.changes += 1
        ordinal = self._ordinal.get(product.productID)
        old = None if ordinal is None else self._entries[ordinal]
        if ordinal is None:
            ordinal = self._allocate()
            self._ordinal[product.productID] = ordinal
        folded_name, cents = fold(product.name), price_cents(product)
        entry = _Entry(
            product,
            sys.intern(fold(product.category).strip()),
            Keys.of(folded_name, product.productID, cents),
        )
        if (
            old is None
            or old.keys != entry.keys
            or old.product.in_stock != product.in_stock
            or not _same_text(old.product, product)
            or self._category_label.get(entry.category) != product.category
        ):
            self.version += 1
        if old is None or not _same_text(old.product, product):
            if old is not None:
                self._unpost(ordinal, old.product)
            self._post(ordinal, product)
        if old is None or old.category != entry.category:
            if old is not None and _discard(self.by_category, old.category, ordinal):
                del self._category_label[old.category]
            self.by_category.setdefault(entry.category, set()).add(ordinal)
        self._category_label[entry.category] = product.category
        (self.in_stock if product.in_stock else self.out_of_stock).add(ordinal)
        (self.out_of_stock if product.in_stock else self.in_stock).discard(ordinal)
        reorder = old is None or (old.keys, old.category) != (entry.keys, entry.category)
        if reorder and old is not None:
            self._unorder(old)
        self._entries[ordinal] = entry
        self.price[ordinal] = cents
        self.name_key[ordinal] = entry.keys.name
        if reorder and not self._bulk:
            self.orders.insert(entry.keys, ordinal)
            self.category_orders.setdefault(entry.category, Orders()).insert(entry.keys, ordinal)

    def remove(self, product_id: str) -> None:
        ordinal = self._ordinal.pop(product_id, None)
        if ordinal is None:
            return
        entry = self._entries[ordinal]
        if entry is None:
            return
        self.version += 1
        self.changes += 1
        self._unpost(ordinal, entry.product)
        if _discard(self.by_category, entry.category, ordinal):
            del self._category_label[entry.category]
        self._unorder(entry)
        self.in_stock.discard(ordinal)
        self.out_of_stock.discard(ordinal)
        self._entries[ordinal] = None
        self._free.append(ordinal)

    # -- reading ----------------------------------------------------------------------------

    def categories(self) -> list[tuple[str, int]]:
        """(label, product count) for every category, by label."""
        return sorted((self._category_label[c], len(s)) for c, s in self.by_category.items())

    def term_tiers(self, term: str) -> list[Tier]:
        """The products `term` matches, grouped by how well, best first (groups may overlap)."""
        exact = [term] if self._known(term) else []
        prefixed = self._with_prefix(term) if len(term) >= min(PREFIX_MIN_LENGTH.values()) else []
        fuzzy = []
        if not exact and not prefixed and len(term) >= FUZZY_MIN_LENGTH:
            # Typos only where they help: a word that matches as typed is taken as meant.
            fuzzy = self._within_one_edit(term)
        tiers: list[Tier] = []
        for kind, found in ((EXACT, exact), (PREFIX, prefixed), (FUZZY, fuzzy)):
            for field in _FIELDS:
                if kind == PREFIX and len(term) < PREFIX_MIN_LENGTH[field]:
                    continue
                sets = [s for w in found if (s := self.postings[field].get(w))]
                if sets:
                    union = sets[0] if len(sets) == 1 else set().union(*sets)
                    tiers.append((tier_score(field, kind), union))
        tiers.sort(key=lambda t: -t[0])
        return tiers

    def _known(self, word: str) -> bool:
        return any(word in p for p in self.postings)

    def _with_prefix(self, term: str) -> list[str]:
        vocabulary = self._vocabulary
        found: list[str] = []
        at = bisect_left(vocabulary, term)
        while at < len(vocabulary) and len(found) < MAX_PREFIX_EXPANSIONS:
            word = vocabulary[at]
            if not word.startswith(term):
                break
            if word != term:
                found.append(word)
            at += 1
        return found

    def _within_one_edit(self, term: str) -> list[str]:
        known = self._deletions
        candidates = set(known.get(term, ()))  # the term lacks a letter
        for shorter in deletions(term):
            if self._known(shorter):  # the term has a letter too many
                candidates.add(shorter)
            candidates.update(known.get(shorter, ()))  # a letter differs, or two are swapped
        return sorted(w for w in candidates if within_one_edit(term, w))

    # -- internals --------------------------------------------------------------------------

    def _allocate(self) -> int:
        if self._free:
            return self._free.pop()
        self._entries.append(None)
        self.price.append(0)
        self.name_key.append(("", ""))
        return len(self._entries) - 1

    def _unorder(self, entry: _Entry) -> None:
        if self._bulk:
            return
        self.orders.remove(entry.keys)
        orders = self.category_orders.get(entry.category)
        if orders is not None:
            orders.remove(entry.keys)
            if not orders:
                del self.category_orders[entry.category]

    def _post(self, ordinal: int, product: Product) -> None:
        for field, words in enumerate(_words(product)):
            postings = self.postings[field]
            for word in words:
                try:
                    postings[word].add(ordinal)
                except KeyError:
                    # Interned: the word's one copy is shared by every structure that names it.
                    word = sys.intern(word)  # noqa: PLW2901
                    if not self._bulk and not self._known(word):
                        self._learn(word)
                    postings[word] = {ordinal}

    def _unpost(self, ordinal: int, product: Product) -> None:
        for field, words in enumerate(_words(product)):
            for word in words:
                if _discard(self.postings[field], word, ordinal) and not self._known(word):
                    self._forget(word)

    def _learn(self, word: str) -> None:
        insort(self._vocabulary, word)
        self._add_deletions(word)

    def _add_deletions(self, word: str) -> None:
        if len(word) >= FUZZY_MIN_LENGTH - 1:
            for shorter in deletions(word):
                self._deletions.setdefault(shorter, set()).add(word)

    def _forget(self, word: str) -> None:
        if self._bulk:
            return  # the vocabulary and its deletions are rebuilt when the load finishes
        at = bisect_left(self._vocabulary, word)
        if at < len(self._vocabulary) and self._vocabulary[at] == word:
            del self._vocabulary[at]
        if len(word) >= FUZZY_MIN_LENGTH - 1:
            for shorter in deletions(word):
                _discard(self._deletions, shorter, word)
