"""A picture's URL carries its initials, category and kind exactly as `urlencode` writes them."""

from __future__ import annotations

from dataclasses import replace
from decimal import Decimal
from urllib.parse import quote, urlencode

from hypothesis import given, settings
from hypothesis import strategies as st

from ecomm.core.domain.assortment import kind_of
from ecomm.core.domain.products import Product
from ecomm.ops.catalog import generate
from ecomm.roles.web.product_images import ICONS, MAX_CATEGORY, image_url, initials, kind_slug

CATALOG = list(generate(300))


def urlencoded(product: Product) -> str:
    query = {"i": initials(product.name, product.productID), "c": product.category[:MAX_CATEGORY]}
    kind = kind_of(product.name, product.category)
    if kind in ICONS:
        query["k"] = kind_slug(kind)
    return f"/images/{quote(product.productID, safe='')}.svg?{urlencode(query)}"


def test_every_generated_product_s_picture_url_is_what_urlencode_writes() -> None:
    assert [image_url(p) for p in CATALOG] == [urlencoded(p) for p in CATALOG]


@settings(max_examples=300)
@given(
    st.sampled_from(CATALOG),
    st.text(max_size=30) | st.sampled_from(["Desk Lamp & Co", "É+ö Kettle", "a=b&c"]),
    st.text(max_size=80) | st.sampled_from(["Home & Kitchen", "Audio", "Toys/Games +"]),
)
def test_any_name_and_category_make_the_url_urlencode_writes(
    product: Product, name: str, category: str
) -> None:
    odd = replace(product, name=name, category=category, price=Decimal("1"))
    assert image_url(odd) == urlencoded(odd)
