"""A picture for every product: a deterministic SVG drawn from its id, initials and category.

Seeded products have no photograph, and a grid of grey boxes sells nothing. The same product
always gets the same picture (colours from a hash of its id, a shape per category, its initials),
so it can be cached by browsers and compared by ETag.

The page that shows a picture already knows the product, so the picture's URL carries the
initials and the category: drawing it then costs no call to lookup (and no DynamoDB read),
which matters on a results page of twenty pictures. A bare `/images/{id}.svg` still works by
asking lookup.
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass
from html import escape
from urllib.parse import quote, urlencode

from ecomm.core.domain.products import Product

WIDTH, HEIGHT = 480, 360
MAX_CATEGORY = 60
_LETTERS = re.compile(r"[^\W_]{1,2}")

_SHAPES = (
    '<circle cx="240" cy="168" r="112" fill="{fill}"/>',
    '<rect x="136" y="64" width="208" height="208" rx="36" fill="{fill}"/>',
    '<polygon points="240,48 360,264 120,264" fill="{fill}"/>',
    '<polygon points="240,52 340,110 340,226 240,284 140,226 140,110" fill="{fill}"/>',
    '<polygon points="240,44 364,168 240,292 116,168" fill="{fill}"/>',
)


@dataclass(frozen=True)
class ProductImage:
    svg: bytes
    etag: str


def image_url(product: Product) -> str:
    """Where the page finds the product's picture: its own https image, else ours."""
    if product.imageUrl and product.imageUrl.startswith(("https://", "/")):
        return product.imageUrl
    query = urlencode(
        {"i": initials(product.name, product.productID), "c": product.category[:MAX_CATEGORY]}
    )
    return f"/images/{quote(product.productID, safe='')}.svg?{query}"


@dataclass(frozen=True)
class ImageSpec:
    """Everything a picture is drawn from."""

    product_id: str
    letters: str
    category: str

    @classmethod
    def of(cls, product: Product) -> ImageSpec:
        return cls(product.productID, initials(product.name, product.productID), product.category)

    @classmethod
    def from_query(cls, product_id: str, letters: str, category: str) -> ImageSpec | None:
        """The spec an image URL carries, or None when it carries none (or a forged one)."""
        if not _LETTERS.fullmatch(letters) or not category or len(category) > MAX_CATEGORY:
            return None
        return cls(product_id, letters.upper(), category)


def initials(name: str, fallback: str) -> str:
    words = re.findall(r"[^\W_]+", name)
    letters = "".join(w[0] for w in words[:2]) or fallback[:1] or "?"
    return letters.upper()


def _digest(text: str) -> bytes:
    return hashlib.sha256(text.encode()).digest()


def draw(spec: ImageSpec) -> ProductImage:
    seed = _digest(spec.product_id)
    hue = int.from_bytes(seed[:2], "big") % 360
    hue2 = (hue + 30 + seed[2] % 60) % 360
    shape = _SHAPES[_digest(spec.category)[0] % len(_SHAPES)]
    angle = seed[3] % 4 * 45
    label = escape(spec.category.upper()[:28])
    letters = escape(spec.letters)
    svg = f"""<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {WIDTH} {HEIGHT}" \
width="{WIDTH}" height="{HEIGHT}" role="img" aria-label="{escape(spec.category)}">
<defs><linearGradient id="g" gradientTransform="rotate({angle} .5 .5)">
<stop offset="0" stop-color="hsl({hue},62%,54%)"/>
<stop offset="1" stop-color="hsl({hue2},60%,36%)"/></linearGradient></defs>
<rect width="{WIDTH}" height="{HEIGHT}" fill="url(#g)"/>
{shape.format(fill="rgba(255,255,255,0.22)")}
<text x="240" y="168" dy="0.35em" text-anchor="middle" font-family="system-ui,sans-serif" \
font-size="96" font-weight="700" fill="#fff">{letters}</text>
<text x="240" y="330" text-anchor="middle" font-family="system-ui,sans-serif" font-size="20" \
letter-spacing="3" fill="rgba(255,255,255,0.85)">{label}</text>
</svg>
"""
    body = svg.encode()
    return ProductImage(body, f'"{hashlib.sha256(body).hexdigest()[:32]}"')
