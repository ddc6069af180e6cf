"""The lookup role's search engine: every product in an in-memory tantivy index.

    productID ─> key (an int, never reused)   ─> Product, exactly as last given
    tantivy index, per product: its key; its name, category and description, each stemmed
                   and plain; its folded category; its folded name's head and tail as
                   integers; its price in cents, and that price signed by stock

The index holds only what a search matches, filters and sorts on; the products themselves are
kept beside it, so a search answers the very `Product` objects it was given. `engine_query`
says how a query matches and ranks, `engine_page` how a page is cut from tantivy's hits.

Threads: tantivy searches, commits and reloads without holding the GIL, so an async caller
runs `search`, `suggest` and `apply` in `asyncio.to_thread`. Tantivy allows one writer per
index, used by one thread at a time: `load`, `finish_load` and `apply` belong to one task,
which batches updates (a commit costs milliseconds whatever its size). Reads may run at any
time in any thread. A search that overlaps an `apply` sees the index before or after it; a
product removed meanwhile is left out of its page, and one updated meanwhile is answered as
it is now.
"""

from __future__ import annotations

import ctypes
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import replace
from decimal import ROUND_HALF_EVEN

import tantivy

from ecomm.core.domain.products import Product
from ecomm.core.domain.search import NO_PRICE_LIMIT, SearchQuery
from ecomm.roles.lookup.engine_page import Search, order_for, page
from ecomm.roles.lookup.engine_query import (
    KEY,
    Analysis,
    QueryBuilder,
    category_key,
    schema,
    stocked_price,
)
from ecomm.roles.lookup.engine_suggest import correct
from ecomm.roles.lookup.engine_text import STEMMED, analyzers, fold, name_order, prepare

MIB = 2**20
# The writer's indexing memory, shared by its threads: more makes fewer, larger segments while
# loading (tantivy flushes a segment when it fills), at the cost of holding it while the load
# runs. 1,000,000 products load in ~28 s with 64 MiB (7 segments), ~23 s with 256 MiB (2) and
# 140 MiB more.
WRITER_MEMORY = 64 * MIB
# Two indexing threads load 100,000 products in 1.7-1.9 s where one takes 2.2-2.5 s, and
# 1,000,000 in 23 s where one takes 31 s, on two cores (benchmarks/engine.py); the threads
# building documents and indexing them overlap.
WRITER_THREADS = 2


def price_cents(product: Product) -> int:
    """The price in whole cents, as filters and sorts compare it, held within 0 and a limit no
    shop price reaches: a larger integer than 64 bits hold would stop the index's writer for
    good (tantivy's indexing thread panics on it)."""
    cents = int((product.price * 100).to_integral_value(ROUND_HALF_EVEN))
    return min(max(cents, 0), NO_PRICE_LIMIT)


class SearchEngine:
    """Products, and a tantivy index over them that answers `SearchQuery`s."""

    def __init__(
        self, *, writer_memory: int = WRITER_MEMORY, writer_threads: int = WRITER_THREADS
    ) -> None:
        self._schema = schema()
        self._index = tantivy.Index(self._schema)  # no path: in memory
        found = analyzers()
        for name, analyzer in found.items():
            self._index.register_tokenizer(name, analyzer)
        # Reloaded right after each commit, by the writer's own task: tantivy's own policy
        # reloads on a timer and stalls searches after most commits.
        self._index.config_reader(reload_policy="manual")
        self._writer = self._index.writer(heap_size=writer_memory, num_threads=writer_threads)
        self._queries = QueryBuilder(self._schema, Analysis(found[STEMMED]))
        self._keys: dict[str, int] = {}
        self._products: list[Product | None] = []  # by key
        self._category_count: dict[str, int] = {}  # by folded category
        self._category_label: dict[str, str] = {}  # the label it was last given
        self._relabelled = False  # a category's label changed since the last publish
        self._categories: list[tuple[str, int]] = []
        # Moves whenever a search could answer other products: a load finished, a batch that
        # changed what the index holds.
        self.version = 0

    def __len__(self) -> int:
        return len(self._keys)

    def __iter__(self) -> Iterator[Product]:
        """Every product held, in no particular order."""
        return (p for p in self._products if p is not None)

    def get(self, product_id: str) -> Product | None:
        key = self._keys.get(product_id)
        return None if key is None else self._products[key]

    def product_ids(self) -> set[str]:
        return set(self._keys)

    # -- changes (the writer's task only) ----------------------------------------------------

    def load(self, products: Iterable[Product]) -> None:
        """Add many products; `finish_load` makes them searchable with one commit."""
        for product in products:
            self._write(product)

    def finish_load(self) -> None:
        self._commit()
        self._publish()
        _return_freed_memory()

    def apply(self, upserts: Sequence[Product], removals: Sequence[str]) -> None:
        """Make the engine hold each of `upserts` as given (the caller decided each is the
        newest) and none of `removals` (applied after the upserts), with one commit.

        A batch that changes nothing the index holds (stock that stays in stock, units sold)
        needs no commit and leaves `version` where it was (unless it spelled a category's label
        anew): searches answer the new products.
        """
        written = False
        for product in upserts:
            written = self._write(product) or written
        gone = [(pid, key) for pid in removals if (key := self._keys.get(pid)) is not None]
        for _, key in gone:
            self._writer.delete_documents_by_term(KEY, key)
        if not (written or gone or self._relabelled):
            return
        if written or gone:
            self._commit()
        # Forgotten only now: until the reload, searches may still find them.
        for product_id, key in gone:
            removed = self._products[key]
            del self._keys[product_id]
            self._products[key] = None
            if removed is not None:
                self._count_category(removed, -1)
        self._publish()

    def _write(self, product: Product) -> bool:
        """Stage `product` for the next commit; False when the index already holds it as is."""
        key = self._keys.get(product.productID)
        old = None if key is None else self._products[key]
        if key is None:
            key = len(self._products)
            self._products.append(None)
        elif old is not None and _indexed(old) == _indexed(product):
            # A stock change that keeps it in stock: nothing the index holds has changed.
            self._products[key] = product
            self._count_category(old, -1)
            self._count_category(product, +1)
            return False
        else:
            self._writer.delete_documents_by_term(KEY, key)
        self._writer.add_document(_document(key, product))
        self._keys[product.productID] = key
        self._products[key] = product
        if old is not None:
            self._count_category(old, -1)
        self._count_category(product, +1)
        return True

    def _commit(self) -> None:
        self._writer.commit()
        self._index.reload()

    def _count_category(self, product: Product, change: int) -> None:
        folded = category_key(product.category)
        count = self._category_count.get(folded, 0) + change
        if count:
            self._category_count[folded] = count
            if change > 0 and self._category_label.get(folded) != product.category:
                self._category_label[folded] = product.category
                self._relabelled = True
        else:
            del self._category_count[folded]
            del self._category_label[folded]

    def _publish(self) -> None:
        self._relabelled = False
        self._categories = sorted(
            (self._category_label[c], n) for c, n in self._category_count.items()
        )
        self.version += 1

    # -- reading (any thread) ----------------------------------------------------------------

    def categories(self) -> list[tuple[str, int]]:
        """(label, product count) for every category, by label, as of the last change."""
        return list(self._categories)

    def search(self, query: SearchQuery) -> tuple[list[Product], int]:
        """The page of products `query` asks for, and how many match in all."""
        searcher = self._index.searcher()
        plan = self._queries.build(searcher, query)
        if plan is None:
            return [], 0
        order = order_for(query.sort, ranked=plan.ranked)
        search = Search(searcher, self._schema, plan.query, order, self._products)
        return page(search, offset=query.offset, limit=query.per_page)

    def suggest(self, query: SearchQuery) -> str | None:
        """For a search that found nothing: its words with the unknown ones corrected to the
        catalog's nearest, if that search, with the same filters, finds something."""
        searcher = self._index.searcher()
        corrected = correct(searcher, self._queries, query.text)
        if corrected is None:
            return None
        if not self.search(replace(query, text=corrected, page=1, per_page=1))[1]:
            return None
        return corrected


def _return_freed_memory() -> None:
    """Give the system back the heap the load freed: glibc keeps it for later otherwise, and at
    100,000 products that is half of what the process holds (52 MiB resident, 23 MiB after)."""
    try:
        libc = ctypes.CDLL("libc.so.6")
    except OSError:  # not glibc: its allocator decides for itself
        return
    libc.malloc_trim(0)


def _indexed(product: Product) -> tuple[object, ...]:
    """What the index holds of a product: a change elsewhere needs no index write."""
    return (
        product.name,
        product.category,
        product.description,
        price_cents(product),
        product.in_stock,
    )


def _document(key: int, product: Product) -> tantivy.Document:
    name, category = prepare(product.name), prepare(product.category)
    description, (head, tail) = prepare(product.description), name_order(fold(product.name))
    cents = price_cents(product)
    return tantivy.Document(
        key=key,
        name=name,
        name_plain=name,
        category=category,
        category_plain=category,
        description=description,
        description_plain=description,
        category_key=category_key(product.category),
        name_head=head,
        name_tail=tail,
        price=cents,
        stocked_price=stocked_price(cents, product.in_stock),
    )
