"""A picture for every product: a deterministic SVG drawn from its id, name and category.

Seeded products have no photograph, and a grid of grey boxes sells nothing. The same product
always gets the same picture (colours from a hash of its id, a shape per category, its initials),
so it can be cached by browsers and compared by ETag.
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass
from html import escape
from urllib.parse import quote

from ecomm.core.domain import Product

WIDTH, HEIGHT = 480, 360

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
    return f"/images/{quote(product.productID, safe='')}.svg"


def initials(name: str, fallback: str) -> str:
    words = re.findall(r"[^\W_]+", name)
    letters = "".join(w[0] for w in words[:2]) or fallback[:1] or "?"
    return letters.upper()


def _digest(text: str) -> bytes:
    return hashlib.sha256(text.encode()).digest()


def draw(product: Product) -> ProductImage:
    seed = _digest(product.productID)
    hue = int.from_bytes(seed[:2], "big") % 360
    hue2 = (hue + 30 + seed[2] % 60) % 360
    shape = _SHAPES[_digest(product.category)[0] % len(_SHAPES)]
    angle = seed[3] % 4 * 45
    label = escape(product.category.upper()[:28])
    letters = escape(initials(product.name, product.productID))
    svg = f"""<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {WIDTH} {HEIGHT}" \
width="{WIDTH}" height="{HEIGHT}" role="img" aria-label="{escape(product.name)}">
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
