"""`python -m ecomm product add|restock|price`: an operator changes the catalog.

The change is written to the Products table first, then announced as `ProductChanged` with the
row as DynamoDB returned it, so every lookup task's index follows within moments. If the
announcement fails, the table is still right and the command says so: the lookup tasks' periodic
resync picks the change up.

Exit codes: 0 done; 2 bad input (nothing was sent to AWS) or an unknown product; 1 written but
not announced. AWS failures reach `python -m ecomm`, which says them in one line.
"""

from __future__ import annotations

import argparse
import re
import sys
import unicodedata
from decimal import Decimal

from ecomm.core.adapters.aws import ONE_SHOT_CONFIG
from ecomm.core.adapters.aws_failures import one_line
from ecomm.core.adapters.products_table import ProductRepository
from ecomm.core.adapters.publisher import PublishFailed
from ecomm.core.contracts.events import Envelope, EventType, ProductChangedData, utc_now
from ecomm.core.domain.products import Product, ProductNotFound
from ecomm.core.runtime.bootstrap import open_runtime
from ecomm.core.runtime.settings import Settings

MAX_PRICE = Decimal(1_000_000)
MAX_QUANTITY = 1_000_000
# Lengths a shop page shows well; the web role draws a category's image only up to 60.
MAX_TEXT = {"name": 200, "description": 2000, "category": 60}
MAX_IMAGE_URL = 2048
# Starts with a letter or digit, so no id is "." or ".." in a /products/{id} URL.
_PRODUCT_ID = re.compile(r"[A-Za-z0-9][A-Za-z0-9._-]{0,127}")
# Digits and at most two decimals: no sign, exponent, spaces, or digits of other scripts.
_PRICE = re.compile(r"[0-9]{1,7}(?:\.[0-9]{1,2})?")
_QUANTITY = re.compile(r"[0-9]{1,7}")
_IMAGE_URL = re.compile(r"(?:https://[A-Za-z0-9.-]+(?::[0-9]{1,5})?)?/(?!/)[\x21-\x7e]*")
# Bidirectional overrides and isolates reorder how the text around them is shown.
_BIDI_CONTROLS = frozenset("\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069")


class BadInput(ValueError):
    pass


def add_arguments(parser: argparse.ArgumentParser) -> None:
    commands = parser.add_subparsers(dest="product_command", required=True, metavar="COMMAND")
    add = commands.add_parser("add", help="create a product, or replace it when the id exists")
    add.add_argument("--id", dest="product_id", required=True, help="productID, e.g. P100001")
    add.add_argument("--name", required=True)
    add.add_argument("--description", default="")
    add.add_argument("--category", required=True)
    add.add_argument("--price", required=True, help="e.g. 19.99")
    add.add_argument("--stock", required=True, help="units on hand")
    add.add_argument("--image-url", dest="image_url", default=None)
    restock = commands.add_parser("restock", help="add QUANTITY units to a product's stock")
    restock.add_argument("product_id", metavar="PRODUCT_ID")
    restock.add_argument("quantity", metavar="QUANTITY")
    price = commands.add_parser("price", help="set a product's price")
    price.add_argument("product_id", metavar="PRODUCT_ID")
    price.add_argument("price", metavar="PRICE")


async def run(settings: Settings, args: argparse.Namespace) -> int:
    try:
        _check(args)
    except BadInput as exc:
        _say(f"ecomm product: {exc}", error=True)
        return 2
    async with open_runtime(settings, "operator", ONE_SHOT_CONFIG) as rt:
        products = ProductRepository(rt.aws.dynamodb, rt.names.products_table)
        try:
            product = await _apply(products, args)
        except ProductNotFound:
            _say(
                f"ecomm product: no product {args.product_id} in {rt.names.products_table}",
                error=True,
            )
            return 2
        verb = {"add": "added", "restock": "restocked", "price": "repriced"}[args.product_command]
        summary = (
            f"{verb} {product.productID} “{product.name}”: "
            f"price {product.price}, stock {product.stock}"
        )
        try:
            await rt.publisher.publish(
                Envelope.wrap(EventType.PRODUCT_CHANGED, changed_data(product), None)
            )
        except PublishFailed as exc:
            reason = one_line(str(exc))
            _say(f"{summary}; not announced ({reason}): lookup will see it at its next resync")
            return 1
        _say(summary)
        return 0


def changed_data(product: Product) -> ProductChangedData:
    return ProductChangedData(
        productID=product.productID,
        name=product.name,
        description=product.description,
        category=product.category,
        price=float(product.price),
        stock=product.stock,
        updatedAt=product.updatedAt,
        imageUrl=product.imageUrl,
    )


async def _apply(products: ProductRepository, args: argparse.Namespace) -> Product:
    if args.product_command == "add":
        return await products.add(
            Product(
                productID=args.product_id,
                name=_text(args.name, "name"),
                description=_text(args.description, "description"),
                category=_text(args.category, "category"),
                price=_price(args.price),
                stock=_count(args.stock, "--stock", minimum=0),
                updatedAt=utc_now(),
                imageUrl=_image_url(args.image_url),
            )
        )
    if args.product_command == "restock":
        quantity = _count(args.quantity, "QUANTITY", minimum=1)
        return await products.change(args.product_id, stock_delta=quantity)
    return await products.change(args.product_id, price=str(_price(args.price)))


def _check(args: argparse.Namespace) -> None:
    """Every check `_apply` makes, made before anything reaches AWS."""
    if len(args.product_id) > 128 or not _PRODUCT_ID.fullmatch(args.product_id):
        shown = repr(args.product_id) if len(args.product_id) <= 130 else "too long"
        raise BadInput(
            f"product id {shown}: "
            "expected 1 to 128 letters, digits, '.', '_' or '-', starting with a letter or digit"
        )
    if args.product_command == "add":
        for field in MAX_TEXT:
            _text(getattr(args, field), field)
        _price(args.price)
        _count(args.stock, "--stock", minimum=0)
        _image_url(args.image_url)
    elif args.product_command == "restock":
        _count(args.quantity, "QUANTITY", minimum=1)
    else:
        _price(args.price)


def _text(value: str, field: str) -> str:
    limit = MAX_TEXT[field]
    text = value.strip()
    if len(text) > limit:
        raise BadInput(f"--{field} is longer than {limit} characters")
    if not text and field != "description":
        raise BadInput(f"--{field} must not be empty")
    for ch in text:
        if unicodedata.category(ch) in {"Cc", "Cs", "Zl", "Zp"} or ch in _BIDI_CONTROLS:
            raise BadInput(f"--{field} must not hold control characters (found U+{ord(ch):04X})")
    return text


def _image_url(value: str | None) -> str | None:
    if not value:
        return None
    if len(value) > MAX_IMAGE_URL or not _IMAGE_URL.fullmatch(value):
        raise BadInput(
            f"--image-url is an https:// URL or a /path, at most {MAX_IMAGE_URL} characters "
            "without spaces"
        )
    return value


def _price(text: str) -> Decimal:
    if len(text) > 16 or not _PRICE.fullmatch(text):
        shown = repr(text) if len(text) <= 16 else "too long"
        raise BadInput(f"price {shown} is not an amount like 19.99 (at most two decimals)")
    value = Decimal(text)
    if not 0 < value <= MAX_PRICE:
        raise BadInput(f"price must be more than 0 and at most {MAX_PRICE}")
    return value.quantize(Decimal("0.01"))


def _count(text: str, label: str, *, minimum: int) -> int:
    if len(text) > 16 or not _QUANTITY.fullmatch(text):
        shown = repr(text) if len(text) <= 16 else "too long"
        raise BadInput(f"{label} {shown} is not a whole number of units")
    value = int(text)
    if not minimum <= value <= MAX_QUANTITY:
        raise BadInput(f"{label} must be between {minimum} and {MAX_QUANTITY}")
    return value


def _say(line: str, *, error: bool = False) -> None:
    (sys.stderr if error else sys.stdout).write(line + "\n")
