"""`python -m ecomm order ship|deliver|cancel ORDER_ID`: sent as events, refused in one line."""

from __future__ import annotations

import argparse
import asyncio
import sys

import pytest

from ecomm.core.domain.orders import OrderStatus
from ecomm.core.runtime.bootstrap import Runtime
from ecomm.core.runtime.settings import Settings
from ecomm.ops import orders
from tests.integration.order.conftest import Shop, order_workers, placed
from tests.polling import eventually


def _args(*argv: str) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="ecomm order")
    orders.add_arguments(parser)
    return parser.parse_args(argv)


async def _run(settings: Settings, *argv: str) -> int:
    return await orders.run(settings, _args(*argv))


async def test_ship_sends_the_command_and_the_worker_applies_it(
    settings: Settings, runtime: Runtime, shop: Shop, capsys: pytest.CaptureFixture[str]
) -> None:
    await shop.stock(P1=5)
    await runtime.publisher.publish(placed("cli-1", P1=1))
    async with order_workers(settings):

        async def confirmed() -> bool:
            order = await shop.order("cli-1")
            return order is not None and order.status is OrderStatus.CONFIRMED

        await eventually(confirmed)
        assert await _run(settings, "ship", "cli-1", "--reason", "Parcel 42") == 0
        assert "sent ShipOrder for order cli-1 (it was CONFIRMED)" in capsys.readouterr().out

        async def shipped() -> bool:
            order = await shop.order("cli-1")
            return order is not None and order.status is OrderStatus.SHIPPED

        await eventually(shipped)
    order = await shop.order("cli-1")
    assert order is not None
    assert order.history[-1].reason == "Parcel 42"
    # A step its status does not allow: one line, exit 2, nothing sent.
    assert await _run(settings, "deliver", "cli-1") == 0
    assert await _run(settings, "cancel", "cli-1") == 2
    assert (
        capsys.readouterr()
        .err.strip()
        .endswith("order cli-1 is SHIPPED: only a CONFIRMED order can be cancelled")
    )


@pytest.mark.parametrize(
    ("argv", "complaint"),
    [
        (("ship", "no-such-order"), "ecomm order: no order no-such-order in "),
        (("cancel", "bad id!"), "ecomm order: an order id is 1 to 128 letters"),
        (("deliver", "o-1", "--reason", "x" * 501), "ecomm order: --reason"),
    ],
)
async def test_an_unknown_order_or_bad_input_is_one_line_and_exit_2(
    settings: Settings, runtime: Runtime, argv: tuple[str, ...], complaint: str,
    capsys: pytest.CaptureFixture[str],
) -> None:  # fmt: skip
    assert await _run(settings, *argv) == 2
    err = capsys.readouterr().err.strip()
    assert err.startswith(complaint)
    assert len(err.splitlines()) == 1
    assert "Traceback" not in err


async def test_the_command_line_knows_the_order_commands() -> None:
    shell = await asyncio.create_subprocess_exec(
        sys.executable, "-m", "ecomm", "order", "cancel", "bad id!",
        stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE,
    )  # fmt: skip
    out, err = await shell.communicate()
    assert shell.returncode == 2
    assert err.decode().strip() == (
        "ecomm order: an order id is 1 to 128 letters, digits, '-' or '_'"
    )
    assert out == b""
