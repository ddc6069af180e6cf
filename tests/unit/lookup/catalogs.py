"""Small hand-made catalogs for the lookup unit tests."""

from __future__ import annotations

from collections.abc import Iterable
from decimal import Decimal

from ecomm.core.domain.products import Product
from ecomm.roles.lookup.engine import SearchEngine
from ecomm.roles.lookup.readmodel import ReadModel


def product(
    product_id: str,
    name: str,
    *,
    category: str = "Audio",
    description: str = "",
    price: str = "10.00",
    stock: int = 5,
    updated_at: str = "2026-01-01T00:00:00.000Z",
) -> Product:
    return Product(
        productID=product_id,
        name=name,
        description=description,
        category=category,
        price=Decimal(price),
        stock=stock,
        updatedAt=updated_at,
    )


def engine_of(products: Iterable[Product]) -> SearchEngine:
    engine = SearchEngine()
    engine.load(products)
    engine.finish_load()
    return engine


def ready_model(products: Iterable[Product]) -> ReadModel:
    model = ReadModel(engine_of(products))
    model.mark_ready()
    return model
