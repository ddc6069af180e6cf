"""What `python -m ecomm` accepts: its arguments, each parsed by bounded code, and settings
pydantic lets through but AWS would refuse.

argparse calls the value parsers as `type=`; an `ArgumentTypeError` becomes the one line it
prints. Numbers are read from a short run of ASCII digits (no `1e999`, no `nan`, no digits of
other scripts), names are matched whole (`re.fullmatch`: a trailing newline is refused).
"""

from __future__ import annotations

import argparse
import re
from collections.abc import Callable
from pathlib import Path
from typing import NoReturn
from urllib.parse import urlsplit

from ecomm.core.adapters.aws_failures import one_line
from ecomm.core.contracts.resources import QUEUES
from ecomm.core.runtime.settings import Role, Settings
from ecomm.loadgen import options as load
from ecomm.ops import orders as order_operator
from ecomm.ops import products as operator

USAGE_ERROR = 2
MAX_LINE = 500
MAX_PRODUCTS = 1_000_000
MAX_NUMBER_TEXT = 24
_WHOLE = re.compile(r"-?[0-9]{1,18}")
_DECIMAL = re.compile(r"-?[0-9]{1,18}(?:\.[0-9]{1,6})?|-?\.[0-9]{1,6}")
# SQS allows 80 characters; the dead-letter queue adds "-dlq".
# As infra/ allows it (its ResourcePrefix parameter).
_PREFIX = re.compile(r"[A-Za-z0-9_-]{0,32}")


def _shown(text: str) -> str:
    return repr(text) if len(text) <= MAX_NUMBER_TEXT else "a value that long"


def whole(low: int, high: int) -> Callable[[str], int]:
    """A whole number from `low` to `high`."""

    def parse(text: str) -> int:
        if not _WHOLE.fullmatch(text):
            raise argparse.ArgumentTypeError(f"{_shown(text)} is not a whole number")
        value = int(text)
        if not low <= value <= high:
            raise argparse.ArgumentTypeError(f"must be from {low} to {high}, not {value}")
        return value

    return parse


def number(low: float, high: float, *, above: bool = False) -> Callable[[str], float]:
    """A decimal number from `low` (excluded when `above`) to `high`."""

    def parse(text: str) -> float:
        if not _DECIMAL.fullmatch(text):
            raise argparse.ArgumentTypeError(f"{_shown(text)} is not a number like 2.5")
        value = float(text)
        if value > high or value < low or (above and value == low):
            bounds = f"more than {low:g} and at most" if above else f"from {low:g} to"
            raise argparse.ArgumentTypeError(f"must be {bounds} {high:g}")
        return value

    return parse


def queue_name(text: str) -> str:
    """One of the queues with a dead-letter queue, by its name without the stack's prefix: a
    name that is not one of them is refused before anything asks AWS (which would deny the
    ops task's call on a queue it has no grant for)."""
    known = [q.name for q in QUEUES]
    if text not in known:
        raise argparse.ArgumentTypeError(
            f"{_shown(text)} is not one of the shop's queues: {', '.join(known)}"
        )
    return text


def check_settings(settings: Settings) -> str | None:
    """What is wrong with settings pydantic let through but AWS would refuse; None when right."""
    if not _PREFIX.fullmatch(settings.resource_prefix):
        return "ECOMM_RESOURCE_PREFIX: at most 32 letters, digits, '-' or '_'"
    url = settings.aws_endpoint_url
    if url is None:
        return None
    problem = "AWS_ENDPOINT_URL: an http(s) URL with a host, e.g. http://127.0.0.1:4566"
    if len(url) > 2048 or not url.isascii() or not url.isprintable() or " " in url:
        return problem
    parts = urlsplit(url)
    try:
        parts.port  # noqa: B018 - urlsplit checks the port only when asked
    except ValueError:
        return problem
    if parts.scheme not in {"http", "https"} or not parts.hostname:
        return problem
    return None


class _Parser(argparse.ArgumentParser):
    """argparse, but a mistake is one line (`ecomm seed: argument --products: ...`), exit 2."""

    def error(self, message: str) -> NoReturn:
        self.exit(USAGE_ERROR, f"{self.prog}: {one_line(message, MAX_LINE)}\n")


def build_parser() -> argparse.ArgumentParser:
    parser = _Parser(prog="ecomm", description="ecomm: shop services and tools.")
    parser.add_argument(
        "--role", choices=[r.value for r in Role], help="the role to run (default: $ECOMM_ROLE)"
    )
    commands = parser.add_subparsers(dest="command", metavar="COMMAND")
    products = whole(0, MAX_PRODUCTS)

    emulator = commands.add_parser("emulator", help="run the embedded AWS emulator")
    emulator.add_argument("--port", type=whole(1, 65535), default=4566)
    emulator.add_argument("--products", type=products, default=2000, help="catalog size to seed")
    emulator.add_argument(
        "--data", type=Path, help="keep the shop here across restarts (saved on a clean stop)"
    )
    emulator.add_argument(
        "--latency-ms",
        type=number(0, 1000),
        default=0.0,
        help="add this many ms to every AWS call, calls still in parallel (as AWS answers)",
    )

    commands.add_parser("provision", help="create the AWS resources (idempotent)")

    seed = commands.add_parser("seed", help="load the deterministic generated catalog")
    seed.add_argument("--products", type=products, default=2000)

    dlq = commands.add_parser("dlq", help="show or replay a queue's dead letters")
    dlq.add_argument("action", choices=["list", "redrive"])
    dlq.add_argument("queue", type=queue_name, help="the source queue, e.g. OrderQueue")
    dlq.add_argument(
        "--limit", type=whole(1, 10_000), help="at most this many letters (list 100, redrive 1000)"
    )

    product = commands.add_parser("product", help="add a product, restock, change a price")
    operator.add_arguments(product)

    order_command = commands.add_parser("order", help="ship, deliver or cancel an order")
    order_operator.add_arguments(order_command)

    loadgen = commands.add_parser("loadgen", help="simulate shoppers against one shop URL")
    loadgen.add_argument(
        "--base-url", required=True, help="the shop to load, e.g. http://127.0.0.1:8080"
    )
    loadgen.add_argument(
        "--users", type=whole(1, load.MAX_USERS), default=10, help="concurrent simulated shoppers"
    )
    loadgen.add_argument(
        "--duration",
        type=number(0, load.MAX_DURATION, above=True),
        default=30.0,
        help=f"seconds to run (max {load.MAX_DURATION:.0f})",
    )
    loadgen.add_argument(
        "--max-requests",
        type=whole(1, load.MAX_REQUESTS),
        default=100_000,
        help="stop after this many",
    )
    loadgen.add_argument(
        "--think-time",
        type=number(0, load.MAX_THINK_TIME),
        default=1.0,
        help="mean pause between steps, s",
    )
    loadgen.add_argument(
        "--max-error-rate", type=number(0, 1), default=0.01, help="exit 1 above this"
    )
    loadgen.add_argument(
        "--seed", type=whole(0, 2**32 - 1), default=1, help="makes a run repeatable"
    )
    loadgen.add_argument(
        "--allow-remote", action="store_true", help="allow a non-loopback --base-url"
    )
    return parser
