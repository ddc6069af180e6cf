"""`python -m ecomm product add|restock|price`: an operator changes the catalog.

The change is written to the Products table first, then announced as `ProductChanged` with the
row as DynamoDB returned it, so every lookup task's index follows within moments. If the
announcement fails, the table is still right and the command says so: the lookup tasks' periodic
resync picks the change up.

Exit codes: 0 done, 2 bad input (nothing was sent to AWS), 1 unknown product or AWS failure.
"""

from __future__ import annotations

import argparse
import re
import sys
from decimal import Decimal, InvalidOperation

from ecomm.core.adapters.products_table import ProductRepository
from ecomm.core.adapters.publisher import PublishFailed
from ecomm.core.contracts.events import Envelope, EventType, ProductChangedData, utc_now
from ecomm.core.domain.errors import DomainError
from ecomm.core.domain.products import Product, ProductNotFound
from ecomm.core.runtime.bootstrap import open_runtime
from ecomm.core.runtime.settings import Settings

MAX_PRICE = Decimal(10**9)
MAX_QUANTITY = 1_000_000
_PRODUCT_ID = re.compile(r"^[A-Za-z0-9._-]{1,128}$")


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
        _say(f"error: {exc}", error=True)
        return 2
    async with open_runtime(settings, "operator") as rt:
        products = ProductRepository(rt.aws.dynamodb, rt.names.products_table)
        try:
            product = await _apply(products, args)
        except ProductNotFound:
            _say(f"error: no product {args.product_id!r}", error=True)
            return 1
        except DomainError as exc:
            _say(f"error: the Products table did not take the change: {exc}", error=True)
            return 1
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
            _say(f"{summary}; not announced ({exc}): lookup will see it at its next resync")
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
                name=args.name.strip(),
                description=args.description.strip(),
                category=args.category.strip(),
                price=_price(args.price),
                stock=_count(args.stock, "stock", minimum=0),
                updatedAt=utc_now(),
                imageUrl=args.image_url or None,
            )
        )
    if args.product_command == "restock":
        quantity = _count(args.quantity, "QUANTITY", minimum=1)
        return await products.change(args.product_id, stock_delta=quantity)
    return await products.change(args.product_id, price=str(_price(args.price)))


def _check(args: argparse.Namespace) -> None:
    """Every check `_apply` makes, made before anything reaches AWS."""
    if not _PRODUCT_ID.match(args.product_id):
        raise BadInput("a product id is 1 to 128 letters, digits, '.', '_' or '-'")
    if args.product_command == "add":
        for field in ("name", "category"):
            if not getattr(args, field).strip():
                raise BadInput(f"--{field} must not be empty")
        _price(args.price)
        _count(args.stock, "--stock", minimum=0)
    elif args.product_command == "restock":
        _count(args.quantity, "QUANTITY", minimum=1)
    else:
        _price(args.price)


def _price(text: str) -> Decimal:
    try:
        value = Decimal(text.strip())
    except InvalidOperation:
        raise BadInput(f"price {text!r} is not a number, e.g. 19.99") from None
    if not value.is_finite() or value < 0 or value > MAX_PRICE:
        raise BadInput(f"price {text!r} must be between 0 and {MAX_PRICE}")
    if value != value.quantize(Decimal("0.01")):
        raise BadInput(f"price {text!r} has more than two decimals")
    return value.quantize(Decimal("0.01")) + 0  # + 0 turns "-0" into 0


def _count(text: str, label: str, *, minimum: int) -> int:
    try:
        value = int(text.strip())
    except ValueError:
        raise BadInput(f"{label} {text!r} is not a whole number") from None
    if not minimum <= value <= MAX_QUANTITY:
        raise BadInput(f"{label} must be between {minimum} and {MAX_QUANTITY}")
    return value


def _say(line: str, *, error: bool = False) -> None:
    (sys.stderr if error else sys.stdout).write(line + "\n")
