"""The checkout rate limit, client addresses behind the ALB, and generated product pictures."""

from __future__ import annotations

from decimal import Decimal
from xml.etree import ElementTree

from aiohttp.test_utils import make_mocked_request

from ecomm.core.domain.assortment import CATEGORIES
from ecomm.core.domain.products import Product
from ecomm.roles.web.product_images import (
    ICON_DIR,
    ICONS,
    ImageSpec,
    draw,
    icons,
    image_url,
    initials,
)
from ecomm.roles.web.rate_limit import TokenBuckets, client_address, retry_after_seconds


class FakeClock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def test_a_bucket_allows_a_burst_then_refills_at_its_rate() -> None:
    clock = FakeClock()
    buckets = TokenBuckets(rate=0.5, burst=2, clock=clock)
    assert [buckets.take("a"), buckets.take("a")] == [0.0, 0.0]
    assert buckets.take("a") == 2.0  # one token every two seconds
    assert buckets.take("b") == 0.0  # every client has its own bucket
    clock.now += 2.0
    assert buckets.take("a") == 0.0
    assert retry_after_seconds(0.2) == "1"


def test_the_table_of_buckets_is_bounded() -> None:
    buckets = TokenBuckets(rate=1, burst=1, max_keys=3, clock=FakeClock())
    for key in "abcdef":
        buckets.take(key)
    assert buckets.take("a") == 0.0  # "a" was evicted, and starts again with a full bucket


def test_the_client_is_the_address_our_proxy_appended() -> None:
    def request(xff: str | None) -> object:
        headers = {"X-Forwarded-For": xff} if xff else {}
        return make_mocked_request("POST", "/checkout", headers=headers)

    assert client_address(request("6.6.6.6, 198.51.100.7"), 1) == "198.51.100.7"  # type: ignore[arg-type]
    assert client_address(request("6.6.6.6, 10.0.0.1, 10.0.0.2"), 2) == "10.0.0.1"  # type: ignore[arg-type]
    assert client_address(request("198.51.100.7"), 3) == "198.51.100.7"  # type: ignore[arg-type]
    untrusted = client_address(request("6.6.6.6"), 0)  # type: ignore[arg-type]
    assert untrusted != "6.6.6.6"


def _product(pid: str, name: str, category: str = "Books", url: str | None = None) -> Product:
    return Product(pid, name, "", category, Decimal(1), 1, "", url)


def _parsed(svg: bytes) -> ElementTree.Element:
    return ElementTree.fromstring(svg)  # noqa: S314 - our own output, parsed to prove it is XML


def test_pictures_are_deterministic_and_differ_between_products() -> None:
    first = draw(ImageSpec.of(_product("p1", "Gift Voucher")))
    assert first == draw(ImageSpec.of(_product("p1", "Gift Voucher")))
    assert first.etag != draw(ImageSpec.of(_product("p2", "Gift Voucher"))).etag
    assert b">GV</text>" in first.svg
    assert first.svg.startswith(b"<svg xmlns=")


def test_a_product_of_a_known_kind_shows_its_pictogram() -> None:
    product = _product("p1", "Sonvik Studio Over-Ear Headphones, Black", category="Audio")
    spec = ImageSpec.of(product)
    assert spec.kind == "Headphones"
    svg = draw(spec).svg
    assert icons()["Headphones"].encode() in svg
    assert b"</text>" in svg  # the category's label
    assert b">SS</text>" not in svg
    assert b'aria-label="Headphones, Audio"' in svg
    assert draw(spec).etag == draw(ImageSpec.of(product)).etag


def test_every_kind_the_catalog_sells_has_a_pictogram() -> None:
    sold = {kind.name for category in CATEGORIES for kind in category.kinds}
    assert set(ICONS) == sold
    drawn = icons()
    for kind in sold:
        assert drawn[kind].startswith("<path "), kind
        assert 'stroke="none"' not in drawn[kind]  # Tabler's invisible frame is left out
    assert (ICON_DIR / "LICENSE").read_text().startswith("MIT License")


def test_an_unknown_kind_falls_back_to_the_initials() -> None:
    assert ImageSpec.of(_product("p1", "Mystery Box", category="Audio")).kind is None
    assert ImageSpec.of(_product("p1", "Kettlebell Rack", category="Home & Kitchen")).kind is None
    svg = draw(ImageSpec("p1", "MB", "Audio", None)).svg
    assert b">MB</text>" in svg
    assert b"<path" not in svg


def test_every_picture_is_well_formed_svg_with_no_outside_reference() -> None:
    specs = [ImageSpec(f"p{i}", "XY", "Audio", kind) for i, kind in enumerate(ICONS)]
    for spec in [*specs, ImageSpec("p0", "XY", 'A "&" <B>', None)]:
        svg = draw(spec).svg
        root = _parsed(svg)
        assert root.tag == "{http://www.w3.org/2000/svg}svg"
        assert b"href" not in svg
        assert b"http" not in svg.replace(b"http://www.w3.org/2000/svg", b"")


def test_picture_text_is_escaped() -> None:
    svg = draw(ImageSpec.of(_product("p1", '<script>"x"</script>', category="<b>&"))).svg
    assert b"<script>" not in svg
    assert b"&lt;B&gt;&amp;" in svg


def test_initials_fall_back_to_the_id() -> None:
    assert initials("copper kettle", "p1") == "CK"
    assert initials("Ünïcode café", "p1") == "ÜC"
    assert initials("---", "p1") == "P"


def test_a_product_image_url_is_used_only_when_https_or_local() -> None:
    ours = "/images/p1.svg?i=X&c=Books"
    assert image_url(_product("p 1", "X", category="Home & Kitchen")) == (
        "/images/p%201.svg?i=X&c=Home+%26+Kitchen"
    )
    assert image_url(_product("p1", "X", url="https://cdn/x.png")) == "https://cdn/x.png"
    assert image_url(_product("p1", "X", url="javascript:alert(1)")) == ours
    assert image_url(_product("p1", "X", url="http://insecure/x.png")) == ours


def test_an_image_url_carries_the_kind_when_the_name_says_it() -> None:
    hub = _product("p7", "Brass USB-C Hub", category="Computers")
    assert image_url(hub) == "/images/p7.svg?i=BU&c=Computers&k=usb-c-hub"
    assert ImageSpec.from_query("p7", "BU", "Computers", "usb-c-hub") == ImageSpec.of(hub)


def test_an_image_url_carries_what_the_picture_needs_and_no_more() -> None:
    assert ImageSpec.from_query("p1", "fg", "Books") == ImageSpec("p1", "FG", "Books")
    assert ImageSpec.from_query("p1", "fg", "Books", "") == ImageSpec("p1", "FG", "Books")
    assert ImageSpec.from_query("p1", "fg", "Books", "atlas") == ImageSpec(
        "p1", "FG", "Books", "Atlas"
    )
    assert ImageSpec.from_query("p1", "fg", "Books", "Atlas") is None
    assert ImageSpec.from_query("p1", "fg", "Books", "../atlas") is None
    assert ImageSpec.from_query("p1", "<s>", "Books") is None
    assert ImageSpec.from_query("p1", "FGH", "Books") is None
    assert ImageSpec.from_query("p1", "FG", "x" * 61) is None
    assert ImageSpec.from_query("p1", "FG", "") is None
