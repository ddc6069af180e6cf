"""A picture for every product: a deterministic SVG of what kind of thing it is.

Seeded products have no photograph, and a grid of grey boxes sells nothing. A product whose
name says its kind ("... Desk Lamp") gets that kind's pictogram, from the Tabler Icons copied
into static/icons with their licence; any other gets its initials. The same product always gets
the same picture (colours from a hash of its id, a shape per category), so it can be cached by
browsers and compared by ETag. The icon's paths are copied into our own SVG: one response, no
reference to another file, which the page's `img-src 'self'` would allow but a saved image
would lose.

The page that shows a picture already knows the product, so the picture's URL carries the
initials, the category and the kind: drawing it then costs no call to lookup (and no DynamoDB
read), which matters on a results page of twenty pictures. A bare `/images/{id}.svg` still
works by asking lookup.
"""

from __future__ import annotations

import functools
import hashlib
import re
from dataclasses import dataclass
from html import escape
from pathlib import Path
from urllib.parse import quote, quote_plus
from xml.etree import ElementTree

from ecomm.core.domain.assortment import kind_of
from ecomm.core.domain.products import Product

ICON_DIR = Path(__file__).parent / "static" / "icons"
# kind of product -> its Tabler icon (static/icons/<name>.svg)
ICONS: dict[str, str] = {
    "Headphones": "headphones", "Earbuds": "device-airpods", "Speaker": "device-speaker",
    "Turntable": "vinyl", "Microphone": "microphone", "Radio": "radio",
    "Perfume": "perfume", "Safety Razor": "razor", "Electric Shaver": "razor-electric",
    "Makeup Brush Set": "brush", "Hand Wash": "hand-sanitizer", "Facial Mist": "spray",
    "Cookbook": "chef-hat", "Novel": "book", "Field Guide": "leaf", "Atlas": "map",
    "Picture Book": "mood-kid",
    "Laptop Stand": "device-laptop", "Keyboard": "keyboard", "Mouse": "mouse",
    "Monitor": "device-desktop", "USB-C Hub": "usb", "Webcam": "device-computer-camera",
    "Rain Jacket": "jacket", "T-Shirt": "shirt", "Sneakers": "shoe", "Sunglasses": "sunglasses",
    "Watch": "device-watch", "Tote Bag": "shopping-bag", "Socks": "sock", "Umbrella": "umbrella",
    "Pruning Shears": "scissors", "Planter": "plant", "Trowel": "trowel", "Spade": "shovel",
    "Wheelbarrow": "garden-cart", "Watering Can": "bucket-droplet",
    "Kettle": "teapot", "Coffee Grinder": "coffee", "Cutlery Set": "tools-kitchen-2",
    "Blender": "blender", "Rice Cooker": "cooker", "Mug": "mug", "Serving Bowl": "bowl",
    "Desk Lamp": "lamp-2", "Floor Lamp": "lamp", "Smart Bulb": "bulb", "Candle": "candle",
    "Wake-Up Light": "sunrise",
    "Tent": "tent", "Backpack": "backpack", "Water Bottle": "bottle", "Compass": "compass",
    "Binoculars": "binoculars", "Fishing Rod": "fish-hook",
    "Yoga Mat": "yoga", "Running Shoes": "run", "Kettlebell": "dumbbell", "Bike Helmet": "helmet",
    "Tennis Racket": "ball-tennis", "Football": "ball-football", "Jump Rope": "jump-rope",
    "Jigsaw Puzzle": "puzzle", "Building Set": "lego", "Chess Set": "chess",
    "Board Game": "dice-5", "Rocking Horse": "horse-toy", "Robot": "robot",
}  # fmt: skip

WIDTH, HEIGHT = 480, 360
ICON_SIZE = 168  # of the 24-unit icon grid, drawn inside the category's shape
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


def kind_slug(kind: str) -> str:
    """The kind as its URL carries it: "USB-C Hub" -> "usb-c-hub"."""
    return re.sub(r"[^a-z0-9]+", "-", kind.lower()).strip("-")


_KINDS_BY_SLUG = {kind_slug(kind): kind for kind in ICONS}
# A slug is letters, digits and dashes: it goes into a URL as it is.
_SLUGS = {kind: kind_slug(kind) for kind in ICONS}


def _pictured_kind(product: Product) -> str | None:
    kind = kind_of(product.name, product.category)
    return kind if kind in ICONS else None


def image_url(product: Product) -> str:
    """Where the page finds the product's picture: its own https image, else ours.

    The query is what `urlencode` writes for {"i", "c", "k"}, without its per-item dispatch: a
    results page draws twenty of these."""
    if product.imageUrl and product.imageUrl.startswith(("https://", "/")):
        return product.imageUrl
    letters = _plus(initials(product.name, product.productID))
    query = f"i={letters}&c={_plus(product.category[:MAX_CATEGORY])}"
    kind = kind_of(product.name, product.category)
    if kind in _SLUGS:
        query += f"&k={_SLUGS[kind]}"
    return f"/images/{quote(product.productID, safe='')}.svg?{query}"


@dataclass(frozen=True)
class ImageSpec:
    """Everything a picture is drawn from."""

    product_id: str
    letters: str
    category: str
    kind: str | None = None  # one of ICONS' kinds; None draws the letters

    @classmethod
    def of(cls, product: Product) -> ImageSpec:
        letters = initials(product.name, product.productID)
        return cls(product.productID, letters, product.category, _pictured_kind(product))

    @classmethod
    def from_query(
        cls, product_id: str, letters: str, category: str, kind: str = ""
    ) -> ImageSpec | None:
        """The spec an image URL carries, or None when it carries none (or a forged one)."""
        if not _LETTERS.fullmatch(letters) or not category or len(category) > MAX_CATEGORY:
            return None
        known = _KINDS_BY_SLUG.get(kind) if kind else None
        if kind and known is None:
            return None
        return cls(product_id, letters.upper(), category, known)


def _plus(text: str) -> str:
    """`quote_plus(text)`; ASCII letters and digits, most initials and categories, need none."""
    return text if text.isascii() and text.isalnum() else quote_plus(text)


_WORDS = re.compile(r"[^\W_]+")


def initials(name: str, fallback: str) -> str:
    words = _WORDS.findall(name)
    letters = "".join([w[0] for w in words[:2]]) or fallback[:1] or "?"
    return letters.upper()


_ICON_TAGS = {"path", "circle", "ellipse", "line", "polyline", "polygon", "rect"}
_ICON_ATTRIBUTES = {
    "d", "cx", "cy", "r", "rx", "ry", "x", "y", "x1", "y1", "x2", "y2", "width", "height",
    "points", "fill", "stroke",
}  # fmt: skip


@functools.cache
def icons() -> dict[str, str]:
    """Every kind's icon as the SVG elements to place in a picture, read once per process.

    Only shapes and their geometry are kept (no scripts, links or styles, whatever a file
    holds); the invisible 24x24 frame Tabler puts first in every icon is dropped.
    """
    found: dict[str, str] = {}
    for kind, name in ICONS.items():
        root = ElementTree.parse(ICON_DIR / f"{name}.svg").getroot()  # noqa: S314 - our files
        parts = []
        for element in root.iter():
            tag = element.tag.rpartition("}")[2]
            if tag not in _ICON_TAGS or element.get("stroke") == "none":
                continue
            attributes = "".join(
                f' {key}="{escape(value)}"'
                for key, value in element.attrib.items()
                if key in _ICON_ATTRIBUTES
            )
            parts.append(f"<{tag}{attributes}/>")
        found[kind] = "".join(parts)
    return found


def _digest(text: str) -> bytes:
    return hashlib.sha256(text.encode()).digest()


def _emblem(spec: ImageSpec) -> str:
    """The middle of the picture: the kind's pictogram, else the product's initials."""
    icon = icons().get(spec.kind) if spec.kind else None
    if icon is None:
        return (
            '<text x="240" y="168" dy="0.35em" text-anchor="middle" filter="url(#s)" '
            'font-family="system-ui,sans-serif" font-size="96" font-weight="700" '
            f'fill="#fff">{escape(spec.letters)}</text>'
        )
    scale = ICON_SIZE / 24
    left, top = 240 - ICON_SIZE / 2, 168 - ICON_SIZE / 2
    # The shadow is cast by an unscaled group: inside the scaled one its blur would grow
    # sevenfold and show the edges of the filter's region as a grey box.
    return (
        f'<g filter="url(#s)"><g transform="translate({left:g} {top:g}) scale({scale:g})" '
        'fill="none" stroke="#fff" color="#fff" stroke-width="1.6" stroke-linecap="round" '
        f'stroke-linejoin="round">{icon}</g></g>'
    )


def draw(spec: ImageSpec) -> ProductImage:
    seed = _digest(spec.product_id)
    hue = int.from_bytes(seed[:2], "big") % 360
    hue2 = (hue + 30 + seed[2] % 60) % 360
    shape = _SHAPES[_digest(spec.category)[0] % len(_SHAPES)]
    angle = seed[3] % 4 * 45
    label = escape(spec.category.upper()[:28])
    described = f"{spec.kind}, {spec.category}" if spec.kind else spec.category
    svg = f"""<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {WIDTH} {HEIGHT}" \
width="{WIDTH}" height="{HEIGHT}" role="img" aria-label="{escape(described)}">
<defs><linearGradient id="g" gradientTransform="rotate({angle} .5 .5)">
<stop offset="0" stop-color="hsl({hue},62%,54%)"/>
<stop offset="1" stop-color="hsl({hue2},60%,36%)"/></linearGradient>
<filter id="s" x="-20%" y="-20%" width="140%" height="140%">
<feDropShadow dx="0" dy="3" stdDeviation="4" flood-opacity="0.3"/></filter></defs>
<rect width="{WIDTH}" height="{HEIGHT}" fill="url(#g)"/>
{shape.format(fill="rgba(255,255,255,0.22)")}
{_emblem(spec)}
<text x="240" y="330" text-anchor="middle" font-family="system-ui,sans-serif" font-size="20" \
letter-spacing="3" fill="rgba(255,255,255,0.85)">{label}</text>
</svg>
"""
    body = svg.encode()
    return ProductImage(body, f'"{hashlib.sha256(body).hexdigest()[:32]}"')
