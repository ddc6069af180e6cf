"""`python -m ecomm` / `ecomm`: run a role, or one of the operator commands.

    ecomm [--role web|lookup|order|all]     a role (ECOMM_ROLE when no flag is given)
    ecomm emulator [--port 4566] [--products N] [--data DIR] [--latency-ms MS]
    ecomm provision
    ecomm seed [--products N]
    ecomm dlq list|redrive QUEUE [--limit N]
    ecomm product add|restock|price ...
    ecomm order ship|deliver|cancel ORDER_ID [--reason TEXT]
    ecomm loadgen --base-url URL --users N --duration S

A bad argument, an unknown name, a missing or invalid setting and an unreachable endpoint each
print one line to stderr and exit 2, never a traceback. An AWS failure the operator cannot fix
prints one line and exits 1.
"""

from __future__ import annotations

import argparse
import asyncio
import errno
import importlib
import signal
import sys
from collections.abc import Callable, Coroutine, Sequence
from typing import Any

from botocore.exceptions import BotoCoreError, ClientError
from pydantic import ValidationError

from ecomm.cli_arguments import MAX_LINE, USAGE_ERROR, build_parser, check_settings
from ecomm.core.adapters.aws_failures import explain, one_line
from ecomm.core.domain.errors import DomainError
from ecomm.core.runtime.bootstrap import RoleBuild, open_runtime, run_roles
from ecomm.core.runtime.settings import Role, Settings
from ecomm.loadgen import options as load
from ecomm.ops import orders as order_operator
from ecomm.ops import products as operator
from ecomm.roles import lookup, order, web
from ecomm.roles.web.build import RefusedSettings

# How long `loadgen` waits for the shop's first answer before calling it unreachable.
PROBE_SECONDS = 5.0


class UsageError(Exception):
    """Bad input on the command line or in the environment: one clear line, exit code 2."""


def _settings() -> Settings:
    try:
        settings = Settings()
    except ValidationError as exc:
        problems = "; ".join(
            f"ECOMM_{'_'.join(str(p) for p in e['loc']).upper()}: {e['msg']}" for e in exc.errors()
        )
        raise UsageError(f"invalid setting: {problems}") from exc
    problem = check_settings(settings)
    if problem:
        raise UsageError(f"invalid setting: {problem}")
    return settings


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
    except RefusedSettings as exc:
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

    # Not an ops task's command: on AWS the stack creates these resources.
    async with open_aws(settings, "provision") as aws:
        await provision(aws, settings)
    return 0


async def _seed(settings: Settings, count: int) -> int:
    from ecomm.core.adapters.products_table import ProductRepository  # noqa: PLC0415
    from ecomm.core.contracts.resources import ResourceNames  # noqa: PLC0415
    from ecomm.core.runtime.bootstrap import open_aws  # noqa: PLC0415
    from ecomm.ops.catalog import seed  # noqa: PLC0415

    async with open_aws(settings) as aws:
        table = ResourceNames.with_prefix(settings.resource_prefix).products_table
        # A missing table or an unreachable endpoint is said before the progress bar starts.
        await aws.dynamodb.describe_table(TableName=table)
        await seed(ProductRepository(aws.dynamodb, table), count)
    return 0


def _say(line: str) -> None:
    print(line, flush=True)  # noqa: T201


def _fail(line: str, code: int = USAGE_ERROR) -> int:
    print(f"ecomm: {one_line(line, MAX_LINE)}", file=sys.stderr)  # noqa: T201
    return code


async def _dlq(settings: Settings, action: str, queue: str, limit: int | None) -> int:
    from ecomm.core.runtime.bootstrap import open_aws  # noqa: PLC0415
    from ecomm.ops.deadletters import HOLD_SECONDS, list_dead_letters, redrive  # noqa: PLC0415

    name = settings.resource_name(queue)
    dlq = f"{name}-dlq"
    async with open_aws(settings) as aws:
        if action == "list":
            listing = await list_dead_letters(aws.sqs, name, limit or 100)
            for letter in listing.letters:
                body = one_line(letter.body, 200)
                _say(f"{letter.message_id}  receives={letter.receive_count}  {body}")
            more = "; --limit reached, there may be more" if listing.reached_limit else ""
            _say(f"{len(listing.letters)} dead letter(s) in {dlq}{more}")
            if listing.still_hidden:
                return _fail(
                    f"{listing.still_hidden} letter(s) in {dlq} could not be made visible again; "
                    f"they return within {HOLD_SECONDS} s",
                    1,
                )
            return 0
        report = await redrive(aws.sqs, name, limit or 1000)
    _say(
        f"{dlq} -> {name}: moved {report.moved}, failed {report.failed}, "
        f"skipped {report.skipped} already moved in this run"
        + ("; --limit reached, there may be more" if report.reached_limit else "")
    )
    problems = []
    if report.refusal:
        problems.append(f"SQS refused {report.failed} send(s), left in {dlq}: {report.refusal}")
    elif report.failed:
        problems.append(f"{report.failed} letter(s) were not sent and stay in {dlq}")
    if report.undeleted:
        problems.append(
            f"{report.undeleted} moved letter(s) could not be deleted from {dlq} and will "
            "reappear there (a consumer takes a repeat)"
        )
    if report.stopped_by:
        problems.append(f"stopped early: {report.stopped_by}")
    return _fail("; ".join(problems), 1) if problems else 0


async def _emulator(args: argparse.Namespace, settings: Settings) -> int:
    from ecomm.emulator.command import PortInUse, run  # noqa: PLC0415 - needs the emulator extra

    try:
        return await run(settings, args.port, args.products, args.data, latency_ms=args.latency_ms)
    except PortInUse as exc:
        raise UsageError(str(exc)) from exc


async def _loadgen(args: argparse.Namespace, _: Settings) -> int:
    try:
        base_url = load.LoadOptions.from_args(args).base_url
    except load.BadOptions as exc:
        raise UsageError(f"loadgen: {exc}") from None
    await _reachable(base_url)
    loadgen = importlib.import_module("ecomm.loadgen")
    return await loadgen.run(args)  # type: ignore[no-any-return]


async def _reachable(url: str) -> None:
    """One request before the shoppers start: a shop that is not there is a usage error."""
    import aiohttp  # noqa: PLC0415

    timeout = aiohttp.ClientTimeout(total=PROBE_SECONDS)
    try:
        async with (
            aiohttp.ClientSession(timeout=timeout) as session,
            session.get(url, allow_redirects=False),
        ):
            return
    except (aiohttp.ClientError, TimeoutError) as exc:
        reason = str(exc) or f"no answer within {PROBE_SECONDS:.0f} s"
        raise UsageError(f"loadgen: cannot reach {url}: {reason}") from None


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
    "dlq": lambda args, settings: _dlq(settings, args.action, args.queue, args.limit),
    "product": lambda args, settings: operator.run(settings, args),
    "order": lambda args, settings: order_operator.run(settings, args),
    "loadgen": _loadgen,
}


def _subject(args: argparse.Namespace) -> str:
    """What the command was about, for its failure line: `dlq list OrderQueue`."""
    words = [args.command or "role"]
    if args.command == "dlq":
        words += [args.action, args.queue]
    elif args.command == "product":
        words += [args.product_command, args.product_id]
    elif args.command == "order":
        words += [args.order_command, args.order_id]
    return " ".join(words)


def main(argv: Sequence[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    try:
        settings = _settings()
    except UsageError as exc:
        return _fail(str(exc))
    from ecomm.core.runtime.logs import configure_logging  # noqa: PLC0415

    configure_logging(settings)
    try:
        return asyncio.run(COMMANDS[args.command](args, settings))
    except UsageError as exc:
        return _fail(str(exc))
    except (BotoCoreError, ClientError, DomainError) as exc:
        # The one place an AWS failure of any command becomes a line for the operator.
        failure = explain(exc, settings.aws_endpoint_url)
        return _fail(f"{_subject(args)}: {failure.reason}", failure.exit_code)
    except ModuleNotFoundError as exc:
        if exc.name == "moto":
            return _fail("the emulator needs the extra: pip install 'ecomm[emulator]'")
        raise
    except KeyboardInterrupt:
        return 130


if __name__ == "__main__":
    sys.exit(main())
