"""Did you mean: a search that found nothing, with its unknown words corrected.

A word the index does not hold (not as typed, stemmed, or as a prefix of its words; the search
may have matched it only through a typo) is replaced by the catalog's nearest word: the fewest
edits, then the most products, then alphabetical. Candidates are the words that begin with the
word's first letter, or with its second (two swapped letters at the start): a shopper rarely
gets the first letter wrong, and this keeps the candidates to a slice of the vocabulary.
"""

from __future__ import annotations

import tantivy

from ecomm.roles.lookup.engine_query import TEXT_FIELDS, QueryBuilder, plain
from ecomm.roles.lookup.engine_text import edit_distance


def max_edits(word: str) -> int:
    """Bolder than the search's own typo tolerance: a suggestion is only offered, not applied."""
    if len(word) <= 4:
        return 1
    return 2 if len(word) <= 8 else 3


def correct(searcher: tantivy.Searcher, queries: QueryBuilder, text: str) -> str | None:
    """`text`'s words with each unmatched one corrected; None when none needed correcting or
    one had nothing near enough."""
    words = queries.analysis.words(text)
    if not words:
        return None
    corrected: list[str] = []
    changed = False
    for word in words:
        if queries.forms(searcher, word):
            corrected.append(word.typed)
            continue
        nearest = _nearest(searcher, word.typed)
        if nearest is None:
            return None
        corrected.append(nearest)
        changed = True
    return " ".join(corrected) if changed else None


def _nearest(searcher: tantivy.Searcher, word: str) -> str | None:
    limit = max_edits(word)
    counts: dict[str, int] = {}
    for start in dict.fromkeys(word[:1] + word[1:2]):
        for field, _ in TEXT_FIELDS:
            for term, count in searcher.terms_with_prefix(plain(field), start):
                counts[term] = counts.get(term, 0) + count
    best: tuple[int, int, str] | None = None
    for term, count in counts.items():
        distance = edit_distance(word, term, limit)
        if distance <= limit and (best is None or (distance, -count, term) < best):
            best = (distance, -count, term)
    return None if best is None else best[2]
