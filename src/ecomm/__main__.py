"""`python -m ecomm` / `ecomm`: run a role, or one of the operator commands.

    ecomm [--role web|lookup|order|all]     a role (ECOMM_ROLE when no flag is given)
    ecomm emulator [--port 4566] [--products N] [--data DIR]
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
import errno
import importlib
import signal
import sys
from collections.abc import Callable, Coroutine, Sequence
from pathlib import Path
from typing import Any

from pydantic import ValidationError

from ecomm.core.runtime.bootstrap import RoleBuild, open_runtime, run_roles
from ecomm.core.runtime.settings import Role, Settings
from ecomm.ops import products as operator
from ecomm.roles import lookup, order, web
from ecomm.roles.web.build import InsecureSettings

USAGE_ERROR = 2
ROLES = [r.value for r in Role]


class UsageError(Exception):
    """Bad input on the command line or in the environment: one clear line, exit code 2."""


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="ecomm", description="ecomm: shop services and tools.")
    parser.add_argument("--role", choices=ROLES, help="the role to run (default: $ECOMM_ROLE)")
    commands = parser.add_subparsers(dest="command", metavar="COMMAND")

    emulator = commands.add_parser("emulator", help="run the embedded AWS emulator")
    emulator.add_argument("--port", type=int, default=4566)
    emulator.add_argument("--products", type=int, default=2000, help="catalog size to seed")
    emulator.add_argument(
        "--data", type=Path, help="keep the shop here across restarts (saved on a clean stop)"
    )

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


# Each role's composition root, named explicitly: `--role all` runs them in this order.
ROLE_BUILDS: dict[Role, RoleBuild] = {
    Role.LOOKUP: lookup.build,
    Role.ORDER: order.build,
    Role.WEB: web.build,
}


async def _run_roles(settings: Settings, role: Role) -> int:
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(sig, stop.set)
    chosen = [r for r in ROLE_BUILDS if role in (Role.ALL, r)]
    try:
        async with open_runtime(settings, role.value) as rt:
            await run_roles(rt, [(r.value, ROLE_BUILDS[r]) for r in chosen], stop)
    except InsecureSettings as exc:
        raise UsageError(str(exc)) from exc
    except OSError as exc:
        if exc.errno == errno.EADDRINUSE:
            raise UsageError(
                f"a port is already in use ({exc.strerror}): {_ports(settings, chosen)}"
            ) from exc
        raise
    return 0


def _ports(settings: Settings, roles: Sequence[Role]) -> str:
    """Which ports the roles wanted, and the settings that move them."""
    return ", ".join(
        f"{r.value} on {settings.port_of(r.value)} (ECOMM_{r.value.upper()}_PORT)" for r in roles
    )


async def _provision(settings: Settings) -> int:
    from ecomm.core.runtime.bootstrap import open_aws  # noqa: PLC0415 - commands load only what they use
    from ecomm.ops.provision import provision  # noqa: PLC0415

    async with open_aws(settings) as aws:
        await provision(aws, settings)
    return 0


async def _seed(settings: Settings, count: int) -> int:
    from ecomm.core.adapters.products_table import ProductRepository  # noqa: PLC0415
    from ecomm.core.contracts.resources import ResourceNames  # noqa: PLC0415
    from ecomm.core.runtime.bootstrap import open_aws  # noqa: PLC0415
    from ecomm.ops.catalog import seed  # noqa: PLC0415

    if count < 0:
        raise UsageError("--products must be 0 or more")
    async with open_aws(settings) as aws:
        table = ResourceNames.with_prefix(settings.resource_prefix).products_table
        await seed(ProductRepository(aws.dynamodb, table), count)
    return 0


async def _dlq(settings: Settings, action: str, queue: str) -> int:
    from ecomm.core.runtime.bootstrap import open_aws  # noqa: PLC0415
    from ecomm.ops.deadletters import list_dead_letters, redrive  # noqa: PLC0415

    name = settings.resource_name(queue)
    async with open_aws(settings) as aws:
        if action == "redrive":
            moved = await redrive(aws.sqs, name)
            print(f"moved {moved} message(s) from {name}-dlq back to {name}")  # noqa: T201
            return 0
        letters = await list_dead_letters(aws.sqs, name)
        for letter in letters:
            print(f"{letter.message_id}  receives={letter.receive_count}  {letter.body[:200]}")  # noqa: T201
        print(f"{len(letters)} dead letter(s) in {name}-dlq")  # noqa: T201
    return 0


async def _emulator(args: argparse.Namespace, settings: Settings) -> int:
    from ecomm.emulator.command import PortInUse, run  # noqa: PLC0415 - needs the emulator extra

    try:
        return await run(settings, args.port, args.products, args.data)
    except PortInUse as exc:
        raise UsageError(str(exc)) from exc


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
        from ecomm.core.runtime.logs import configure_logging  # noqa: PLC0415

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
