"""A deterministic, realistic generated catalog: the same N products on every machine."""

from __future__ import annotations

import asyncio
import random
from collections.abc import Iterator
from decimal import Decimal

from tqdm import tqdm

from ecomm.core.adapters.products_table import BATCH_WRITE_LIMIT, ProductRepository
from ecomm.core.domain.products import Product

# category -> (kinds of product, price range)
_CATEGORIES: dict[str, tuple[tuple[str, ...], tuple[int, int]]] = {
    "Audio": (
        ("Headphones", "Earbuds", "Speaker", "Soundbar", "Turntable", "Microphone"),
        (19, 399),
    ),
    "Computers": (
        ("Laptop Stand", "Keyboard", "Mouse", "Monitor", "USB-C Hub", "Webcam"),
        (15, 899),
    ),
    "Home & Kitchen": (
        ("Kettle", "Chef's Knife", "Coffee Grinder", "Toaster", "Skillet"),
        (12, 249),
    ),
    "Outdoors": (("Tent", "Sleeping Bag", "Backpack", "Headlamp", "Water Bottle"), (9, 459)),
    "Books": (("Cookbook", "Novel", "Field Guide", "Atlas", "Poetry Collection"), (8, 59)),
    "Toys": (("Puzzle", "Building Set", "Kite", "Board Game", "Plush Bear"), (7, 129)),
    "Fashion": (("Rain Jacket", "Wool Scarf", "Sneakers", "Leather Belt", "Sunglasses"), (14, 299)),
    "Sports": (
        ("Yoga Mat", "Running Shoes", "Dumbbell Set", "Bike Helmet", "Tennis Racket"),
        (11, 349),
    ),
    "Garden": (("Watering Can", "Pruning Shears", "Planter", "Hose Reel", "Bird Feeder"), (6, 189)),
    "Beauty": (("Face Cream", "Hair Dryer", "Shaving Kit", "Perfume", "Nail Set"), (5, 159)),
}
_ADJECTIVES = (
    "Classic", "Compact", "Deluxe", "Everyday", "Featherweight", "Heritage", "Midnight", "Nordic",
    "Pro", "Quiet", "Rugged", "Solar", "Studio", "Trail", "Urban", "Velvet", "Wireless", "Zen",
)  # fmt: skip
_MATERIALS = (
    "Bamboo", "Carbon", "Ceramic", "Copper", "Cotton", "Granite", "Linen", "Maple", "Oak",
    "Recycled", "Steel", "Walnut", "Wool",
)  # fmt: skip
_QUALITIES = (
    "built to last", "easy to clean", "designed for small spaces", "loved by reviewers",
    "with a two-year warranty", "made from responsibly sourced materials", "a bestseller",
    "ready to gift", "tested by our team",
)  # fmt: skip

SEED_TIMESTAMP = "2026-01-01T00:00:00.000Z"


def product_id(index: int) -> str:
    return f"P{index:06d}"


def generate(count: int, seed: int = 42) -> Iterator[Product]:
    """`count` products; product `i` is the same for every `count` above `i`."""
    categories = sorted(_CATEGORIES)
    for index in range(count):
        rng = random.Random(f"{seed}:{index}")  # noqa: S311 - deterministic sample data
        category = categories[index % len(categories)]
        kinds, (low, high) = _CATEGORIES[category]
        kind = rng.choice(kinds)
        adjective, material = rng.choice(_ADJECTIVES), rng.choice(_MATERIALS)
        name = f"{adjective} {material} {kind}"
        cents = rng.choice((0, 49, 95, 99))
        price = Decimal(rng.randint(low, high)) + Decimal(cents) / 100
        stock = 0 if rng.random() < 0.05 else rng.choice((1, 2, 3, 5, 8, 12, 20, 35, 50, 100))
        description = (
            f"The {name.lower()}: {rng.choice(_QUALITIES)}, {rng.choice(_QUALITIES)}. "
            f"A {material.lower()} {kind.lower()} from our {category} range."
        )
        yield Product(
            productID=product_id(index + 1),
            name=name,
            description=description,
            category=category,
            price=price,
            stock=stock,
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
