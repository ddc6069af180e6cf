"""The checkout rate limit, client addresses behind the ALB, and generated product pictures."""

from __future__ import annotations

from decimal import Decimal

from aiohttp.test_utils import make_mocked_request

from ecomm.core.domain.products import Product
from ecomm.roles.web.product_images import ImageSpec, draw, image_url, initials
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


def test_pictures_are_deterministic_and_differ_between_products() -> None:
    first = draw(ImageSpec.of(_product("p1", "Field Guide")))
    assert first == draw(ImageSpec.of(_product("p1", "Field Guide")))
    assert first.etag != draw(ImageSpec.of(_product("p2", "Field Guide"))).etag
    assert b">FG</text>" in first.svg
    assert first.svg.startswith(b"<svg xmlns=")


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


def test_an_image_url_carries_what_the_picture_needs_and_no_more() -> None:
    assert ImageSpec.from_query("p1", "fg", "Books") == ImageSpec("p1", "FG", "Books")
    assert ImageSpec.from_query("p1", "<s>", "Books") is None
    assert ImageSpec.from_query("p1", "FGH", "Books") is None
    assert ImageSpec.from_query("p1", "FG", "x" * 61) is None
    assert ImageSpec.from_query("p1", "FG", "") is None
