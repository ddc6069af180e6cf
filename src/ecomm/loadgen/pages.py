"""What a shopper reads off a page: a form's hidden fields and the product links.

A small `HTMLParser` is enough: the pages are ours, and a shopper only needs the fields a
browser would submit (the CSRF token, the order id) and where the product cards point.
"""

from __future__ import annotations

import re
from html.parser import HTMLParser

_PRODUCT_HREF = re.compile(r"^/products/([^/?#]+)$")


class _Scanner(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.forms: dict[str, dict[str, str]] = {}
        self.links: list[str] = []
        self._form: dict[str, str] | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        values = {k: v or "" for k, v in attrs}
        if tag == "form":
            self._form = self.forms.setdefault(values.get("action", ""), {})
        elif tag == "input" and self._form is not None and values.get("name"):
            if values.get("type", "text") in {"hidden", "number"}:
                self._form[values["name"]] = values.get("value", "")
        elif tag == "a" and "href" in values:
            self.links.append(values["href"])

    def handle_endtag(self, tag: str) -> None:
        if tag == "form":
            self._form = None


def form_fields(html: str, action: str) -> dict[str, str] | None:
    """The hidden (and numeric) inputs of the form posting to `action`; None when absent."""
    scanner = _Scanner()
    scanner.feed(html)
    return scanner.forms.get(action)


def product_ids(html: str) -> list[str]:
    """The product pages a page links to, in page order, once each."""
    scanner = _Scanner()
    scanner.feed(html)
    seen: dict[str, None] = {}
    for href in scanner.links:
        match = _PRODUCT_HREF.match(href)
        if match:
            seen.setdefault(match.group(1), None)
    return list(seen)
