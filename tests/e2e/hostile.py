"""Hostile input for the fuzz suite: strings, routes and raw HTTP, as hypothesis strategies.

The routes are every one the three roles serve; each request is written byte by byte over a
socket, so nothing a well-behaved client library would refuse to send is out of reach.
"""

from __future__ import annotations

import socket
import time
from dataclasses import dataclass
from urllib.parse import quote, quote_plus, urlencode

from hypothesis import strategies as st

# What has broken parsers before: numbers past every limit, other notations, escapes, ids with
# a newline, markup, bidi overrides, the empty string, and very long strings.
NASTY = (
    "",
    " ",
    "0",
    "-1",
    "1e-999999999",
    "1E999999",
    "9" * 5000,
    "NaN",
    "Infinity",
    "0x10",
    "1_000",
    "\u0661\u0660",
    "1.999",
    "P000001\n",
    "P000001\x00",
    "../../../etc/passwd",
    "%ff%fe%00",
    "<script>alert(1)</script>",
    "' OR 1=1 --",
    "{{7*7}}",
    "\u202eevil",
    "\u2066x\u2069",
    "\ud83d\ude00" * 50,  # lone surrogates: not even valid UTF-8 once encoded
    "\U0001f600" * 50,
    "a" * 3000,
    "true",
    "[]",
    "{}",
    "=" * 10,
)
hostile_text = st.one_of(
    st.sampled_from(NASTY),
    st.text(max_size=60),
    st.text(alphabet=st.characters(codec="ascii"), max_size=300),
    st.from_regex(r"[0-9eE.+-]{1,40}", fullmatch=True),
)

PARAMS = ("q", "category", "min_price", "max_price", "in_stock", "sort", "page", "per_page", "ids")


@dataclass(frozen=True)
class Route:
    role: str
    method: str
    path: str  # "{}" marks an id segment
    fields: tuple[str, ...] = ()

    @property
    def name(self) -> str:
        return f"{self.role} {self.method} {self.path}"


ROUTES = (
    Route("web", "GET", "/", PARAMS),
    Route("web", "GET", "/search", PARAMS),
    Route("web", "GET", "/products/{}"),
    Route("web", "GET", "/images/{}.svg", ("i", "c", "k")),
    Route("web", "GET", "/cart", ("added",)),
    Route("web", "GET", "/checkout"),
    Route("web", "GET", "/orders"),
    Route("web", "GET", "/orders/{}"),
    Route("web", "GET", "/orders/{}/status.json"),
    Route("web", "GET", "/static/{}"),
    Route("web", "POST", "/cart/items", ("product_id", "quantity", "csrf_token")),
    Route("web", "POST", "/cart/items/{}", ("quantity", "csrf_token")),
    Route("web", "POST", "/cart/items/{}/remove", ("csrf_token",)),
    Route("web", "POST", "/checkout", (
        "name", "email", "line1", "line2", "city", "region", "postal_code", "country",
        "order_id", "cart_digest", "csrf_token",
    )),
    Route("web", "POST", "/orders/{}/cancel", ("csrf_token",)),
    Route("web", "POST", "/orders/{}/cart", ("csrf_token",)),
    Route("lookup", "GET", "/api/products", PARAMS),
    Route("lookup", "GET", "/api/products/{}"),
    Route("lookup", "GET", "/api/categories"),
    Route("lookup", "GET", "/api/trending"),
    Route("lookup", "GET", "/api/featured"),
    Route("lookup", "GET", "/api/bestsellers"),
    Route("order", "GET", "/api/orders/{}"),
    *(Route(role, "GET", probe) for role in ("web", "lookup", "order") for probe in (
        "/healthz", "/readyz", "/metrics"
    )),
)  # fmt: skip
ROLES = ("web", "lookup", "order")
COOKIES = ("cart", "orders", "csrf", "session")
HEADERS = ("X-Request-ID", "X-Forwarded-For", "If-None-Match", "Accept", "Content-Type")


@dataclass(frozen=True)
class Answer:
    status: int
    headers: dict[str, str]
    body: bytes
    seconds: float


def header_safe(text: str) -> bytes:
    """`text` as a header value: any bytes but the line breaks that would end the header."""
    return text.encode("utf-8", "surrogatepass").replace(b"\r", b"").replace(b"\n", b"")


def request_bytes(
    method: str,
    path: str,
    query: dict[str, str],
    headers: dict[str, bytes],
    body: bytes = b"",
) -> bytes:
    encoded = {k: v.encode("utf-8", "surrogatepass") for k, v in query.items()}
    target = path + ("?" + urlencode(encoded) if query else "")
    lines = [f"{method} {target} HTTP/1.1".encode(), b"Host: 127.0.0.1", b"Connection: close"]
    lines += [name.encode() + b": " + value for name, value in headers.items()]
    if body or method == "POST":
        lines.append(b"Content-Length: %d" % len(body))
    return b"\r\n".join(lines) + b"\r\n\r\n" + body


def form_bytes(form: dict[str, str]) -> bytes:
    """`form` urlencoded, lone surrogates and all (as UTF-8 bytes no browser would send)."""
    return "&".join(
        f"{quote_plus(k)}={quote_plus(v.encode('utf-8', 'surrogatepass'))}" for k, v in form.items()
    ).encode()


def segment(text: str) -> str:
    return quote(text.encode("utf-8", "surrogatepass"), safe="")


def send(port: int, raw: bytes, timeout: float) -> Answer:
    """One request on its own connection; the whole answer, read until the server closes."""
    started = time.perf_counter()
    with socket.create_connection(("127.0.0.1", port), timeout=timeout) as conn:
        conn.sendall(raw)
        chunks = []
        while chunk := conn.recv(65536):
            chunks.append(chunk)
    seconds = time.perf_counter() - started
    head, _, body = b"".join(chunks).partition(b"\r\n\r\n")
    status_line, *lines = head.decode("latin-1").split("\r\n")
    headers = {}
    for line in lines:
        name, _, value = line.partition(":")
        headers[name.strip().lower()] = value.strip()
    return Answer(int(status_line.split()[1]), headers, body, seconds)


def rss_bytes(pid: int) -> int:
    with open(f"/proc/{pid}/status") as status:
        for line in status:
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) * 1024
    raise AssertionError(f"no VmRSS for {pid}")
