"""`python -m ecomm` / `ecomm`: run a role, or one of the operator commands.

    ecomm [--role web|lookup|order|all]     a role (ECOMM_ROLE when no flag is given)
    ecomm emulator [--port 4566] [--products N]
    ecomm provision
    ecomm seed [--products N]
    ecomm dlq list|redrive QUEUE
    ecomm product add|restock|price ...
    ecomm loadgen --base-url URL --users N --duration S

Bad input (an unknown role, a missing or invalid setting) prints one clear line and exits 2.
"""

from __future__ import annotations

import argparse
import asyncio
import importlib
import signal
import sys
from collections.abc import Callable, Coroutine, Sequence
from typing import Any

import structlog
from pydantic import ValidationError

from ecomm.core.settings import Role, Settings
from ecomm.roles.lookup import operator

USAGE_ERROR = 2
ROLES = [r.value for r in Role]
RoleServe = Callable[[Settings, asyncio.Event], Coroutine[Any, Any, None]]


class UsageError(Exception):
    """Bad input on the command line or in the environment: one clear line, exit code 2."""


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="ecomm", description="ecomm: shop services and tools.")
    parser.add_argument("--role", choices=ROLES, help="the role to run (default: $ECOMM_ROLE)")
    commands = parser.add_subparsers(dest="command", metavar="COMMAND")

    emulator = commands.add_parser("emulator", help="run the embedded AWS emulator")
    emulator.add_argument("--port", type=int, default=4566)
    emulator.add_argument("--products", type=int, default=2000, help="catalog size to seed")

    commands.add_parser("provision", help="create the AWS resources (idempotent)")

    seed = commands.add_parser("seed", help="load the deterministic generated catalog")
    seed.add_argument("--products", type=int, default=2000)

    dlq = commands.add_parser("dlq", help="show or replay a queue's dead letters")
    dlq.add_argument("action", choices=["list", "redrive"])
    dlq.add_argument("queue", help="the source queue, e.g. OrderQueue")

    product = commands.add_parser("product", help="add a product, restock, change a price")
    operator.add_arguments(product)

    loadgen = commands.add_parser("loadgen", help="simulate shoppers against one shop URL")
    loadgen.add_argument(
        "--base-url", required=True, help="the shop to load, e.g. http://127.0.0.1:8080"
    )
    loadgen.add_argument("--users", type=int, default=10, help="concurrent simulated shoppers")
    loadgen.add_argument("--duration", type=float, default=30.0, help="seconds to run (max 3600)")
    loadgen.add_argument("--max-requests", type=int, default=100_000, help="stop after this many")
    loadgen.add_argument(
        "--think-time", type=float, default=1.0, help="mean pause between steps, s"
    )
    loadgen.add_argument("--max-error-rate", type=float, default=0.01, help="exit 1 above this")
    loadgen.add_argument("--seed", type=int, default=1, help="makes a run repeatable")
    loadgen.add_argument(
        "--allow-remote", action="store_true", help="allow a non-loopback --base-url"
    )
    return parser


def _settings() -> Settings:
    try:
        return Settings()
    except ValidationError as exc:
        problems = "; ".join(
            f"ECOMM_{'_'.join(str(p) for p in e['loc']).upper()}: {e['msg']}" for e in exc.errors()
        )
        raise UsageError(f"invalid setting: {problems}") from exc


def _role_serves(role: Role) -> list[RoleServe]:
    names = ["web", "lookup", "order"] if role is Role.ALL else [role.value]
    return [importlib.import_module(f"ecomm.roles.{n}").serve for n in names]


async def _run_roles(settings: Settings, role: Role) -> int:
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(sig, stop.set)
    tasks = [asyncio.create_task(serve(settings, stop)) for serve in _role_serves(role)]
    await asyncio.wait(tasks, return_when=asyncio.FIRST_EXCEPTION)
    stop.set()  # one role failing stops the others, cleanly
    results = await asyncio.gather(*tasks, return_exceptions=True)
    failures = [r for r in results if isinstance(r, BaseException)]
    for failure in failures:
        structlog.get_logger("ecomm").error("role_failed", error=repr(failure))
    return 1 if failures else 0


async def _provision(settings: Settings) -> int:
    from ecomm.core.bootstrap import open_aws  # noqa: PLC0415 - commands load only what they use
    from ecomm.core.provision import provision  # noqa: PLC0415

    async with open_aws(settings) as aws:
        await provision(aws, settings)
    return 0


async def _seed(settings: Settings, count: int) -> int:
    from ecomm.core.bootstrap import open_aws  # noqa: PLC0415
    from ecomm.core.catalog import seed  # noqa: PLC0415
    from ecomm.core.products import ProductRepository  # noqa: PLC0415
    from ecomm.core.resources import ResourceNames  # noqa: PLC0415

    if count < 0:
        raise UsageError("--products must be 0 or more")
    async with open_aws(settings) as aws:
        table = ResourceNames.from_settings(settings).products_table
        await seed(ProductRepository(aws.dynamodb, table), count)
    return 0


async def _dlq(settings: Settings, action: str, queue: str) -> int:
    from ecomm.core.bootstrap import open_aws  # noqa: PLC0415
    from ecomm.core.deadletters import list_dead_letters, redrive  # noqa: PLC0415

    name = settings.resource_name(queue)
    dlq = f"{name}-dlq"
    async with open_aws(settings) as aws:
        if action == "list":
            listing = await list_dead_letters(aws.sqs, name)
            for letter in listing.letters:
                print(f"{letter.message_id}  receives={letter.receive_count}  {letter.body[:200]}")  # noqa: T201
            print(f"{len(listing.letters)} dead letter(s) in {dlq}")  # noqa: T201
            return 1 if listing.still_hidden else 0
        report = await redrive(aws.sqs, name)
    print(  # noqa: T201
        f"{dlq} -> {name}: moved {report.moved}, failed {report.failed}, "
        f"skipped {report.skipped} already moved in this run"
    )
    return 0 if report.complete else 1


def _emulator(args: argparse.Namespace, settings: Settings) -> Coroutine[Any, Any, int]:
    from ecomm.emulator.command import run  # noqa: PLC0415 - needs the emulator extra

    return run(settings, args.port, args.products)


def _loadgen(args: argparse.Namespace, _: Settings) -> Coroutine[Any, Any, int]:
    loadgen = importlib.import_module("ecomm.loadgen")
    return loadgen.run(args)  # type: ignore[no-any-return]


def _roles(args: argparse.Namespace, settings: Settings) -> Coroutine[Any, Any, int]:
    role = Role(args.role) if args.role else settings.role
    if role is None:
        raise UsageError("no role: pass --role web|lookup|order|all or set ECOMM_ROLE")
    return _run_roles(settings, role)


Command = Callable[[argparse.Namespace, Settings], Coroutine[Any, Any, int]]
COMMANDS: dict[str | None, Command] = {
    None: _roles,
    "emulator": _emulator,
    "provision": lambda _, settings: _provision(settings),
    "seed": lambda args, settings: _seed(settings, args.products),
    "dlq": lambda args, settings: _dlq(settings, args.action, args.queue),
    "product": lambda args, settings: operator.run(settings, args),
    "loadgen": _loadgen,
}


def main(argv: Sequence[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    try:
        settings = _settings()
        from ecomm.core.logconfig import configure_logging  # noqa: PLC0415

        configure_logging(settings)
        return asyncio.run(COMMANDS[args.command](args, settings))
    except UsageError as exc:
        print(f"ecomm: {exc}", file=sys.stderr)  # noqa: T201
        return USAGE_ERROR
    except ModuleNotFoundError as exc:
        if exc.name == "moto":
            hint = "ecomm: the emulator needs the extra: pip install 'ecomm[emulator]'"
            print(hint, file=sys.stderr)  # noqa: T201
            return USAGE_ERROR
        raise
    except KeyboardInterrupt:
        return 130


if __name__ == "__main__":
    sys.exit(main())
