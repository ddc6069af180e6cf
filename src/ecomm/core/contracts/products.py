"""A product on the wire, and the bodies of lookup's catalog API: the one definition both sides use.

Lookup writes a product's JSON with `product_json` (the bytes it joins into answers);
web reads it with `ProductBody`. The price is a JSON number written from the Decimal and read back
into a Decimal (`loads` parses every number that has a point as a Decimal): no float ever holds it.
"""

from __future__ import annotations

import json
from decimal import Decimal
from json.encoder import encode_basestring_ascii as _text
from typing import Annotated, Any

from pydantic import BaseModel, ConfigDict, Field

from ecomm.core.contracts.identifiers import PRODUCT_ID, is_product_id
from ecomm.core.domain.products import Product

MAX_IDS = 100  # products in one batch read: a cart of MAX_ORDER_LINES and then some
CENT = Decimal("0.01")


class InvalidIds(ValueError):
    """An `ids` parameter that names no products, or too many, or not as ids."""


def product_json(product: Product) -> bytes:
    """A product as lookup's API sends it: the table's attribute names.

    Each string is written by `json.dumps`'s own escaper (what `json.dumps(text)` calls for a
    string), without `dumps`'s dispatch around it: the same bytes at half the cost, and a
    search page writes twenty products."""
    p, image = product, product.imageUrl
    return (
        f'{{"productID": {_text(p.productID)}, "name": {_text(p.name)}, '
        f'"description": {_text(p.description)}, "category": {_text(p.category)}, '
        f'"price": {p.price.quantize(CENT):f}, "stock": {p.stock:d}, '
        f'"updatedAt": {_text(p.updatedAt)}, '
        f'"imageUrl": {"null" if image is None else _text(image)}, "sold": {p.sold:d}}}'
    ).encode()


def items_json(items: list[bytes], **fields: int) -> bytes:
    """`{"items": [...], field: n, ...}` from products' JSON bytes."""
    extra = b"".join(b', "%s": %d' % (name.encode(), value) for name, value in fields.items())
    return b'{"items": [%b]%b}' % (b", ".join(items), extra)


def categories_json(categories: list[tuple[str, int]]) -> bytes:
    """`{"categories": [{"name", "count"}, ...]}` from (label, product count) pairs."""
    return b'{"categories": %b}' % categories_list(categories)


def categories_list(categories: list[tuple[str, int]]) -> bytes:
    """`[{"name", "count"}, ...]` from (label, product count) pairs."""
    listed = [{"name": name, "count": count} for name, count in categories]
    return json.dumps(listed).encode()


def loads(body: bytes) -> Any:
    """JSON from lookup, numbers with a point as Decimal."""
    return json.loads(body, parse_float=Decimal)


def read_ids(text: str) -> list[str]:
    """`ids=a,b,c`: distinct product ids in the order given; `InvalidIds` with a reason."""
    ids = list(dict.fromkeys(i for i in text.split(",") if i))
    if not ids:
        raise InvalidIds("ids must name at least one product")
    if len(ids) > MAX_IDS:
        raise InvalidIds(f"ids may name at most {MAX_IDS} products")
    if not all(is_product_id(i) for i in ids):
        raise InvalidIds(f"a product id matches {PRODUCT_ID.pattern}")
    return ids


class _Body(BaseModel):
    model_config = ConfigDict(extra="ignore", frozen=True)


class ProductBody(_Body):
    productID: str  # noqa: N815 - the table's attribute names, verbatim
    name: str
    description: str = ""
    category: str = ""
    price: Annotated[Decimal, Field(ge=0)]
    stock: int
    updatedAt: str = ""  # noqa: N815
    imageUrl: str | None = None  # noqa: N815
    sold: Annotated[int, Field(ge=0)] = 0

    def to_domain(self) -> Product:
        # Field by field: model_dump() and a dict to unpack cost three times as much, and a
        # results page reads twenty products.
        return Product(
            productID=self.productID,
            name=self.name,
            description=self.description,
            category=self.category,
            price=self.price.quantize(CENT),
            stock=self.stock,
            updatedAt=self.updatedAt,
            imageUrl=self.imageUrl,
            sold=self.sold,
        )


class ProductsAnswer(_Body):
    items: list[ProductBody]


class CategoryBody(_Body):
    name: str
    count: int = 0


class CategoriesAnswer(_Body):
    categories: list[CategoryBody]


class TrendBody(_Body):
    query: str
    score: float = 0.0  # a decayed count of searches, not money


class TrendingAnswer(_Body):
    items: list[TrendBody]
