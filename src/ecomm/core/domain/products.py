"""A product of the catalog, as the Products table holds it."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from ecomm.core.domain.errors import DomainError


@dataclass(frozen=True)
class Product:
    productID: str  # noqa: N815 - the table's attribute name, kept verbatim across layers
    name: str
    description: str
    category: str
    price: Decimal
    stock: int
    updatedAt: str  # noqa: N815
    imageUrl: str | None = None  # noqa: N815
    sold: int = 0  # units in confirmed orders, counted by the order transaction

    @property
    def in_stock(self) -> bool:
        return self.stock > 0


class ProductNotFound(DomainError):
    def __init__(self, product_id: str) -> None:
        super().__init__(f"no product {product_id!r}")
        self.product_id = product_id
