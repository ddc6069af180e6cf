"""A deterministic generated catalog that reads like a shop: the same N products everywhere.

What is sold (categories, kinds, the words and prices that fit each kind) is in
catalog_kinds*; this module turns a product's index into its name, description, price and
stock, cheaply enough to seed a hundred thousand products in about a second.
"""

from __future__ import annotations

import asyncio
import functools
import math
import random
import zlib
from collections.abc import Iterator
from dataclasses import dataclass
from decimal import Decimal
from itertools import permutations

from tqdm import tqdm

from ecomm.core.adapters.products_table import BATCH_WRITE_LIMIT, ProductRepository
from ecomm.core.domain.assortment import CATEGORIES, kind_of
from ecomm.core.domain.kinds import Category, Kind
from ecomm.core.domain.products import Product

__all__ = ["CATEGORIES", "generate", "kind_of", "product_id", "seed"]
SEED_TIMESTAMP = "2026-01-01T00:00:00.000Z"
_ORDERS = 24  # ways to shuffle a category's kinds, so a category page is not one fixed rhythm
_STOCK = (1, 2, 3, 5, 8, 12, 20, 35, 50, 100)


def product_id(index: int) -> str:
    return f"P{index:06d}"


@dataclass(frozen=True)
class _Combination:
    """One combination of a kind's words: its name either side of a later round's mark."""

    before: str
    after: str
    intro: str
    finish_rank: int


class _Namer:
    """One kind, ready to name its n-th product: a fixed permutation of its combinations."""

    def __init__(self, category: Category, kind: Kind, seed: int) -> None:
        self.category, self.kind = category, kind
        options = {
            "brand": category.brands,
            "adjective": kind.adjectives or category.adjectives,
            "variant": kind.variants,
            "finish": kind.finishes,
        }
        self.dims = tuple((k, v) for k, v in options.items() if "{" + k + "}" in kind.template)
        self.size = math.prod(len(values) for _, values in self.dims)
        # A step coprime with the size visits every combination once per round, in an order
        # that spreads neighbours apart; each later round repeats them with the kind's mark.
        self.step = next(
            s for s in range(round(self.size * 0.618), 2 * self.size + 2)
            if math.gcd(s, self.size) == 1
        )  # fmt: skip
        self.offset = zlib.crc32(f"{seed}:{kind.name}".encode()) % self.size
        self.pairs = tuple(permutations(range(len(kind.features)), 2))
        self._made: dict[int, _Combination] = {}
        self._marks: dict[int, str] = {0: ""}

    def name(self, ordinal: int) -> tuple[str, _Combination]:
        """The ordinal-th name of this kind, and the combination it was made of."""
        rounds, at = divmod(ordinal, self.size)
        combination = (at * self.step + self.offset) % self.size
        made = self._made.get(combination) or self._make(combination)
        mark = self._marks.get(rounds)
        if mark is None:
            number = rounds + 1
            mark = self.kind.again.format(roman=_roman(number), ordinal=_ordinal(number))
            self._marks[rounds] = mark
        return f"{made.before}{mark}{made.after}", made

    def _make(self, combination: int) -> _Combination:
        words: dict[str, str] = {}
        finish_rank = 0
        rest = combination
        for placeholder, values in self.dims:
            rest, at = divmod(rest, len(values))
            words[placeholder] = values[at]
            if placeholder == "finish":
                finish_rank = at
        before, after = self.kind.template.split("{again}")
        lowered = {"v": _lower(words.get("variant", "")), "f": _lower(words.get("finish", ""))}
        made = _Combination(
            before.format(kind=self.kind.name, **words),
            after.format(kind=self.kind.name, **words),
            self.kind.intro.format(**lowered),
            finish_rank,
        )
        self._made[combination] = made
        return made


@functools.cache  # a few hundred variants and finishes, each lowered once
def _lower(text: str) -> str:
    """Lower case for the middle of a sentence, keeping USB, 4K, E27 and 8x42 as they are."""

    def word(w: str) -> str:
        if w.isupper():
            return w
        if any(c.isdigit() for c in w):  # "4-Person" reads "4-person", "E27" stays
            return "-".join(
                p if p.isupper() or not p.isalpha() else p.lower() for p in w.split("-")
            )
        return w.lower()

    return " ".join(word(w) for w in text.split())


def _roman(number: int) -> str:
    out = []
    for value, letters in ((1000, "M"), (900, "CM"), (500, "D"), (400, "CD"), (100, "C"),
                           (90, "XC"), (50, "L"), (40, "XL"), (10, "X"), (9, "IX"), (5, "V"),
                           (4, "IV"), (1, "I")):  # fmt: skip
        times, number = divmod(number, value)
        out.append(letters * times)
    return "".join(out)


def _ordinal(number: int) -> str:
    suffix = (
        "th" if 10 <= number % 100 <= 20 else {1: "st", 2: "nd", 3: "rd"}.get(number % 10, "th")
    )
    return f"{number}{suffix}"


@functools.cache
def _namers(seed: int) -> tuple[tuple[tuple[_Namer, ...], ...], ...]:
    """Per category, `_ORDERS` shuffles of its kinds' namers."""
    shuffled = []
    for category in CATEGORIES:
        namers = [_Namer(category, kind, seed) for kind in category.kinds]
        orders = []
        for order in range(_ORDERS):
            random.Random(f"{seed}:{category.name}:{order}").shuffle(namers)  # noqa: S311
            orders.append(tuple(namers))
        shuffled.append(tuple(orders))
    return tuple(shuffled)


_MASK = (1 << 64) - 1


def _mix(value: int) -> int:
    """64 well-mixed bits from an integer (splitmix64): a product's dice, without the cost
    of seeding a `random.Random` for every product."""
    z = (value + 0x9E3779B97F4A7C15) & _MASK
    z = ((z ^ (z >> 30)) * 0xBF58476D1CE4E5B9) & _MASK
    z = ((z ^ (z >> 27)) * 0x94D049BB133111EB) & _MASK
    return z ^ (z >> 31)


@functools.lru_cache(maxsize=4096)
def _money(cents: int) -> Decimal:
    return Decimal(cents).scaleb(-2)


def _price(kind: Kind, finish_rank: int, dice: int) -> Decimal:
    low, high = kind.price
    if kind.sized:  # a larger size costs more: each finish has its own band of the range
        bands = len(kind.finishes)
        dollars = low + (high - low) * finish_rank // bands + dice % max(1, (high - low) // bands)
    else:
        dollars = low + dice % (high - low)
    if dollars >= 20 and dollars - dollars % 5 + 4 < high:
        dollars += 4 - dollars % 5  # shelf prices end in 4 or 9
    roll = dice // 1024 % 20
    cents = 99 if roll < 14 else 49 if roll < 17 else 0
    return _money(dollars * 100 + cents)


def generate(count: int, seed: int = 42) -> Iterator[Product]:
    """`count` products; product `i` is the same for every `count` above `i`.

    Product i belongs to category i mod C; within its category, every block of K products
    (K kinds) holds each kind once, so the n-th block gives each kind its n-th name: names
    are unique without remembering the ones already made.
    """
    namers = _namers(seed)
    salt = _mix(seed)
    for index in range(count):
        orders = namers[index % len(namers)]
        block, slot = divmod(index // len(namers), len(orders[0]))
        namer = orders[block % _ORDERS][slot]
        name, made = namer.name(block)
        dice = _mix(salt ^ index)
        first, second = namer.pairs[dice % len(namer.pairs)]
        features = namer.kind.features
        closings = namer.category.closings
        closing = closings[(dice >> 8) % len(closings)]
        stock_roll = (dice >> 16) % 200
        yield Product(
            productID=product_id(index + 1),
            name=name,
            description=f"{made.intro}. {features[first]}. {features[second]}. {closing}",
            category=namer.category.name,
            price=_price(namer.kind, made.finish_rank, dice >> 32),
            stock=0 if stock_roll < 10 else _STOCK[stock_roll % len(_STOCK)],
            updatedAt=SEED_TIMESTAMP,
        )


async def seed(
    products: ProductRepository, count: int, *, concurrency: int = 8, progress: bool = True
) -> int:
    """Write `count` generated products with parallel batch writes; returns how many."""
    bar = tqdm(total=count, unit="products", disable=not progress, desc="seeding")
    chunk = BATCH_WRITE_LIMIT * 4
    queue: asyncio.Queue[list[Product]] = asyncio.Queue()
    batch: list[Product] = []
    for product in generate(count):
        batch.append(product)
        if len(batch) == chunk:
            queue.put_nowait(batch)
            batch = []
    if batch:
        queue.put_nowait(batch)

    async def writer() -> None:
        while not queue.empty():
            part = queue.get_nowait()
            await products.put_many(part)
            bar.update(len(part))

    try:
        await asyncio.gather(*(writer() for _ in range(concurrency)))
    finally:
        bar.close()
    return count
