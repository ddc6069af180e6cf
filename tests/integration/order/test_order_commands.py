"""`python -m ecomm order ship|deliver|cancel ORDER_ID`: sent as events, refused in one line."""

from __future__ import annotations

import asyncio
import logging
import socket
from collections.abc import Iterator

import pytest
import structlog

from ecomm.__main__ import main
from ecomm.core.domain.orders import OrderStatus
from ecomm.core.runtime.bootstrap import Runtime
from ecomm.core.runtime.settings import Settings
from tests.integration.order.conftest import Shop, order_workers, placed
from tests.polling import eventually


@pytest.fixture(autouse=True)
def _logging_restored() -> Iterator[None]:
    """`main` configures logging to write to this test's captured stderr, which closes with it;
    later tests must not log to a closed file."""
    config, handlers = structlog.get_config(), logging.getLogger().handlers[:]
    yield
    structlog.configure(**config)
    logging.getLogger().handlers[:] = handlers


@pytest.fixture
def env(monkeypatch: pytest.MonkeyPatch, settings: Settings) -> Settings:
    """The CLI reads its settings from the environment: this test's stack."""
    monkeypatch.setenv("ECOMM_RESOURCE_PREFIX", settings.resource_prefix)
    monkeypatch.setenv("ECOMM_LOG_FORMAT", "console")
    return settings


async def _run(*argv: str) -> int:
    # main() runs its own event loop: in a thread, as from a shell.
    return await asyncio.to_thread(main, list(argv))


async def test_ship_sends_the_command_and_the_worker_applies_it(
    env: Settings, runtime: Runtime, shop: Shop, capsys: pytest.CaptureFixture[str]
) -> None:
    await shop.stock(P1=5)
    await runtime.publisher.publish(placed("cli-1", P1=1))
    async with order_workers(env):

        async def confirmed() -> bool:
            order = await shop.order("cli-1")
            return order is not None and order.status is OrderStatus.CONFIRMED

        await eventually(confirmed)
        assert await _run("order", "ship", "cli-1", "--reason", "Parcel 42") == 0
        assert "sent ShipOrder for order cli-1 (it was CONFIRMED)" in capsys.readouterr().out

        async def shipped() -> bool:
            order = await shop.order("cli-1")
            return order is not None and order.status is OrderStatus.SHIPPED

        await eventually(shipped)
    order = await shop.order("cli-1")
    assert order is not None
    assert order.history[-1].reason == "Parcel 42"
    # A step its status does not allow: one line, exit 2, nothing sent.
    assert await _run("order", "deliver", "cli-1") == 0
    assert await _run("order", "cancel", "cli-1") == 2
    assert (
        capsys.readouterr()
        .err.strip()
        .endswith("order cli-1 is SHIPPED: only a CONFIRMED order can be cancelled")
    )


@pytest.mark.parametrize(
    ("argv", "complaint"),
    [
        (("order", "ship", "no-such-order"), "error: no order 'no-such-order'"),
        (("order", "cancel", "bad id!"), "error: an order id is 1 to 128 letters"),
        (("order", "deliver", "o-1", "--reason", "x" * 501), "error: --reason"),
    ],
)
async def test_an_unknown_order_or_bad_input_is_one_line_and_exit_2(
    env: Settings, runtime: Runtime, argv: tuple[str, ...], complaint: str,
    capsys: pytest.CaptureFixture[str],
) -> None:  # fmt: skip
    assert await _run(*argv) == 2
    err = capsys.readouterr().err.strip()
    assert err.startswith(complaint)
    assert len(err.splitlines()) == 1
    assert "Traceback" not in err


async def test_an_unreachable_endpoint_is_one_line_and_exit_2(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    with socket.socket() as closed:
        closed.bind(("127.0.0.1", 0))
        port = closed.getsockname()[1]
    monkeypatch.setenv("AWS_ENDPOINT_URL", f"http://127.0.0.1:{port}")
    monkeypatch.setenv("ECOMM_LOG_FORMAT", "console")
    assert await _run("order", "ship", "o-1") == 2
    err = capsys.readouterr().err.strip()
    assert err.startswith("error: AWS failed")
    assert len(err.splitlines()) == 1
