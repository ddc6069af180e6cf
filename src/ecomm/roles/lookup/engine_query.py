"""From a `SearchQuery` to one tantivy query: every word must match, filters narrow.

A query word matches a product when, in its name, category or description, the product has
  - the word's stem (BM25, and a bonus when the word is there as typed), or another form of
    it the stemmer does not join ("knives" and "knife");
  - a word the last query word begins (while the shopper types), from two letters in a name
    or category, three in a description;
  - only when neither finds the word anywhere: a word one edit away (from 4 letters; two
    edits from 8), a swap of two neighbouring letters counting as one edit.
The word scores its best way of matching (plus a little for the others), field boosts put a
name above a category above a description, and words add up. Prefix and typo matches score a
constant (tantivy scores them so), set below what an exact match in the same field usually
scores.

Tantivy does not analyse a word given to `term_query`, so every word is stemmed here with the
analyser the index uses; prefixes and typos match the plain copy of each field.
"""

from __future__ import annotations

from dataclasses import dataclass

import tantivy

from ecomm.core.domain.search import SearchQuery
from ecomm.roles.lookup.engine_text import (
    PLAIN,
    STEMMED,
    STOPWORDS,
    fold,
    plural_variants,
    prepare,
    query_analyzer,
)

KEY = "key"
CATEGORY_KEY = "category_key"
# The folded name's first characters as two integers (see `name_order`): its head, and
# its tail to order the names whose heads tie.
NAME_HEAD = "name_head"
NAME_TAIL = "name_tail"
PRICE = "price"
# The price in cents while in stock, -1 - the price when not: one range then answers both the
# stock filter and the price filter, where tantivy intersects two such filters at about twice
# the cost of one (most searches that filter on stock keep most of the catalog).
STOCKED_PRICE = "stocked_price"
# (field, boost): a word in a product's name says more than in its category, and that more
# than in its description.
TEXT_FIELDS = (("name", 3.0), ("category", 2.0), ("description", 1.0))
# Within a field: a word as typed ranks above a word sharing only its stem; a prefix or a typo
# scores a constant, set below what an exact match usually scores.
AS_TYPED_BONUS = 0.3
VARIANT_WEIGHT = 0.8  # "knife" for "knives": a form the shopper did not type
PREFIX_SCORE = 1.0
TYPO_SCORE = 0.6
OTHER_WAYS = 0.1  # what each other way a word matches adds to its best one
PREFIX_MIN_LENGTH = {"name": 2, "category": 2, "description": 3}
TYPO_MIN_LENGTH = 4  # shorter words have too many neighbours one edit away
TWO_TYPOS_MIN_LENGTH = 8


def plain(field: str) -> str:
    return field + "_plain"


def schema() -> tantivy.Schema:
    """What the index holds: what a search matches, filters or sorts on, and a key per
    product (the engine keeps the products themselves)."""
    builder = tantivy.SchemaBuilder()
    builder.add_integer_field(KEY, indexed=True, fast=True)
    for field, _ in TEXT_FIELDS:
        # Frequencies but no positions: BM25 needs them; nothing here matches phrases.
        builder.add_text_field(field, tokenizer_name=STEMMED, index_option="freq")
        builder.add_text_field(plain(field), tokenizer_name=PLAIN, index_option="freq")
    builder.add_text_field(CATEGORY_KEY, tokenizer_name="raw", index_option="basic")
    builder.add_integer_field(NAME_HEAD, fast=True)
    builder.add_integer_field(NAME_TAIL, fast=True)
    builder.add_integer_field(PRICE, fast=True)
    builder.add_integer_field(STOCKED_PRICE, fast=True)
    return builder.build()


@dataclass(frozen=True)
class Plan:
    query: tantivy.Query
    ranked: bool  # the query has words to rank by


@dataclass(frozen=True)
class Forms:
    stems: dict[str, float]  # stem -> weight
    prefixed: tuple[str, ...]  # fields with words that begin with the word

    def __bool__(self) -> bool:
        return bool(self.stems or self.prefixed)


@dataclass(frozen=True)
class Word:
    typed: str  # folded, as the shopper wrote it
    stem: str
    prefix: bool  # the last word, still being typed


class Analysis:
    """Turns query text into `Word`s with the index's own analysers."""

    def __init__(self, stemmer: tantivy.TextAnalyzer) -> None:
        self._split = query_analyzer()
        self._stemmer = stemmer

    def words(self, text: str) -> list[Word] | None:
        """The query's distinct words; None when it had words but all were stopwords (a
        search for "the" finds nothing, where a search with no words browses)."""
        found = list(dict.fromkeys(self._split.analyze(prepare(text))))
        meaningful = [w for w in found if w not in STOPWORDS]
        if found and not meaningful:
            return None
        last = len(meaningful) - 1
        return [Word(w, self.stem(w), prefix=i == last) for i, w in enumerate(meaningful)]

    def stem(self, word: str) -> str:
        stems = self._stemmer.analyze(word)
        return stems[0] if stems else word


def typos_allowed(word: str) -> int:
    if len(word) >= TWO_TYPOS_MIN_LENGTH:
        return 2
    return 1 if len(word) >= TYPO_MIN_LENGTH else 0


class QueryBuilder:
    """Builds queries for one searcher: whether a word is known depends on what it holds."""

    def __init__(self, index_schema: tantivy.Schema, analysis: Analysis) -> None:
        self._schema = index_schema
        self.analysis = analysis

    def build(self, searcher: tantivy.Searcher, query: SearchQuery) -> Plan | None:
        """The tantivy query for `query`, or None when it cannot match anything."""
        words = self.analysis.words(query.text)
        if words is None:
            return None
        clauses: list[tantivy.Query] = []
        for word in words:
            clause = self.word_clause(searcher, word)
            if clause is None:
                return None  # every word must match
            clauses.append(clause)
        ranked = bool(clauses)
        clauses += self.filters(query)
        if not clauses:
            return Plan(tantivy.Query.all_query(), ranked)
        if len(clauses) == 1:
            return Plan(clauses[0], ranked)
        return Plan(tantivy.Query.boolean_query([(tantivy.Occur.Must, c) for c in clauses]), ranked)

    def forms(self, searcher: tantivy.Searcher, word: Word) -> Forms:
        """What the index holds of `word` as typed: its stem and other forms, and in which
        fields words begin with it (while it is being typed)."""
        stems = {word.stem: 1.0} if self._known(searcher, word.stem) else {}
        for variant in plural_variants(word.typed):
            stem = self.analysis.stem(variant)
            if stem not in stems and self._known(searcher, stem):
                stems[stem] = VARIANT_WEIGHT
        prefixed = tuple(
            field
            for field, _ in TEXT_FIELDS
            if word.prefix
            and len(word.typed) >= PREFIX_MIN_LENGTH[field]
            and searcher.terms_with_prefix(plain(field), word.typed, limit=1)
        )
        return Forms(stems, prefixed)

    def word_clause(self, searcher: tantivy.Searcher, word: Word) -> tantivy.Query | None:
        """How `word` may match, or None when it matches nothing."""
        schema, forms, ways = self._schema, self.forms(searcher, word), []
        for field, boost in TEXT_FIELDS:
            if forms.stems:
                # Summed, not the best of: the word as typed adds to its stem's score.
                exact = [
                    (tantivy.Query.term_query(schema, field, s), w) for s, w in forms.stems.items()
                ]
                as_typed = tantivy.Query.term_query(schema, plain(field), word.typed)
                exact.append((as_typed, AS_TYPED_BONUS))
                ways.append(
                    tantivy.Query.boolean_query(
                        [(tantivy.Occur.Should, _boost(q, boost * w)) for q, w in exact]
                    )
                )
            if field in forms.prefixed:
                prefixed = tantivy.Query.fuzzy_term_query(
                    schema, plain(field), word.typed, 0, prefix=True
                )
                ways.append(_boost(prefixed, boost * PREFIX_SCORE))
        if not ways and (distance := typos_allowed(word.typed)):
            # Typos only where they help: a word found as typed is taken as meant.
            for field, boost in TEXT_FIELDS:
                typo = tantivy.Query.fuzzy_term_query(
                    schema, plain(field), word.typed, distance, transposition_cost_one=True
                )
                ways.append(_boost(typo, boost * TYPO_SCORE))
        if not ways:
            return None
        return tantivy.Query.disjunction_max_query(ways, tie_breaker=OTHER_WAYS)

    def _known(self, searcher: tantivy.Searcher, stem: str) -> bool:
        return any(searcher.doc_freq(field, stem) for field, _ in TEXT_FIELDS)

    def filters(self, query: SearchQuery) -> list[tantivy.Query]:
        """The query's filters, each scoring nothing: they narrow, they do not rank."""
        schema, found = self._schema, []
        if query.category is not None:
            found.append(
                tantivy.Query.term_query(schema, CATEGORY_KEY, category_key(query.category))
            )
        low, high = query.min_cents, query.max_cents
        if query.in_stock:
            found.append(_range(schema, STOCKED_PRICE, low or 0, high))
        elif query.in_stock is not None:
            found.append(
                _range(
                    schema,
                    STOCKED_PRICE,
                    None if high is None else -1 - high,
                    -1 if low is None else -1 - low,
                )
            )
        elif low is not None or high is not None:
            found.append(_range(schema, PRICE, low, high))
        return [tantivy.Query.const_score_query(f, 0.0) for f in found]


def category_key(category: str) -> str:
    """How the category filter compares categories: folded, outer spaces ignored."""
    return fold(category).strip()


def stocked_price(cents: int, in_stock: bool) -> int:
    return cents if in_stock else -1 - cents


def _range(schema: tantivy.Schema, field: str, low: int | None, high: int | None) -> tantivy.Query:
    """Values from `low` to `high`, both included; None: no bound."""
    return tantivy.Query.range_query(schema, field, tantivy.FieldType.Integer, low, high)


def _boost(query: tantivy.Query, boost: float) -> tantivy.Query:
    return tantivy.Query.boost_query(query, boost)
