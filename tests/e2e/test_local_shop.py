"""`make run`'s launcher, as a newcomer meets it: ready when it says so, stopped in order, the
shop still there after a restart, and one line when a port is taken."""

from __future__ import annotations

import asyncio
import json
import os
import signal
import socket
import sys
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path
from typing import Any

import aiohttp

from ecomm.core.contracts.events import (
    AddressData,
    CustomerData,
    Envelope,
    EventType,
    LineData,
    OrderPlacedData,
    PaymentData,
)
from ecomm.core.domain.payments import Charge
from ecomm.core.runtime.bootstrap import open_runtime
from ecomm.core.runtime.settings import Settings
from ecomm.emulator.local_stripe import LocalStripe
from tests.polling import eventually
from tests.ports import free_port
from tests.stripe_cards import PAYS, card_method, paying_settings

READY = "ecomm is ready: "
ADDRESS = AddressData(line1="12 Analytical Row", city="London", postalCode="N1 9GU", country="GB")


@dataclass
class Launch:
    process: asyncio.subprocess.Process
    ports: dict[str, int]
    lines: list[str] = field(default_factory=list)
    reader: asyncio.Task[None] | None = None

    def url(self, role: str, path: str) -> str:
        return f"http://127.0.0.1:{self.ports[role]}{path}"

    async def drain(self) -> None:
        """Read everything the launcher prints, all along: a pipe nobody reads fills, and then
        the launcher and the roles writing their logs to it stop answering."""
        assert self.process.stdout is not None
        async for line in self.process.stdout:
            self.lines.append(line.decode().rstrip())

    async def read_until(self, text: str, within: float = 120) -> None:
        async def seen() -> bool:
            assert self.process.returncode is None, f"the launcher ended: {self.lines[-20:]}"
            return any(text in line for line in self.lines)

        await eventually(seen, within=within)

    async def stop(self) -> int:
        self.process.send_signal(signal.SIGINT)  # the terminal's Ctrl-C reaches the launcher alone
        code = await asyncio.wait_for(self.process.wait(), 90)
        if self.reader is not None:
            await asyncio.wait_for(self.reader, 10)
        return code


def _ports() -> dict[str, int]:
    return {role: free_port() for role in ("emulator", "web", "lookup", "order", "stripe")}


@asynccontextmanager
async def launched(data: Path, ports: dict[str, int]) -> AsyncIterator[Launch]:
    env = {
        **os.environ,
        "ECOMM_WEB_PORT": str(ports["web"]),
        "ECOMM_LOOKUP_PORT": str(ports["lookup"]),
        "ECOMM_ORDER_PORT": str(ports["order"]),
        "ECOMM_STRIPE_PORT": str(ports["stripe"]),
        "ECOMM_LOG_FORMAT": "json",
    }
    for inherited in (
        "ECOMM_LOOKUP_URL",
        "ECOMM_ORDER_URL",
        "ECOMM_RESOURCE_PREFIX",
        "ECOMM_PAYMENTS",
    ):
        env.pop(inherited, None)
    process = await asyncio.create_subprocess_exec(
        sys.executable,
        *("-m", "ecomm.emulator.local_shop", "--products", "60", "--data", str(data)),
        *("--emulator-port", str(ports["emulator"])),
        env=env,
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.STDOUT,
    )
    launch = Launch(process, ports)
    launch.reader = asyncio.create_task(launch.drain())
    try:
        yield launch
    finally:
        if process.returncode is None:
            process.kill()
            await process.wait()
        launch.reader.cancel()


async def _get(url: str) -> tuple[int, Any]:
    async with aiohttp.ClientSession() as session, session.get(url) as answer:
        body = await answer.json() if answer.content_type == "application/json" else None
        return answer.status, body


async def _place_order(launch: Launch, emulator: str, order_id: str, product_id: str) -> None:
    """OrderPlaced as the web sends it: at the price lookup shows, to an address, paid by a card
    authorized on the localstripe `make run` started."""
    _, product = await _get(launch.url("lookup", f"/api/products/{product_id}"))
    localstripe = LocalStripe(launch.ports["stripe"])
    settings = Settings.model_validate(
        {"aws_endpoint_url": emulator, **paying_settings(localstripe)}
    )
    price = Decimal(str(product["price"]))
    shipping = Decimal("0.00") if price >= 50 else Decimal("4.99")  # the shop's default rule
    total = price + shipping
    async with open_runtime(settings, "test") as rt:
        assert rt.payments is not None
        method = await card_method(localstripe, PAYS)
        auth = await rt.payments.authorize(Charge(order_id, int(total * 100), "USD", method))
        data = OrderPlacedData(
            orderID=order_id,
            items=[
                LineData(
                    productID=product_id,
                    quantity=1,
                    unitPrice=str(product["price"]),
                    name=product["name"],
                )
            ],
            customer=CustomerData(name="Ada Lovelace", email="ada@example.com"),
            currency="USD",
            shippingAddress=ADDRESS,
            shipping=shipping,
            payment=PaymentData(
                provider="stripe", id=auth.payment_id, amount=auth.amount, currency="USD"
            ),
        )
        await rt.publisher.publish(Envelope.wrap(EventType.ORDER_PLACED, data, order_id))


def _problems(lines: list[str]) -> list[str]:
    """Tracebacks and warnings: what a clean start and stop never shows."""
    return [
        line
        for line in lines
        if "Traceback" in line
        or (line.startswith("{") and json.loads(line).get("level") in ("warning", "error"))
    ]


async def _order_status(launch: Launch, order_id: str) -> str | None:
    """The order's status, and its payment's: "CONFIRMED paid"."""
    status, body = await _get(launch.url("order", f"/api/orders/{order_id}"))
    return f"{body['status']} {(body['payment'] or {}).get('status')}" if status == 200 else None


async def test_ready_means_ready_ctrl_c_stops_in_order_and_a_restart_keeps_the_orders(
    tmp_path: Path,
) -> None:
    ports = _ports()
    emulator = f"http://127.0.0.1:{ports['emulator']}"
    async with launched(tmp_path, ports) as first:
        await first.read_until(READY)
        [ready] = [line.strip() for line in first.lines if READY in line]
        assert ready.startswith(f"{READY}http://127.0.0.1:{ports['web']}")
        assert (await _get(first.url("web", "/")))[0] == 200
        await _place_order(first, emulator, "order-kept-1", "P000002")

        async def confirmed() -> bool:
            return await _order_status(first, "order-kept-1") == "CONFIRMED paid"

        await eventually(confirmed, within=30)
        assert await first.stop() == 0
    assert _problems(first.lines) == []
    deleted = next(i for i, line in enumerate(first.lines) if "task_queue_deleted" in line)
    saved = next(i for i, line in enumerate(first.lines) if "saved the shop" in line)
    assert deleted < saved  # the roles stopped while the emulator still answered

    async with launched(tmp_path, ports) as second:
        await second.read_until(READY)
        assert any("restored the shop" in line and "1 order" in line for line in second.lines)
        assert await _order_status(second, "order-kept-1") == "CONFIRMED paid"
        _, best = await _get(second.url("lookup", "/api/bestsellers"))
        assert [(p["productID"], p["sold"]) for p in best["items"]] == [("P000002", 1)]
        assert await second.stop() == 0
    assert _problems(second.lines) == []


async def test_a_port_in_use_is_one_line_and_exit_2(tmp_path: Path) -> None:
    ports = _ports()
    with socket.socket() as squatter:
        squatter.bind(("127.0.0.1", ports["lookup"]))
        squatter.listen()
        async with launched(tmp_path, ports) as launch:
            assert await asyncio.wait_for(launch.process.wait(), 30) == 2
            await asyncio.wait_for(launch.reader, 10)  # type: ignore[arg-type]
    assert launch.lines == [
        f"ecomm: port {ports['lookup']} (lookup) is already in use: is another `make run` still"
        f" running? Stop it, or move this one: ECOMM_LOOKUP_PORT={ports['lookup'] + 10} make run"
    ]
