"""A product's JSON bytes: what `json.dumps` writes for each field; web reads it back as it was."""

from __future__ import annotations

import json
from decimal import Decimal

from hypothesis import given, settings
from hypothesis import strategies as st

from ecomm.core.contracts.products import ProductBody, loads, product_json
from ecomm.core.domain.products import Product

# Quotes, backslashes, control characters, accents, emoji and lone surrogates: everything a
# JSON string escapes.
texts = st.text(st.characters(codec=None, exclude_categories=()), max_size=40)

products = st.builds(
    Product,
    productID=texts,
    name=texts,
    description=texts,
    category=texts,
    price=st.decimals(min_value=0, max_value=10**9, places=2),
    stock=st.integers(min_value=-(2**40), max_value=2**40),
    updatedAt=texts,
    imageUrl=st.none() | texts,
    sold=st.integers(min_value=0, max_value=2**40),
)


def dumped_field_by_field(product: Product) -> bytes:
    """The product's JSON as `json.dumps` writes each of its values."""
    text = json.dumps
    return (
        b'{"productID": %s, "name": %s, "description": %s, "category": %s, "price": %s, '
        b'"stock": %d, "updatedAt": %s, "imageUrl": %s, "sold": %d}'
        % (
            text(product.productID).encode(),
            text(product.name).encode(),
            text(product.description).encode(),
            text(product.category).encode(),
            f"{product.price.quantize(Decimal('0.01')):f}".encode(),
            product.stock,
            text(product.updatedAt).encode(),
            text(product.imageUrl).encode(),
            product.sold,
        )
    )


@settings(max_examples=500)
@given(products)
def test_a_product_is_written_byte_for_byte_as_json_dumps_writes_its_values(
    product: Product,
) -> None:
    assert product_json(product) == dumped_field_by_field(product)


def test_a_product_reads_back_as_it_was() -> None:
    product = Product(
        productID="P-1",
        name='Café "Oak" \\ Lamp\n☕',
        description="Oak, oiled.",  # every field away from its default: none may be dropped
        category="Home & Kitchen",
        price=Decimal("19.9"),
        stock=3,
        updatedAt="2026-01-01T00:00:00.000Z",
        imageUrl="https://cdn.example.com/lamp.jpg",
        sold=2,
    )
    read = ProductBody.model_validate(loads(product_json(product))).to_domain()
    assert read == Product(**{**product.__dict__, "price": Decimal("19.90")})
