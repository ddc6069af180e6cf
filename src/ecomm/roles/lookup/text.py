"""How text becomes search tokens, the same way for products and for queries.

Folding removes case and accents ("Café" → "cafe", "Straße" → "strasse") so shoppers need not
type them. Stopwords are left out of the index: they match nearly every product, so their
postings would be the largest sets in memory while never narrowing a search.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterator

_WORD = re.compile(r"[^\W_]+")
# "chef's" is one word, "chefs", not "chef" and a stray "s" that would match every chef's knife.
_APOSTROPHES = re.compile(r"(?<=\w)['\u2019](?=\w)")
_SPACE = re.compile(r"\s+")

# Small on purpose: only words that carry no meaning in a product search.
STOPWORDS = frozenset(
    ("a", "an", "and", "are", "as", "at", "be", "by", "for", "from", "in", "is", "it", "of",
     "on", "or", "our", "the", "to", "with")
)  # fmt: skip

# Fuzzy matching starts at this length: shorter words have too many neighbours at distance 1.
FUZZY_MIN_LENGTH = 5


def fold(text: str) -> str:
    """Lowercase and strip accents; ASCII takes the fast path (it is nearly all input)."""
    if text.isascii():
        return text.lower()
    decomposed = unicodedata.normalize("NFKD", text)
    return "".join(c for c in decomposed if not unicodedata.combining(c)).casefold()


def words(text: str) -> list[str]:
    """Every folded word of `text`, stopwords included, in order."""
    return _WORD.findall(_APOSTROPHES.sub("", fold(text)))


def tokens(text: str) -> set[str]:
    """The distinct folded words of `text` worth indexing."""
    return {w for w in words(text) if w not in STOPWORDS}


def query_terms(text: str) -> list[str]:
    """A query's distinct terms, in order; stopwords drop unless nothing else is left."""
    all_words = list(dict.fromkeys(words(text)))
    meaningful = [w for w in all_words if w not in STOPWORDS]
    return meaningful or all_words


def normalise_query(text: str) -> str:
    """The form trending counts a query under: folded, whitespace collapsed."""
    return _SPACE.sub(" ", fold(text)).strip()


def deletions(word: str) -> Iterator[str]:
    """`word` with one character removed, at each position (its deletion neighbourhood)."""
    for i in range(len(word)):
        yield word[:i] + word[i + 1 :]


def within_one_edit(a: str, b: str) -> bool:
    """True when `a` and `b` differ by at most one insertion, deletion, substitution or swap."""
    if a == b:
        return True
    la, lb = len(a), len(b)
    if abs(la - lb) > 1:
        return False
    if la > lb:
        a, b, la, lb = b, a, lb, la
    i = 0
    while i < la and a[i] == b[i]:
        i += 1
    if la == lb:
        # One substitution, or two neighbours swapped.
        return a[i + 1 :] == b[i + 1 :] or (
            i + 1 < la and a[i] == b[i + 1] and a[i + 1] == b[i] and a[i + 2 :] == b[i + 2 :]
        )
    return a[i:] == b[i + 1 :]
