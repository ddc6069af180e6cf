"""How the search engine reads text: the same analysers for products and for queries.

Every text field is indexed twice. The stemmed copy ("bags", "bag" -> "bag") finds what a
shopper means and carries the BM25 ranking; the plain copy, only folded, holds words as they
were written, for prefixes and typos (a stem is not a prefix of what a shopper types: "batteri"
is not a prefix of "battery") and to rank a word as typed above a word that merely shares its
stem ("water" is the stem of "watering" too). Folding drops case and accents ("Café" -> "cafe").

Stopwords carry no meaning in a product search and match nearly every product, so neither copy
holds them and a query drops them. The stemmer misses irregular plurals, so a query word also
tries the few forms `plural_variants` names, when the catalog has them.
"""

from __future__ import annotations

import re
import string
import unicodedata

import tantivy

STEMMED = "ecomm_stemmed"
PLAIN = "ecomm_plain"

# Small on purpose: only words that carry no meaning in a product search.
STOPWORDS = frozenset(
    ("a", "an", "and", "are", "as", "at", "be", "by", "for", "from", "in", "is", "it", "of",
     "on", "or", "our", "the", "to", "with")
)  # fmt: skip
# Longer "words" are part numbers, hashes or junk: not worth a term each.
MAX_WORD_LENGTH = 40

# "chef's" is one word, "chefs", not "chef" and a stray "s" that every chef's knife would hold.
_APOSTROPHES = re.compile(r"(?<=\w)['\u2019](?=\w)")
_IRREGULAR = {
    "mice": ("mouse",), "mouse": ("mice",), "geese": ("goose",), "goose": ("geese",),
    "teeth": ("tooth",), "tooth": ("teeth",), "feet": ("foot",), "foot": ("feet",),
    "children": ("child",), "child": ("children",), "men": ("man",), "man": ("men",),
    "women": ("woman",), "woman": ("women",), "people": ("person",), "person": ("people",),
}  # fmt: skip


def analyzers() -> dict[str, tantivy.TextAnalyzer]:
    """The analysers the schema's text fields name, to register on every index."""
    return {STEMMED: _analyzer(stem=True, stopwords=True), PLAIN: _analyzer(stopwords=True)}


def query_analyzer() -> tantivy.TextAnalyzer:
    """Folds and splits a query like `PLAIN`, but keeps stopwords and long words: the caller
    tells "only stopwords" (nothing to find) from "no words at all" (browse)."""
    return _analyzer()


def _analyzer(*, stem: bool = False, stopwords: bool = False) -> tantivy.TextAnalyzer:
    builder = tantivy.TextAnalyzerBuilder(tantivy.Tokenizer.simple())
    if stopwords:
        builder = builder.filter(tantivy.Filter.remove_long(MAX_WORD_LENGTH + 1))
    builder = builder.filter(tantivy.Filter.lowercase()).filter(tantivy.Filter.ascii_fold())
    if stopwords:
        builder = builder.filter(tantivy.Filter.custom_stopword(sorted(STOPWORDS)))
    if stem:
        builder = builder.filter(tantivy.Filter.stemmer("english"))
    return builder.build()


def prepare(text: str) -> str:
    """Text as the analysers should see it: apostrophes inside words removed."""
    if "'" in text or "\u2019" in text:
        return _APOSTROPHES.sub("", text)
    return text


def fold(text: str) -> str:
    """Lowercase and strip accents: how names compare when products are sorted by name."""
    if text.isascii():
        return text.lower()
    decomposed = unicodedata.normalize("NFKD", text)
    return "".join(c for c in decomposed if not unicodedata.combining(c)).casefold()


class _Symbols(dict[int, str]):
    """A character's base-32 digit in a name's head; what no entry names sorts above "z"."""

    def __missing__(self, char: int) -> str:
        return _ABOVE_LETTERS


_END, _SPACE, _PUNCTUATION, _DIGIT, _BETWEEN, _ABOVE_LETTERS = "0", "1", "2", "3", "4", "v"
_SYMBOLS = _Symbols(dict.fromkeys(range(ord(" ")), _END))
_SYMBOLS |= {ord(" "): _SPACE} | dict.fromkeys(range(ord("!"), ord("0")), _PUNCTUATION)
_SYMBOLS |= {ord(d): _DIGIT for d in "0123456789"}
_SYMBOLS |= dict.fromkeys(range(ord("9") + 1, ord("a")), _BETWEEN)
# The letters are the only characters with a digit each (5 to u): names are mostly letters.
_SYMBOLS |= {ord(c): "56789abcdefghijklmnopqrstu"[i] for i, c in enumerate(string.ascii_lowercase)}
_SHARED = re.compile(f"[{_END}{_PUNCTUATION}{_DIGIT}{_BETWEEN}{_ABOVE_LETTERS}]")
HEAD_CHARS = 12  # base-32 digits: 60 bits
TAIL_CHARS = 8  # bytes: 64 bits, the first below 0x80
_NOT_ASCII = re.compile(r"[^\x00-\x7e]")


def name_order(folded: str) -> tuple[int, int]:
    """Two integers that order folded names as strings do, as far as they tell: when one
    name's pair is smaller than another's, so is the name. Tantivy sorts by an integer far
    faster than by a string; names whose pairs tie are ordered by the caller.

    The head holds the first 12 characters, a base-32 digit each. Digits that several
    characters share (all but the letters and the space) end it: what follows cannot be told
    apart by digits any more. The tail goes on with the next 8 characters, a byte each, from the
    one that ended the head (so that one is told apart exactly) or after the 12th; a character
    beyond ASCII ends it, as 0x7f.
    """
    digits = folded[:HEAD_CHARS].translate(_SYMBOLS)
    shared = _SHARED.search(digits)
    rest = min(len(folded), HEAD_CHARS)
    if shared is not None:
        digits, rest = digits[: shared.end()], shared.start()
    tail = folded[rest : rest + TAIL_CHARS]
    if not tail.isascii() or "\x7f" in tail:
        beyond = _NOT_ASCII.search(tail)
        tail = tail[: beyond.start() if beyond else len(tail)] + "\x7f"
    head = int(digits.ljust(HEAD_CHARS, _END), 32)
    return head, int.from_bytes(tail[:TAIL_CHARS].encode("ascii").ljust(TAIL_CHARS, b"\0"))


def plural_variants(word: str) -> tuple[str, ...]:
    """Other forms of `word` the stemmer does not join to it: "knives" and "knife"."""
    found = _IRREGULAR.get(word, ())
    if word.endswith("ves") and len(word) > 4:
        found = (*found, word[:-3] + "f", word[:-3] + "fe")
    elif word.endswith("fe") and len(word) > 3:
        found = (*found, word[:-2] + "ves")
    elif word.endswith("f") and len(word) > 2:
        found = (*found, word[:-1] + "ves")
    return found


def edit_distance(a: str, b: str, limit: int) -> int:
    """Edits (insert, delete, substitute, swap two neighbours) from `a` to `b`; any answer
    above `limit` is `limit + 1`, found without filling the whole table."""
    if abs(len(a) - len(b)) > limit:
        return limit + 1
    previous: list[int] = []
    row = list(range(len(b) + 1))
    for i in range(1, len(a) + 1):
        before, previous, row = previous, row, [i] + [0] * len(b)
        for j in range(1, len(b) + 1):
            cost = 0 if a[i - 1] == b[j - 1] else 1
            row[j] = min(previous[j] + 1, row[j - 1] + 1, previous[j - 1] + cost)
            if i > 1 and j > 1 and a[i - 1] == b[j - 2] and a[i - 2] == b[j - 1]:
                row[j] = min(row[j], before[j - 2] + 1)
        if min(row) > limit:
            return limit + 1
    return min(row[len(b)], limit + 1)
